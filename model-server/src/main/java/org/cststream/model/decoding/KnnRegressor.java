package org.cststream.model.decoding;

/**
 * K-nearest-neighbour regression: the prediction at a point is the mean label of the {@code k}
 * training points nearest to it (Euclidean distance, equal weights). Of points at the same
 * distance, the one that came first in training wins, so predictions never depend on sort
 * stability.
 */
public final class KnnRegressor {
    private final double[][] points;
    private final double[] labels;
    private final int neighbours;

    /**
     * @param points training points, n x dims (n 1 or more; dims 0 or more, all rows equal)
     * @param labels one finite label per point
     * @param neighbours k, 1 or more; with fewer than k points, all of them are used
     */
    public KnnRegressor(double[][] points, double[] labels, int neighbours) {
        if (points.length == 0 || points.length != labels.length) {
            throw new IllegalArgumentException(
                    points.length
                            + " training points with "
                            + labels.length
                            + " labels; need 1 or more points, one label each");
        }
        if (neighbours < 1) {
            throw new IllegalArgumentException("k = " + neighbours + " neighbours; need 1 or more");
        }
        int dims = points[0].length;
        for (int i = 0; i < points.length; i++) {
            if (points[i].length != dims) {
                throw new IllegalArgumentException(
                        "training point "
                                + i
                                + " has "
                                + points[i].length
                                + " dims; point 0 has "
                                + dims);
            }
            if (!Double.isFinite(labels[i])) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i]);
            }
        }
        this.points = points;
        this.labels = labels;
        this.neighbours = neighbours;
    }

    /** Returns the mean label of the {@code k} training points nearest to {@code x}. */
    public double predict(double[] x) {
        if (x.length != dims()) {
            throw new IllegalArgumentException(
                    "point of " + x.length + " dims; the regressor was fitted to " + dims());
        }
        int k = Math.min(neighbours, points.length);
        // the k best so far, nearest first; insertion keeps ties in training order
        double[] best = new double[k];
        int[] index = new int[k];
        java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(index, -1);
        for (int i = 0; i < points.length; i++) {
            double[] p = points[i];
            double d = 0;
            for (int j = 0; j < x.length; j++) {
                double t = p[j] - x[j];
                d += t * t;
            }
            if (d >= best[k - 1] && index[k - 1] >= 0) {
                continue;
            }
            int at = k - 1;
            while (at > 0 && (index[at - 1] < 0 || d < best[at - 1])) {
                best[at] = best[at - 1];
                index[at] = index[at - 1];
                at--;
            }
            best[at] = d;
            index[at] = i;
        }
        double sum = 0;
        for (int i : index) {
            sum += labels[i];
        }
        return sum / k;
    }

    /** Returns the number of dimensions of a point. */
    public int dims() {
        return points[0].length;
    }

    /** Returns k. */
    public int neighbours() {
        return neighbours;
    }

    /** Returns the training points, n x dims. */
    public double[][] points() {
        return points;
    }

    /** Returns the training labels. */
    public double[] labels() {
        return labels;
    }
}
