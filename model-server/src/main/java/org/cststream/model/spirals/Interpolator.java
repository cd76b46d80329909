package org.cststream.model.spirals;

import java.util.ArrayList;
import java.util.List;

/**
 * A method that estimates a curve's values at times where it was not observed, given the values at
 * the times where it was.
 *
 * <p>Linear and cubic-spline interpolation and the neural models (CST, the BERT-style Transformer)
 * all implement this, so that {@link SpiralsBenchmark} scores them the same way. A caller first
 * calls {@link #fit} once on a split, then {@link #predict} or {@link #predictAll} as often as it
 * likes. Times are in the data's units (for the spirals, {@code [0, 1]}); values are in the data's
 * units.
 */
public interface Interpolator {

    /** Returns a short name for tables and legends, e.g. {@code "linear"}; unique in a run. */
    String name();

    /**
     * Prepares the method on the training curves of a split; a method without parameters does
     * nothing.
     *
     * <p>The paper's protocol trains on the observed points only: a model should read {@link
     * SpiralSplit.Curve#observed()} of {@link SpiralSplit#train()} (which carry the split's noise)
     * and may hold some of those curves back for early stopping. It must not read {@link
     * SpiralSplit#test()}. {@link SpiralsBenchmark} calls this once per noise level.
     *
     * @param data the split to train on
     * @param seed seed for every random choice the training makes; the same seed on the same split
     *     gives the same model
     * @param progress receives a report per training step (e.g. per epoch); {@link
     *     Progress#silent()} to report nothing
     */
    void fit(SpiralSplit data, long seed, Progress progress);

    /**
     * Estimates one curve's values at the query times.
     *
     * @param observedTimes times of the observations, strictly increasing, at least one
     * @param observedValues one row per observed time, each with the same number of coordinates (2
     *     for the spirals)
     * @param queryTimes times to estimate, in any order; may lie outside the observed times
     * @return one row per query time, with as many coordinates as the observations have
     * @throws IllegalArgumentException if the arguments break the rules above; see {@link
     *     Query#check}
     */
    double[][] predict(double[] observedTimes, double[][] observedValues, double[] queryTimes);

    /**
     * Estimates many curves at once. The default calls {@link #predict} per query; a neural model
     * overrides it to run the queries in batches.
     *
     * @param queries the curves to estimate
     * @return one result per query, in the same order, each as {@link #predict} returns it
     */
    default List<double[][]> predictAll(List<Query> queries) {
        List<double[][]> out = new ArrayList<>(queries.size());
        for (Query q : queries) {
            out.add(predict(q.observedTimes(), q.observedValues(), q.queryTimes()));
        }
        return out;
    }

    /**
     * The arguments of one {@link #predict} call. The arrays are not copied; do not change them
     * while the query is in use.
     *
     * @param observedTimes times of the observations, strictly increasing
     * @param observedValues one row per observed time
     * @param queryTimes times to estimate
     */
    record Query(double[] observedTimes, double[][] observedValues, double[] queryTimes) {

        /** Checks the arguments; see {@link #check}. */
        public Query {
            check(observedTimes, observedValues, queryTimes);
        }

        /** Returns the number of coordinates per point. */
        public int dimensions() {
            return observedValues[0].length;
        }

        /**
         * Checks the arguments of {@link Interpolator#predict}.
         *
         * @throws IllegalArgumentException if there are no observations, the numbers of times and
         *     rows differ, rows differ in length or are empty, the observed times are not strictly
         *     increasing, or a time or value is not finite; the message names the argument, the
         *     index and the value found
         */
        public static void check(
                double[] observedTimes, double[][] observedValues, double[] queryTimes) {
            if (observedTimes == null || observedValues == null || queryTimes == null) {
                throw new IllegalArgumentException(
                        "observedTimes, observedValues and queryTimes must not be null");
            }
            if (observedTimes.length == 0) {
                throw new IllegalArgumentException("observedTimes is empty; need 1 or more");
            }
            if (observedValues.length != observedTimes.length) {
                throw new IllegalArgumentException(
                        "observedValues has "
                                + observedValues.length
                                + " rows but observedTimes has "
                                + observedTimes.length
                                + " times; need one row per time");
            }
            int dims = observedValues[0].length;
            if (dims == 0) {
                throw new IllegalArgumentException("observedValues rows are empty");
            }
            for (int i = 0; i < observedTimes.length; i++) {
                if (!Double.isFinite(observedTimes[i])) {
                    throw new IllegalArgumentException(
                            "observedTimes[" + i + "] = " + observedTimes[i] + " is not finite");
                }
                if (i > 0 && observedTimes[i] <= observedTimes[i - 1]) {
                    throw new IllegalArgumentException(
                            "observedTimes must be strictly increasing, but observedTimes["
                                    + i
                                    + "] = "
                                    + observedTimes[i]
                                    + " <= observedTimes["
                                    + (i - 1)
                                    + "] = "
                                    + observedTimes[i - 1]);
                }
                if (observedValues[i].length != dims) {
                    throw new IllegalArgumentException(
                            "observedValues["
                                    + i
                                    + "] has "
                                    + observedValues[i].length
                                    + " coordinates but row 0 has "
                                    + dims);
                }
                for (int d = 0; d < dims; d++) {
                    if (!Double.isFinite(observedValues[i][d])) {
                        throw new IllegalArgumentException(
                                "observedValues["
                                        + i
                                        + "]["
                                        + d
                                        + "] = "
                                        + observedValues[i][d]
                                        + " is not finite");
                    }
                }
            }
            for (int i = 0; i < queryTimes.length; i++) {
                if (!Double.isFinite(queryTimes[i])) {
                    throw new IllegalArgumentException(
                            "queryTimes[" + i + "] = " + queryTimes[i] + " is not finite");
                }
            }
        }
    }
}
