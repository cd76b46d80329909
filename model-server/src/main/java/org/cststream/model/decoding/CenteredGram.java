package org.cststream.model.decoding;

/**
 * The inner products of samples after subtracting their mean: {@code G[i][j] = (x_i - m) . (x_j -
 * m)}, an n x n matrix in double precision. When there are far fewer samples than features (500
 * windows of 40,000 or more values each), PCA works on this matrix instead of the features'
 * covariance: both have the same non-zero eigenvalues, and the principal directions follow from the
 * Gram matrix's eigenvectors.
 *
 * <p>The inner products of the same samples centred on the mean of any subset (a training split)
 * follow from this matrix alone ({@link #centredOn}), so repeated splits need one pass over the
 * features.
 */
public final class CenteredGram {
    /**
     * Features per block while multiplying: 2048 doubles of a row stay in the first-level cache.
     */
    private static final int BLOCK = 2048;

    private final float[] mean;
    private final double[][] gram;

    private CenteredGram(float[] mean, double[][] gram) {
        this.mean = mean;
        this.gram = gram;
    }

    /**
     * Computes the matrix of {@code samples}, n x d, with n x n x d / 2 multiply-adds.
     *
     * @param samples 1 or more rows of the same length, 1 or more
     * @throws IllegalArgumentException if rows differ in length or hold NaN or infinity
     */
    public static CenteredGram of(float[][] samples) {
        int n = samples.length;
        int d = checkRows(samples);
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            float[] x = samples[i];
            for (int f = 0; f < d; f++) {
                sum[f] += x[f];
            }
        }
        float[] mean = new float[d];
        for (int f = 0; f < d; f++) {
            mean[f] = (float) (sum[f] / n);
        }
        double[][] g = new double[n][n];
        double[][] block = new double[n][];
        for (int from = 0; from < d; from += BLOCK) {
            int to = Math.min(d, from + BLOCK);
            int w = to - from;
            for (int i = 0; i < n; i++) {
                double[] b = block[i] != null && block[i].length == w ? block[i] : new double[w];
                float[] x = samples[i];
                for (int f = 0; f < w; f++) {
                    b[f] = (double) x[from + f] - mean[from + f];
                }
                block[i] = b;
            }
            for (int i = 0; i < n; i++) {
                double[] a = block[i];
                double[] gi = g[i];
                for (int j = i; j < n; j++) {
                    double[] b = block[j];
                    double s = 0;
                    for (int f = 0; f < w; f++) {
                        s += a[f] * b[f];
                    }
                    gi[j] += s;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                g[i][j] = g[j][i];
            }
        }
        return new CenteredGram(mean, g);
    }

    /** Returns the number of samples n. */
    public int size() {
        return gram.length;
    }

    /** Returns the mean of all samples, one value per feature. */
    public float[] mean() {
        return mean;
    }

    /** Returns {@code (x_i - m) . (x_j - m)}. */
    public double get(int i, int j) {
        return gram[i][j];
    }

    /**
     * Returns the inner products of every sample with every sample of {@code subset}, both centred
     * on the subset's mean: row i (0..n-1) holds {@code (x_i - m_S) . (x_j - m_S)} for the subset's
     * samples j in the order given.
     *
     * @param subset indices of the samples whose mean is subtracted, 1 or more
     */
    public double[][] centredOn(int[] subset) {
        int n = gram.length;
        int m = subset.length;
        if (m == 0) {
            throw new IllegalArgumentException("an empty subset has no mean");
        }
        // with a_i = (x_i - m) . (m_S - m) and c = |m_S - m|^2:
        // (x_i - m_S) . (x_j - m_S) = G_ij - a_i - a_j + c
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j : subset) {
                s += gram[i][j];
            }
            a[i] = s / m;
        }
        double c = 0;
        for (int j : subset) {
            c += a[j];
        }
        c /= m;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < m; k++) {
                int j = subset[k];
                out[i][k] = gram[i][j] - a[i] - a[j] + c;
            }
        }
        return out;
    }

    /** Returns the row length, checking that every row has it and holds finite values only. */
    static int checkRows(float[][] samples) {
        if (samples.length == 0 || samples[0].length == 0) {
            throw new IllegalArgumentException(
                    "no samples or no features: need 1 or more rows of 1 or more values");
        }
        int d = samples[0].length;
        for (int i = 0; i < samples.length; i++) {
            if (samples[i].length != d) {
                throw new IllegalArgumentException(
                        "sample "
                                + i
                                + " has "
                                + samples[i].length
                                + " features; sample 0 has "
                                + d);
            }
            for (int f = 0; f < d; f++) {
                if (!Float.isFinite(samples[i][f])) {
                    throw new IllegalArgumentException(
                            "sample " + i + " feature " + f + " is " + samples[i][f]);
                }
            }
        }
        return d;
    }
}
