package org.cststream.model.decoding;

import org.cststream.model.math.SymmetricEigen;

/**
 * Principal component analysis: the samples' mean and their directions of largest variance, and the
 * projection of a sample onto those directions.
 *
 * <p>With fewer samples than features (the usual case for windows of a recording) the directions
 * come from the n x n Gram matrix of the centred samples ({@link CenteredGram}): if {@code u} is
 * its eigenvector with eigenvalue {@code l}, the principal direction is {@code X^T u / sqrt(l)},
 * where X holds the centred samples as rows. Otherwise they are the eigenvectors of the d x d
 * covariance. Both are exact; the eigendecomposition is {@link SymmetricEigen}, so the smaller of n
 * and d must stay below {@value #MAX_EIGEN_SIZE}. A direction's sign is arbitrary, which does not
 * change distances between projections.
 */
public final class Pca {
    /** Largest matrix the eigendecomposition is asked to take (its cost grows as the cube). */
    public static final int MAX_EIGEN_SIZE = 3000;

    private final float[] mean;
    private final float[][] components;
    private final double[] variances;
    private final double totalVariance;

    /**
     * A fitted PCA, e.g. read back from a file.
     *
     * @param mean the samples' mean, one value per feature
     * @param components unit directions, k x features, largest variance first
     * @param variances the samples' variance along each direction (population variance)
     * @param totalVariance the samples' total variance, the sum over all features
     */
    public Pca(float[] mean, float[][] components, double[] variances, double totalVariance) {
        if (components.length != variances.length) {
            throw new IllegalArgumentException(
                    components.length
                            + " components with "
                            + variances.length
                            + " variances; need one variance per component");
        }
        for (int c = 0; c < components.length; c++) {
            if (components[c].length != mean.length) {
                throw new IllegalArgumentException(
                        "component "
                                + c
                                + " has "
                                + components[c].length
                                + " features; the mean has "
                                + mean.length);
            }
        }
        this.mean = mean;
        this.components = components;
        this.variances = variances;
        this.totalVariance = totalVariance;
    }

    /**
     * Fits at most {@code components} directions to {@code samples}. Fewer come back when the
     * samples span fewer dimensions (directions of no variance are left out).
     *
     * @param samples n x d, 2 or more rows of equal length, finite values
     * @param components directions wanted, 1 or more
     * @throws IllegalArgumentException if both n and d exceed {@value #MAX_EIGEN_SIZE}
     */
    public static Pca fit(float[][] samples, int components) {
        int d = CenteredGram.checkRows(samples);
        int n = samples.length;
        checkComponents(components);
        if (n <= d || d > MAX_EIGEN_SIZE) {
            return fit(samples, CenteredGram.of(samples), components);
        }
        return fitCovariance(samples, components);
    }

    /**
     * Fits at most {@code components} directions from the samples' Gram matrix, already computed.
     *
     * @param samples the samples the matrix was computed from
     * @param gram their centred Gram matrix
     * @param components directions wanted, 1 or more
     */
    public static Pca fit(float[][] samples, CenteredGram gram, int components) {
        int n = samples.length;
        checkComponents(components);
        if (gram.size() != n) {
            throw new IllegalArgumentException(
                    "Gram matrix of " + gram.size() + " samples for " + n + " samples");
        }
        checkEigenSize(n, samples[0].length);
        double[][] g = new double[n][n];
        double trace = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i][j] = gram.get(i, j);
            }
            trace += g[i][i];
        }
        SymmetricEigen eig = SymmetricEigen.of(g);
        int[] keep = kept(eig, trace, components);
        float[] mean = gram.mean();
        int d = mean.length;
        float[][] dirs = new float[keep.length][];
        double[] variances = new double[keep.length];
        for (int c = 0; c < keep.length; c++) {
            int k = keep[c];
            double scale = 1 / Math.sqrt(eig.values[k]);
            double[] v = new double[d];
            for (int j = 0; j < n; j++) {
                double u = eig.vectors[j][k] * scale;
                float[] x = samples[j];
                for (int f = 0; f < d; f++) {
                    v[f] += u * (x[f] - mean[f]);
                }
            }
            dirs[c] = toFloats(v);
            variances[c] = eig.values[k] / n;
        }
        return new Pca(mean, dirs, variances, trace / n);
    }

    private static Pca fitCovariance(float[][] samples, int components) {
        int n = samples.length;
        int d = samples[0].length;
        double[] mean = new double[d];
        for (float[] x : samples) {
            for (int f = 0; f < d; f++) {
                mean[f] += x[f];
            }
        }
        for (int f = 0; f < d; f++) {
            mean[f] /= n;
        }
        double[][] cov = new double[d][d];
        double[] centred = new double[d];
        for (float[] x : samples) {
            for (int f = 0; f < d; f++) {
                centred[f] = x[f] - mean[f];
            }
            for (int f = 0; f < d; f++) {
                double a = centred[f];
                double[] row = cov[f];
                for (int g = f; g < d; g++) {
                    row[g] += a * centred[g];
                }
            }
        }
        double trace = 0;
        for (int f = 0; f < d; f++) {
            trace += cov[f][f];
        }
        SymmetricEigen eig = SymmetricEigen.of(cov);
        int[] keep = kept(eig, trace, components);
        float[][] dirs = new float[keep.length][d];
        double[] variances = new double[keep.length];
        for (int c = 0; c < keep.length; c++) {
            for (int f = 0; f < d; f++) {
                dirs[c][f] = (float) eig.vectors[f][keep[c]];
            }
            variances[c] = eig.values[keep[c]] / n;
        }
        return new Pca(toFloats(mean), dirs, variances, trace / n);
    }

    /** Returns the indices of the largest eigenvalues that carry variance, at most {@code k}. */
    static int[] kept(SymmetricEigen eig, double trace, int k) {
        int[] order = eig.descending();
        double floor = 1e-12 * Math.max(trace, Double.MIN_NORMAL);
        int count = 0;
        while (count < Math.min(k, order.length) && eig.values[order[count]] > floor) {
            count++;
        }
        return java.util.Arrays.copyOf(order, count);
    }

    private static void checkComponents(int components) {
        if (components < 1) {
            throw new IllegalArgumentException(
                    "PCA components = " + components + "; need 1 or more");
        }
    }

    private static void checkEigenSize(int n, int d) {
        if (Math.min(n, d) > MAX_EIGEN_SIZE) {
            throw new IllegalArgumentException(
                    "PCA of "
                            + n
                            + " samples of "
                            + d
                            + " features: both exceed "
                            + MAX_EIGEN_SIZE
                            + "; use fewer samples (windows)");
        }
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    /**
     * Returns the coordinates of {@code x} along each direction: {@code (x - mean) . v_c}.
     *
     * @param x one sample, {@link #features()} values
     */
    public double[] project(float[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException(
                    "sample of " + x.length + " features; the PCA was fitted to " + mean.length);
        }
        double[] out = new double[components.length];
        for (int c = 0; c < components.length; c++) {
            float[] v = components[c];
            double s = 0;
            for (int f = 0; f < x.length; f++) {
                s += ((double) x[f] - mean[f]) * v[f];
            }
            out[c] = s;
        }
        return out;
    }

    /** Returns the number of directions kept. */
    public int components() {
        return components.length;
    }

    /** Returns the number of features per sample. */
    public int features() {
        return mean.length;
    }

    /** Returns the mean the samples are centred on. */
    public float[] mean() {
        return mean;
    }

    /** Returns the directions, largest variance first: components x features. */
    public float[][] directions() {
        return components;
    }

    /** Returns the samples' variance along each direction. */
    public double[] variances() {
        return variances;
    }

    /** Returns the samples' total variance over all features. */
    public double totalVariance() {
        return totalVariance;
    }

    /** Returns the fraction of the total variance the kept directions explain, 0..1. */
    public double explained() {
        double s = 0;
        for (double v : variances) {
            s += v;
        }
        return totalVariance > 0 ? s / totalVariance : 0;
    }
}
