package org.cststream.model;

/**
 * Linear interpolation in time, the initial value of every dummy and query token. Outside the
 * observed range the nearest observation is held (no extrapolation), so a missing first or last
 * sample still gives finite, sensible values.
 */
public final class TimeInterpolation {
    private TimeInterpolation() {}

    /**
     * Returns values at {@code queryTimes}.
     *
     * @param times observed times, strictly increasing
     * @param values observed values, one row per time
     * @param queryTimes times to fill
     */
    public static float[][] linear(double[] times, float[][] values, double[] queryTimes) {
        if (times.length == 0) {
            throw new IllegalArgumentException("need at least one observed time to interpolate");
        }
        int dims = values[0].length;
        float[][] out = new float[queryTimes.length][dims];
        int j = 0;
        for (int q = 0; q < queryTimes.length; q++) {
            double t = queryTimes[q];
            if (t <= times[0]) {
                out[q] = values[0].clone();
                continue;
            }
            if (t >= times[times.length - 1]) {
                out[q] = values[times.length - 1].clone();
                continue;
            }
            if (j >= times.length - 1 || times[j] > t) {
                j = 0;
            }
            while (times[j + 1] < t) {
                j++;
            }
            double w = (t - times[j]) / (times[j + 1] - times[j]);
            for (int d = 0; d < dims; d++) {
                out[q][d] = (float) ((1 - w) * values[j][d] + w * values[j + 1][d]);
            }
        }
        return out;
    }
}
