package org.cststream.model;

/**
 * A sampled trajectory: times and values, with the indices that count as observed.
 *
 * @param times sample times, strictly increasing, normalised to about [0, 1]
 * @param values one row per time
 * @param observed indices of the observed samples, increasing; the rest are targets
 */
public record Curve(double[] times, float[][] values, int[] observed) {

    /** Returns the observed times. */
    public double[] observedTimes() {
        double[] t = new double[observed.length];
        for (int i = 0; i < observed.length; i++) {
            t[i] = times[observed[i]];
        }
        return t;
    }

    /** Returns the observed values. */
    public float[][] observedValues() {
        float[][] v = new float[observed.length][];
        for (int i = 0; i < observed.length; i++) {
            v[i] = values[observed[i]];
        }
        return v;
    }

    /** Returns the indices that are not observed. */
    public int[] targets() {
        int[] t = new int[times.length - observed.length];
        int k = 0;
        int o = 0;
        for (int i = 0; i < times.length; i++) {
            if (o < observed.length && observed[o] == i) {
                o++;
            } else {
                t[k++] = i;
            }
        }
        return t;
    }
}
