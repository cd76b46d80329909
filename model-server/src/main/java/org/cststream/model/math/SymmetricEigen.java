package org.cststream.model.math;

/**
 * Eigenvalues and eigenvectors of a small real symmetric matrix by the cyclic Jacobi method: plane
 * rotations that zero one off-diagonal entry each, swept over all pairs until the off-diagonal mass
 * is negligible. Accurate to a few units of machine precision. Fast for the 16..100-sized
 * covariance blocks of the hemodynamic correction's MMSE estimator, where a general library's
 * set-up costs more than the arithmetic, and adequate for the few-hundred-sized Gram matrices of
 * the decoders' PCA (about 10 n^3 multiply-adds).
 */
public final class SymmetricEigen {
    private static final int MAX_SWEEPS = 60;

    /** Eigenvalues, in no particular order ({@link #descending()} sorts them). */
    public final double[] values;

    /** Eigenvectors as columns: {@code vectors[i][k]} is entry i of the k-th eigenvector. */
    public final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /**
     * Decomposes a symmetric matrix; only its upper triangle is read, and it is left unchanged.
     *
     * @param a a square matrix, n x n
     */
    public static SymmetricEigen of(double[][] a) {
        return of(a, true);
    }

    /**
     * Decomposes a symmetric matrix, with or without its eigenvectors (without: {@link #vectors} is
     * null, and the work is about a third less).
     */
    public static SymmetricEigen of(double[][] a, boolean withVectors) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
            for (int j = 0; j < i; j++) {
                m[i][j] = a[j][i];
            }
        }
        // eigenvectors as rows while rotating (row access is contiguous), columns on return
        double[][] vt = withVectors ? new double[n][n] : null;
        for (int i = 0; withVectors && i < n; i++) {
            vt[i][i] = 1;
        }
        double scale = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                scale += m[i][j] * m[i][j];
            }
        }
        // stop when the off-diagonal mass is 1e-24 of the whole (entries about 1e-12 relative)
        double tolerance = 1e-24 * scale + Double.MIN_NORMAL;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    off += m[i][j] * m[i][j];
                }
            }
            if (off <= tolerance) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p][q];
                    // an entry below rounding of both diagonal entries needs no rotation
                    if (Math.abs(apq) <= 1e-17 * (Math.abs(m[p][p]) + Math.abs(m[q][q]))
                            || apq == 0) {
                        continue;
                    }
                    // the rotation that zeroes m[p][q]: tan(2 theta) = 2 apq / (aqq - app)
                    double theta = (m[q][q] - m[p][p]) / (2 * apq);
                    double t =
                            theta == 0
                                    ? 1
                                    : Math.signum(theta)
                                            / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    rotate(m, vt, n, p, q, c, t * c, t);
                }
            }
        }
        double[] values = new double[n];
        double[][] v = withVectors ? new double[n][n] : null;
        for (int i = 0; i < n; i++) {
            values[i] = m[i][i];
            for (int k = 0; withVectors && k < n; k++) {
                v[k][i] = vt[i][k];
            }
        }
        return new SymmetricEigen(values, v);
    }

    /** Returns the indices of {@link #values} from the largest eigenvalue to the smallest. */
    public int[] descending() {
        return java.util.stream.IntStream.range(0, values.length)
                .boxed()
                .sorted((i, j) -> Double.compare(values[j], values[i]))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * Applies the rotation in the (p, q) plane to the symmetric m (rows and columns p and q) and to
     * the eigenvector rows.
     */
    private static void rotate(
            double[][] m, double[][] vt, int n, int p, int q, double c, double s, double t) {
        double[] rp = m[p];
        double[] rq = m[q];
        double apq = rp[q];
        for (int k = 0; k < n; k++) {
            if (k == p || k == q) {
                continue;
            }
            double akp = rp[k];
            double akq = rq[k];
            double np = c * akp - s * akq;
            double nq = s * akp + c * akq;
            rp[k] = np;
            m[k][p] = np;
            rq[k] = nq;
            m[k][q] = nq;
        }
        rp[p] -= t * apq;
        rq[q] += t * apq;
        rp[q] = 0;
        rq[p] = 0;
        if (vt == null) {
            return;
        }
        double[] vp = vt[p];
        double[] vq = vt[q];
        for (int k = 0; k < n; k++) {
            double a = vp[k];
            double b = vq[k];
            vp[k] = c * a - s * b;
            vq[k] = s * a + c * b;
        }
    }
}
