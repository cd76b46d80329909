package org.cststream.job.frames.hemo;

import java.util.Arrays;
import org.cststream.model.math.SymmetricEigen;

/**
 * The spatial minimum-mean-square-error estimator of the neuronal signal in one neighbourhood of n
 * pixels, from the joint covariance of both channels' band-limited dF/F.
 *
 * <p>Model (per neighbourhood, both channels as n-vectors): {@code y1 = x + A z + e1}, {@code y2 =
 * z + e2}, with x (neuronal) and z (hemodynamic) uncorrelated and white noise e1, e2. With {@code
 * S11, S12, S22} the blocks of the joint covariance {@code Sy}:
 *
 * <ul>
 *   <li>noise variances {@code s1, s2}: the median eigenvalue (= singular value) of {@code S11},
 *       {@code S22};
 *   <li>signal covariance {@code Sx = S11 - s1 I - S12 (S22 - s2 I)^+ S12^T}, where the
 *       pseudo-inverse keeps the eigen-directions of {@code S22} above the noise floor (the others
 *       hold no hemodynamic signal); {@code Sx} is then projected onto the positive semi-definite
 *       matrices;
 *   <li>estimate {@code x = [Sx 0] Sy^+ [y1; y2]}, computed through the Schur complement of {@code
 *       S22}: {@code x = Sx R^-1 (y1 - S12 S22^-1 y2)} with {@code R = S11 - S12 S22^-1 S12^T}, the
 *       covariance of what the isosbestic channel cannot explain. This equals the pseudo-inverse
 *       form when {@code Sy} is invertible, which its noise terms make it, and needs n x n
 *       eigendecompositions instead of one of 2n x 2n. R holds the noise, so its eigenvalues are
 *       raised to at least s1 before inversion, and those of S22 to at least s2: a sample
 *       eigenvalue below the noise variance is sampling error, and inverting it would amplify noise
 *       several times.
 * </ul>
 *
 * A pixel's estimate is flagged implausible when its signal variance comes out below minus {@value
 * #IMPLAUSIBLE_FRACTION} times its calcium variance: the isosbestic channel then "explains" half as
 * much again as the calcium channel holds, which sampling error alone does not produce but an
 * isosbestic channel that is not one (or a broken model) does.
 */
public final class MmseEstimator {
    /** Pseudo-inverses drop eigenvalues below this fraction of the largest. */
    static final double RELATIVE_TOLERANCE = 1e-9;

    /** Signal variance below minus this fraction of the calcium variance is implausible. */
    public static final double IMPLAUSIBLE_FRACTION = 0.5;

    private MmseEstimator() {}

    /** Returns the position of (i, j), i <= j, in a packed upper triangle of side d. */
    static int packed(int i, int j, int d) {
        return i * d - i * (i - 1) / 2 + (j - i);
    }

    /** Returns the length of a packed upper triangle of side d. */
    static int packedLength(int d) {
        return d * (d + 1) / 2;
    }

    /**
     * Computes the estimator rows of some pixels of a neighbourhood.
     *
     * @param cov the joint covariance of [y1; y2], packed upper triangle of side 2n, at {@code
     *     covOffset}
     * @param n pixels in the neighbourhood
     * @param rows positions (0..n-1) of the pixels whose estimate is wanted
     * @param w receives, at {@code wOffset}, one row of 2n weights per wanted pixel: the estimate
     *     is the row times the centred [y1; y2]
     * @param samples the effective number of independent samples behind the covariance (the sets
     *     the noise eigenvalues' spread, see the class comment)
     * @return how many of the wanted pixels are flagged implausible
     */
    public static int compute(
            float[] cov, int covOffset, int n, int[] rows, float[] w, int wOffset, double samples) {
        int d = 2 * n;
        double[][] a = new double[n][n];
        double[][] b = new double[n][n];
        double[][] c = new double[n][n];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = cov[covOffset + packed(i, j, d)];
                if (i < n && j < n) {
                    a[i][j] = v;
                    a[j][i] = v;
                } else if (i >= n) {
                    c[i - n][j - n] = v;
                    c[j - n][i - n] = v;
                } else {
                    b[i][j - n] = v;
                }
            }
        }
        double s1 = median(SymmetricEigen.of(a, false).values);
        SymmetricEigen cEig = SymmetricEigen.of(c);
        double[] cValues = cEig.values;
        double s2 = median(cValues);
        double cMax = max(cValues);
        double edge = noiseEdge(n, samples);
        // C^-1 and (C - s2 I)^+, both over the directions above the noise edge: regressing on the
        // isosbestic channel's noise-only directions would fit its noise
        double[] inv = new double[n];
        double[] signalInv = new double[n];
        for (int k = 0; k < n; k++) {
            double l = cValues[k];
            boolean signal = l > s2 * edge && l - s2 > RELATIVE_TOLERANCE * cMax;
            inv[k] = signal ? 1 / l : 0;
            signalInv[k] = signal ? 1 / (l - s2) : 0;
        }
        double[][] bv = multiply(b, cEig.vectors);
        double[][] bcInv = multiply(bv, transposeScaled(cEig.vectors, inv));
        double[][] t = quadratic(bv, signalInv);
        double[][] r = quadratic(bv, inv);
        double[][] sx = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sx[i][j] = a[i][j] - t[i][j] - (i == j ? s1 : 0);
                r[i][j] = a[i][j] - r[i][j];
            }
        }
        int flagged = 0;
        for (int row : rows) {
            if (sx[row][row] < -IMPLAUSIBLE_FRACTION * a[row][row]) {
                flagged++;
            }
        }
        double[][] sxPlus = signalPart(sx, s1 * (edge - 1));
        double[][] rInv = inverseWithFloor(r, s1);
        double[][] g = multiply(sxPlus, rInv);
        double[][] h = multiply(g, bcInv);
        boolean finite = true;
        for (int k = 0; k < rows.length; k++) {
            int base = wOffset + k * d;
            double[] gr = g[rows[k]];
            double[] hr = h[rows[k]];
            for (int j = 0; j < n; j++) {
                finite &= Double.isFinite(gr[j]) && Double.isFinite(hr[j]);
                w[base + j] = (float) gr[j];
                w[base + n + j] = (float) -hr[j];
            }
        }
        if (!finite) {
            // a degenerate neighbourhood (e.g. all pixels saturated): estimate nothing
            Arrays.fill(w, wOffset, wOffset + rows.length * d, 0f);
        }
        return flagged;
    }

    /** Returns x y for square matrices. */
    static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] oi = out[i];
            double[] xi = x[i];
            for (int k = 0; k < n; k++) {
                double xik = xi[k];
                if (xik == 0) {
                    continue;
                }
                double[] yk = y[k];
                for (int j = 0; j < n; j++) {
                    oi[j] += xik * yk[j];
                }
            }
        }
        return out;
    }

    /** Returns diag(s) V^T. */
    private static double[][] transposeScaled(double[][] v, double[] s) {
        int n = s.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                out[k][i] = s[k] * v[i][k];
            }
        }
        return out;
    }

    /** Returns D diag(s) D^T for a square D. */
    private static double[][] quadratic(double[][] data, double[] s) {
        int n = s.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] di = data[i];
            for (int j = i; j < n; j++) {
                double[] dj = data[j];
                double v = 0;
                for (int k = 0; k < n; k++) {
                    v += di[k] * s[k] * dj[k];
                }
                out[i][j] = v;
                out[j][i] = v;
            }
        }
        return out;
    }

    /** Returns m with its eigenvalues at or below {@code floor} (and all negative ones) zeroed. */
    private static double[][] signalPart(double[][] m, double floor) {
        SymmetricEigen e = SymmetricEigen.of(m);
        double[] l = e.values.clone();
        for (int k = 0; k < l.length; k++) {
            l[k] = l[k] > Math.max(0, floor) ? l[k] : 0;
        }
        return quadratic(e.vectors, l);
    }

    /**
     * Returns the inverse of m with its eigenvalues raised to at least {@code floor} (the noise
     * variance, below which a residual covariance cannot truly lie); 0 for a zero matrix.
     */
    private static double[][] inverseWithFloor(double[][] m, double floor) {
        SymmetricEigen e = SymmetricEigen.of(m);
        double[] l = e.values.clone();
        double top = max(l);
        for (int k = 0; k < l.length; k++) {
            double v = Math.max(l[k], floor);
            l[k] = v > RELATIVE_TOLERANCE * top && v > 0 ? 1 / v : 0;
        }
        return quadratic(e.vectors, l);
    }

    /**
     * Returns the upper edge of the eigenvalues of a sample covariance of pure noise, in units of
     * the noise variance: {@code (1 + sqrt(n / samples))^2} (Marchenko-Pastur).
     */
    static double noiseEdge(int n, double samples) {
        double g = Math.sqrt(n / Math.max(samples, 1.0));
        return (1 + g) * (1 + g);
    }

    /** Returns the median of the values clipped at 0 (eigenvalues of a covariance). */
    static double median(double[] values) {
        double[] v = values.clone();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, v[i]);
        }
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }

    private static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
