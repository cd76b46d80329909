package org.cststream.model.spirals;

import java.util.Arrays;

/**
 * Piecewise-linear interpolation between neighbouring observations, each coordinate on its own.
 * Before the first and after the last observation the estimate is that observation's value
 * (constant extrapolation). It has no parameters, so {@link #fit} does nothing.
 */
public final class LinearInterpolator implements Interpolator {
    /** The name in tables and legends. */
    public static final String NAME = "linear";

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
        int n = observedTimes.length;
        int dims = observedValues[0].length;
        double[][] out = new double[queryTimes.length][dims];
        for (int q = 0; q < queryTimes.length; q++) {
            double t = queryTimes[q];
            if (t <= observedTimes[0]) {
                out[q] = observedValues[0].clone();
            } else if (t >= observedTimes[n - 1]) {
                out[q] = observedValues[n - 1].clone();
            } else {
                int i = intervalOf(observedTimes, t);
                double w = (t - observedTimes[i]) / (observedTimes[i + 1] - observedTimes[i]);
                for (int d = 0; d < dims; d++) {
                    out[q][d] = (1 - w) * observedValues[i][d] + w * observedValues[i + 1][d];
                }
            }
        }
        return out;
    }

    /**
     * Returns the interval {@code i} with {@code x[i] <= t < x[i + 1]}, for {@code x[0] <= t < x[n
     * - 1]}.
     */
    static int intervalOf(double[] x, double t) {
        int i = Arrays.binarySearch(x, t);
        // an exact hit is the start of its interval; otherwise binarySearch gives -(insertion) - 1
        int start = i >= 0 ? i : -i - 2;
        return Math.min(Math.max(start, 0), x.length - 2);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
