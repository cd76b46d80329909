package org.cststream.model.decoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cststream.model.math.SymmetricEigen;

/**
 * Scores a decoder (PCA to a few components, then K-nearest-neighbour regression) on samples with
 * known labels, as the CST paper does: the samples are split into training and test sets several
 * times; for each split PCA and the regressor are fitted on the training samples alone and the test
 * samples' labels predicted; MSE and R2 over the test samples are averaged over the splits.
 *
 * <p>The features are read once, into their centred Gram matrix ({@link CenteredGram}); each
 * split's PCA is the eigendecomposition of the training samples' block of it, and a sample's
 * coordinates are its inner products with the training samples, so a split costs an
 * eigendecomposition of the training size and no pass over the features. The result equals fitting
 * {@link Pca} on the training samples and projecting (up to the directions' signs, which distances
 * ignore).
 */
public final class DecoderEvaluation {
    /**
     * One split of the samples.
     *
     * @param train indices of the training samples, increasing
     * @param test indices of the test samples, increasing
     */
    public record Split(int[] train, int[] test) {}

    /**
     * The score on one split's test samples.
     *
     * @param mse mean squared error, label units squared
     * @param r2 coefficient of determination: 1 - squared error / the test labels' variance about
     *     their mean (1 for a perfect decoder, 0 for one no better than the test mean; 0 when the
     *     test labels are constant and the decoder is not exact)
     */
    public record Score(double mse, double r2) {}

    /**
     * Scores over every split: mean and population standard deviation.
     *
     * @param scores one per split, in split order
     */
    public record Summary(
            double mseMean, double mseStd, double r2Mean, double r2Std, List<Score> scores) {

        static Summary of(List<Score> scores) {
            double[] mse = scores.stream().mapToDouble(Score::mse).toArray();
            double[] r2 = scores.stream().mapToDouble(Score::r2).toArray();
            return new Summary(mean(mse), std(mse), mean(r2), std(r2), List.copyOf(scores));
        }
    }

    /**
     * The evaluation of one or more targets on the same samples and splits.
     *
     * @param summaries one per target, in target order
     * @param predictions per target and split, the test samples' predictions in the split's test
     *     order
     * @param components PCA directions kept per split (fewer than asked when the training samples
     *     span fewer dimensions)
     */
    public record Outcome(List<Summary> summaries, double[][][] predictions, int[] components) {}

    private final CenteredGram gram;

    private DecoderEvaluation(CenteredGram gram) {
        this.gram = gram;
    }

    /**
     * Reads the features of every sample (n x n x d / 2 multiply-adds).
     *
     * @param features n x d, finite, rows of equal length
     */
    public static DecoderEvaluation of(float[][] features) {
        return new DecoderEvaluation(CenteredGram.of(features));
    }

    /** Returns the centred Gram matrix of the features, e.g. to fit the final PCA on it. */
    public CenteredGram gram() {
        return gram;
    }

    /**
     * Returns {@code repeats} random splits of n samples with {@code trainFraction} of them
     * (rounded) for training; split r shuffles with {@code new Random(seed + r)}, so the same
     * arguments give the same splits on every machine.
     */
    public static List<Split> randomSplits(int n, double trainFraction, int repeats, long seed) {
        int train = trainCount(n, trainFraction, repeats);
        List<Split> out = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Random random = new Random(seed + r);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int[] tr = Arrays.copyOf(order, train);
            int[] te = Arrays.copyOfRange(order, train, n);
            Arrays.sort(tr);
            Arrays.sort(te);
            out.add(new Split(tr, te));
        }
        return out;
    }

    /**
     * Returns {@code repeats} splits of n samples in time order whose test set is one contiguous
     * block of {@code 1 - trainFraction} of them, the blocks' starts spread evenly from the first
     * sample to the last possible one; the training set is every other sample except {@code guard}
     * samples on each side of the block. Samples that overlap in time (windows sharing frames) are
     * then never on both sides of a split, which random splits cannot promise.
     *
     * @param guard samples left out on each side of the test block, 0 or more
     */
    public static List<Split> blockSplits(int n, double trainFraction, int repeats, int guard) {
        int train = trainCount(n, trainFraction, repeats);
        if (guard < 0) {
            throw new IllegalArgumentException("guard = " + guard + " samples; need 0 or more");
        }
        int test = n - train;
        List<Split> out = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            int start =
                    repeats == 1
                            ? n - test
                            : (int) Math.round((double) r * (n - test) / (repeats - 1));
            int[] te = new int[test];
            for (int i = 0; i < test; i++) {
                te[i] = start + i;
            }
            int[] tr =
                    java.util.stream.IntStream.range(0, n)
                            .filter(i -> i < start - guard || i >= start + test + guard)
                            .toArray();
            if (tr.length == 0) {
                throw new IllegalArgumentException(
                        "a guard of "
                                + guard
                                + " samples leaves no training sample of "
                                + n
                                + "; use more samples or a smaller guard");
            }
            out.add(new Split(tr, te));
        }
        return out;
    }

    private static int trainCount(int n, double trainFraction, int repeats) {
        if (!(trainFraction > 0 && trainFraction < 1) || repeats < 1) {
            throw new IllegalArgumentException(
                    "training fraction "
                            + trainFraction
                            + " and "
                            + repeats
                            + " repeats; need a fraction in (0, 1) and 1 or more repeats");
        }
        int train = (int) Math.round(trainFraction * n);
        if (train < 1 || train >= n) {
            throw new IllegalArgumentException(
                    n
                            + " samples with a training fraction of "
                            + trainFraction
                            + " leave no training or no test sample; need more samples");
        }
        return train;
    }

    /**
     * Fits and scores the decoder on every split, for every target.
     *
     * @param labels targets x n: each target's label of every sample, finite
     * @param splits the splits
     * @param components PCA directions, 1 or more
     * @param neighbours k of the regressor, 1 or more
     */
    public Outcome evaluate(double[][] labels, List<Split> splits, int components, int neighbours) {
        int n = gram.size();
        for (int t = 0; t < labels.length; t++) {
            if (labels[t].length != n) {
                throw new IllegalArgumentException(
                        "target "
                                + t
                                + " has "
                                + labels[t].length
                                + " labels for "
                                + n
                                + " samples");
            }
        }
        double[][][] predictions = new double[labels.length][splits.size()][];
        List<List<Score>> scores = new ArrayList<>();
        for (int t = 0; t < labels.length; t++) {
            scores.add(new ArrayList<>());
        }
        int[] kept = new int[splits.size()];
        for (int s = 0; s < splits.size(); s++) {
            Split split = splits.get(s);
            double[][] coords = project(split.train(), components);
            kept[s] = coords[0].length;
            double[][] trainPoints = new double[split.train().length][];
            for (int i = 0; i < trainPoints.length; i++) {
                trainPoints[i] = coords[split.train()[i]];
            }
            for (int t = 0; t < labels.length; t++) {
                double[] y = new double[split.train().length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = labels[t][split.train()[i]];
                }
                KnnRegressor knn = new KnnRegressor(trainPoints, y, neighbours);
                double[] truth = new double[split.test().length];
                double[] predicted = new double[split.test().length];
                for (int i = 0; i < truth.length; i++) {
                    truth[i] = labels[t][split.test()[i]];
                    predicted[i] = knn.predict(coords[split.test()[i]]);
                }
                predictions[t][s] = predicted;
                scores.get(t).add(score(truth, predicted));
            }
        }
        List<Summary> summaries = new ArrayList<>();
        for (List<Score> s : scores) {
            summaries.add(Summary.of(s));
        }
        return new Outcome(summaries, predictions, kept);
    }

    /**
     * Returns every sample's coordinates along the principal directions of the {@code train}
     * samples: n x (at most) components.
     */
    double[][] project(int[] train, int components) {
        int n = gram.size();
        int m = train.length;
        double[][] centred = gram.centredOn(train);
        double[][] k = new double[m][m];
        double trace = 0;
        for (int a = 0; a < m; a++) {
            k[a] = centred[train[a]].clone();
            trace += k[a][a];
        }
        SymmetricEigen eig = SymmetricEigen.of(k);
        int[] keep = Pca.kept(eig, trace, components);
        double[][] out = new double[n][keep.length];
        for (int c = 0; c < keep.length; c++) {
            int e = keep[c];
            double scale = 1 / Math.sqrt(eig.values[e]);
            for (int i = 0; i < n; i++) {
                double s = 0;
                double[] row = centred[i];
                for (int a = 0; a < m; a++) {
                    s += eig.vectors[a][e] * row[a];
                }
                out[i][c] = s * scale;
            }
        }
        return out;
    }

    /** Returns MSE and R2 of predictions against the truth. */
    public static Score score(double[] truth, double[] predicted) {
        if (truth.length == 0 || truth.length != predicted.length) {
            throw new IllegalArgumentException(
                    truth.length + " labels for " + predicted.length + " predictions");
        }
        double mean = mean(truth);
        double residual = 0;
        double total = 0;
        for (int i = 0; i < truth.length; i++) {
            double e = truth[i] - predicted[i];
            residual += e * e;
            double v = truth[i] - mean;
            total += v * v;
        }
        double r2 = total > 0 ? 1 - residual / total : residual == 0 ? 1 : 0;
        return new Score(residual / truth.length, r2);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length == 0 ? Double.NaN : Math.sqrt(s / v.length);
    }
}
