package org.cststream.model.spirals;

import java.util.List;

/**
 * The spirals split by curve into training and held-out curves, with the observed points of every
 * curve (noisy when the split asks for noise) and the true values everywhere.
 *
 * <p>Arrays are shared, not copied, so that a split of 500 curves costs one copy of the data; do
 * not change them.
 *
 * @param times the time of each of the curve's points, evenly spaced on {@code [0, 1]}
 * @param observedIndices indices into {@code times} of the observed points, increasing
 * @param targetIndices indices of the other points, the interpolation targets, increasing
 * @param train the training curves (70% of the data set)
 * @param test the held-out curves (the other 30%), scored by {@link SpiralsBenchmark}
 * @param noiseFraction the noise on the observed points as a fraction of the data scale, 0 for none
 * @param noiseStd the standard deviation of that noise in data units: {@code noiseFraction x
 *     dataScale}
 * @param dataScale the data scale, see {@link SpiralsDataset#dataScale()}
 * @param seed the seed of the shuffle that made the split
 */
public record SpiralSplit(
        double[] times,
        int[] observedIndices,
        int[] targetIndices,
        List<Curve> train,
        List<Curve> test,
        double noiseFraction,
        double noiseStd,
        double dataScale,
        long seed) {

    /** Makes the curve lists unmodifiable. */
    public SpiralSplit {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /** Returns the times of the observed points. */
    public double[] observedTimes() {
        return select(times, observedIndices);
    }

    /** Returns the times of the interpolation targets. */
    public double[] targetTimes() {
        return select(times, targetIndices);
    }

    /**
     * Returns the question "this curve, from its observed points, at these times".
     *
     * @param curve a curve of this split
     * @param queryTimes times to estimate
     */
    public Interpolator.Query query(Curve curve, double[] queryTimes) {
        return new Interpolator.Query(observedTimes(), curve.observed(), queryTimes);
    }

    private static double[] select(double[] values, int[] indices) {
        double[] out = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = values[indices[i]];
        }
        return out;
    }

    /**
     * One curve of a split.
     *
     * @param index the curve's position in the data set (the first axis of the {@code .npy})
     * @param values the true values, one row per point of {@link SpiralSplit#times()}, never noisy
     * @param observed the values at {@link SpiralSplit#observedIndices()}, one row per observed
     *     point, with the split's noise added
     */
    public record Curve(int index, double[][] values, double[][] observed) {

        /**
         * Returns the true values at the given point indices.
         *
         * @param indices indices into {@link #values()}
         */
        public double[][] valuesAt(int[] indices) {
            double[][] out = new double[indices.length][];
            for (int i = 0; i < indices.length; i++) {
                out[i] = values[indices[i]];
            }
            return out;
        }
    }
}
