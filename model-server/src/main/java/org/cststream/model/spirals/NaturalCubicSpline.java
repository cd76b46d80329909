package org.cststream.model.spirals;

/**
 * The natural cubic spline through a set of points of one function {@code y(x)}: piecewise cubic,
 * twice continuously differentiable, with zero second derivative at both ends.
 *
 * <p>The second derivatives {@code M} at the knots solve the tridiagonal system {@code h[i-1]
 * M[i-1] + 2 (h[i-1] + h[i]) M[i] + h[i] M[i+1] = 6 (s[i] - s[i-1])} for the inner knots, with
 * {@code h[i]} the knot spacing and {@code s[i]} the slope of interval {@code i}, and {@code M[0] =
 * M[n-1] = 0}; it is solved by forward elimination and back substitution (Thomas algorithm), which
 * is stable here because the matrix is strictly diagonally dominant. Outside the knots the spline
 * continues as a straight line with the end's slope, the natural extension (its second derivative
 * stays zero). One knot gives a constant, two a straight line.
 */
public final class NaturalCubicSpline {
    private final double[] x;
    private final double[] y;
    private final double[] m;

    private NaturalCubicSpline(double[] x, double[] y, double[] m) {
        this.x = x;
        this.y = y;
        this.m = m;
    }

    /**
     * Fits the natural cubic spline through the points {@code (x[i], y[i])}.
     *
     * @param x knot positions, strictly increasing, finite, at least one
     * @param y values at the knots, finite, as many as {@code x}
     * @throws IllegalArgumentException if the arrays break these rules
     */
    public static NaturalCubicSpline fit(double[] x, double[] y) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException(
                    "need as many values as knots, at least one; got "
                            + x.length
                            + " knots and "
                            + y.length
                            + " values");
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                throw new IllegalArgumentException(
                        "knot " + i + " is (" + x[i] + ", " + y[i] + "); need finite numbers");
            }
            if (i > 0 && x[i] <= x[i - 1]) {
                throw new IllegalArgumentException(
                        "knots must be strictly increasing, but x["
                                + i
                                + "] = "
                                + x[i]
                                + " <= x["
                                + (i - 1)
                                + "] = "
                                + x[i - 1]);
            }
        }
        return new NaturalCubicSpline(x.clone(), y.clone(), secondDerivatives(x, y));
    }

    private static double[] secondDerivatives(double[] x, double[] y) {
        int n = x.length;
        double[] m = new double[n];
        int inner = n - 2;
        if (inner <= 0) {
            return m;
        }
        // row r (0-based) is knot r + 1: sub[r] M[r] + diag[r] M[r+1] + sup[r] M[r+2] = rhs[r]
        double[] diag = new double[inner];
        double[] sup = new double[inner];
        double[] rhs = new double[inner];
        for (int r = 0; r < inner; r++) {
            int i = r + 1;
            double hLeft = x[i] - x[i - 1];
            double hRight = x[i + 1] - x[i];
            diag[r] = 2 * (hLeft + hRight);
            sup[r] = hRight;
            rhs[r] = 6 * ((y[i + 1] - y[i]) / hRight - (y[i] - y[i - 1]) / hLeft);
        }
        // forward elimination: the sub-diagonal of row r is the left spacing of knot r + 1
        for (int r = 1; r < inner; r++) {
            double sub = x[r + 1] - x[r];
            double factor = sub / diag[r - 1];
            diag[r] -= factor * sup[r - 1];
            rhs[r] -= factor * rhs[r - 1];
        }
        m[inner] = rhs[inner - 1] / diag[inner - 1];
        for (int r = inner - 2; r >= 0; r--) {
            m[r + 1] = (rhs[r] - sup[r] * m[r + 2]) / diag[r];
        }
        return m;
    }

    /**
     * Returns the spline's value at {@code t}; a straight line outside the knots.
     *
     * @param t any finite position
     */
    public double value(double t) {
        int n = x.length;
        if (n == 1) {
            return y[0];
        }
        if (t < x[0]) {
            return y[0] + slopeAtStart() * (t - x[0]);
        }
        if (t > x[n - 1]) {
            return y[n - 1] + slopeAtEnd() * (t - x[n - 1]);
        }
        int i = LinearInterpolator.intervalOf(x, t);
        double h = x[i + 1] - x[i];
        double a = (x[i + 1] - t) / h;
        double b = (t - x[i]) / h;
        return a * y[i]
                + b * y[i + 1]
                + ((a * a * a - a) * m[i] + (b * b * b - b) * m[i + 1]) * h * h / 6;
    }

    /** Returns a copy of the second derivatives at the knots; the first and last are 0. */
    public double[] secondDerivatives() {
        return m.clone();
    }

    private double slopeAtStart() {
        double h = x[1] - x[0];
        return (y[1] - y[0]) / h - h * (2 * m[0] + m[1]) / 6;
    }

    private double slopeAtEnd() {
        int n = x.length;
        double h = x[n - 1] - x[n - 2];
        return (y[n - 1] - y[n - 2]) / h + h * (m[n - 2] + 2 * m[n - 1]) / 6;
    }
}
