package org.cststream.model.spirals;

/**
 * Natural cubic-spline interpolation through the observations, each coordinate on its own (see
 * {@link NaturalCubicSpline}); outside the observed times it continues as a straight line. It has
 * no parameters, so {@link #fit} does nothing.
 */
public final class CubicSplineInterpolator implements Interpolator {
    /** The name in tables and legends. */
    public static final String NAME = "cubic-spline";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void fit(SpiralSplit data, long seed, Progress progress) {
        // nothing to learn
    }

    @Override
    public double[][] predict(
            double[] observedTimes, double[][] observedValues, double[] queryTimes) {
        Query.check(observedTimes, observedValues, queryTimes);
        int dims = observedValues[0].length;
        double[][] out = new double[queryTimes.length][dims];
        double[] column = new double[observedTimes.length];
        for (int d = 0; d < dims; d++) {
            for (int i = 0; i < column.length; i++) {
                column[i] = observedValues[i][d];
            }
            NaturalCubicSpline spline = NaturalCubicSpline.fit(observedTimes, column);
            for (int q = 0; q < queryTimes.length; q++) {
                out[q][d] = spline.value(queryTimes[q]);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
