package org.cststream.model;

/**
 * How values are scaled before they enter the model: per value dimension, {@code (x - mean) / std}.
 * Saved with the model so inference scales exactly as training did.
 */
public class Normalisation {
    public float[] mean = new float[0];
    public float[] std = new float[0];

    public Normalisation() {}

    /** Returns the identity scaling for {@code dims} values. */
    public static Normalisation identity(int dims) {
        Normalisation n = new Normalisation();
        n.mean = new float[dims];
        n.std = new float[dims];
        java.util.Arrays.fill(n.std, 1f);
        return n;
    }

    /**
     * Returns the scaling fitted to rows of values; a dimension with no spread keeps std 1.
     *
     * @param rows values, one row per token
     */
    public static Normalisation fit(float[][] rows) {
        int dims = rows[0].length;
        Normalisation n = identity(dims);
        double[] sum = new double[dims];
        double[] sq = new double[dims];
        for (float[] r : rows) {
            for (int d = 0; d < dims; d++) {
                sum[d] += r[d];
                sq[d] += (double) r[d] * r[d];
            }
        }
        for (int d = 0; d < dims; d++) {
            double m = sum[d] / rows.length;
            double var = sq[d] / rows.length - m * m;
            n.mean[d] = (float) m;
            n.std[d] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
        }
        return n;
    }

    /** Scales one value of dimension {@code d} into model units. */
    public float apply(float x, int d) {
        return (x - mean[d]) / std[d];
    }

    /** Scales one model output of dimension {@code d} back to data units. */
    public float invert(float y, int d) {
        return y * std[d] + mean[d];
    }
}
