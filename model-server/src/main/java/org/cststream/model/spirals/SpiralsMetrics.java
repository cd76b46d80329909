package org.cststream.model.spirals;

/** The error and smoothness measures of the spirals benchmark, and the statistics over curves. */
public final class SpiralsMetrics {
    private SpiralsMetrics() {}

    /**
     * Returns the mean interpolation error of one curve: the Euclidean distance between estimate
     * and truth at each point (the square root of the sum of squared coordinate differences, in
     * data units), averaged over the points.
     *
     * @param predicted one row per point
     * @param truth one row per point, as many rows and coordinates as {@code predicted}
     * @throws IllegalArgumentException if the shapes differ or there are no points
     */
    public static double meanPointError(double[][] predicted, double[][] truth) {
        if (predicted.length != truth.length || predicted.length == 0) {
            throw new IllegalArgumentException(
                    "predicted has "
                            + predicted.length
                            + " points and truth "
                            + truth.length
                            + "; need the same number, at least one");
        }
        double sum = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i].length != truth[i].length) {
                throw new IllegalArgumentException(
                        "point "
                                + i
                                + ": predicted has "
                                + predicted[i].length
                                + " coordinates, truth "
                                + truth[i].length);
            }
            double squares = 0;
            for (int d = 0; d < truth[i].length; d++) {
                double diff = predicted[i][d] - truth[i][d];
                squares += diff * diff;
            }
            sum += Math.sqrt(squares);
        }
        return sum / truth.length;
    }

    /**
     * Returns the total variation of the second difference of a sampled curve: with {@code s[i] =
     * y[i+1] - 2 y[i] + y[i-1]}, the sum over i of {@code |s[i+1] - s[i]|}, summed over the
     * coordinates. Lower is smoother: a straight line or a parabola gives 0, a smooth curve little,
     * a polyline a spike at each corner, and a step (the discrete Transformer's output between grid
     * points) the most. The value depends on the sampling, so compare only curves sampled alike
     * (the benchmark uses 1000 evenly spaced times on {@code [0, 1]}).
     *
     * @param values one row per sample, in time order; fewer than 4 rows give 0
     */
    public static double secondDifferenceVariation(double[][] values) {
        double sum = 0;
        for (int i = 1; i + 2 < values.length; i++) {
            for (int d = 0; d < values[i].length; d++) {
                double s0 = values[i + 1][d] - 2 * values[i][d] + values[i - 1][d];
                double s1 = values[i + 2][d] - 2 * values[i + 1][d] + values[i][d];
                sum += Math.abs(s1 - s0);
            }
        }
        return sum;
    }

    /** Returns the arithmetic mean; NaN for no values. */
    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Returns the population standard deviation (divided by the count); NaN for no values. */
    public static double standardDeviation(double[] values) {
        double mean = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / values.length);
    }

    /**
     * Returns {@code count} evenly spaced times from {@code start} to {@code end}, both included.
     *
     * @param count 2 or more
     */
    public static double[] evenlySpaced(double start, double end, int count) {
        if (count < 2) {
            throw new IllegalArgumentException("count = " + count + "; need 2 or more");
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = start + (end - start) * i / (count - 1);
        }
        out[count - 1] = end;
        return out;
    }
}
