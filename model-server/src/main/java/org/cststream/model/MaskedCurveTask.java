package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The discrete Transformer baseline trained the BERT way on curves: in each sample 30% of the
 * observed points are selected; of those, 80% have their value replaced by a constant (0 in
 * normalised units), 10% by the value of a random point of a random training curve, and 10% are
 * kept; the loss is the mean squared error at the selected points.
 *
 * <p>A value at a new time is read by appending one masked token at that time to the observed
 * points, the way the model was trained; so each query is its own window, and all queries of a call
 * run as one batch.
 */
public final class MaskedCurveTask implements CstTrainer.Task {
    /** The constant that replaces a masked value, in normalised units. */
    public static final float MASK_VALUE = 0f;

    private final List<Curve> train;
    private final List<Curve> validation;
    private final Normalisation norm;

    public MaskedCurveTask(List<Curve> train, List<Curve> validation, CstModel model) {
        this.train = train;
        this.validation = validation;
        this.norm = model.normalisation();
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public CstTrainer.Batch batch(NDManager m, int[] samples, Random random) {
        return batchOf(train, m, samples, random);
    }

    private CstTrainer.Batch batchOf(
            List<Curve> source, NDManager m, int[] samples, Random random) {
        int n = source.get(samples[0]).observed().length;
        int dims = source.get(samples[0]).values()[0].length;
        int selected = Math.max(1, (int) Math.round(0.3 * n));
        float[] values = new float[samples.length * n * dims];
        float[] coords = new float[samples.length * n];
        float[] targets = new float[samples.length * n * dims];
        float[] mask = new float[samples.length * n];
        for (int b = 0; b < samples.length; b++) {
            Curve c = source.get(samples[b]);
            double[] t = c.observedTimes();
            float[][] y = c.observedValues();
            for (int i = 0; i < n; i++) {
                coords[b * n + i] = (float) t[i];
                for (int d = 0; d < dims; d++) {
                    float v = norm.apply(y[i][d], d);
                    targets[(b * n + i) * dims + d] = v;
                    values[(b * n + i) * dims + d] = v;
                }
            }
            for (int i : choose(n, selected, random)) {
                mask[b * n + i] = 1f;
                double u = random.nextDouble();
                for (int d = 0; d < dims; d++) {
                    int at = (b * n + i) * dims + d;
                    if (u < 0.8) {
                        values[at] = MASK_VALUE;
                    } else if (u < 0.9) {
                        Curve other = train.get(random.nextInt(train.size()));
                        float[] any = other.values()[other.observed()[random.nextInt(n)]];
                        values[at] = norm.apply(any[d], d);
                    }
                }
            }
        }
        NDArray v = Tensors.of(m, values, new Shape(samples.length, n, dims));
        NDArray x = Tensors.of(m, coords, new Shape(samples.length, n, 1));
        NDArray target = Tensors.of(m, targets, new Shape(samples.length, n, dims));
        NDArray weights = Tensors.of(m, mask, new Shape(samples.length, n, 1));
        float count = samples.length * selected * dims;
        return new CstTrainer.Batch(
                new NDList(v, x),
                out ->
                        out.head()
                                .sub(target)
                                .square()
                                .mul(weights)
                                .sum()
                                .mul(Tensors.scalar(target, 1 / count)));
    }

    private static int[] choose(int n, int k, Random random) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, random);
        return all.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
    }

    /** Returns the masked loss on the validation curves, masks drawn from a fixed seed. */
    @Override
    public double validate(CstModel model) {
        return CurveTask.validationLoss(model, validation, this::batchOf);
    }

    /** Returns the model's values at {@code queryTimes}, one masked query token per window. */
    public static float[][] predict(
            CstPredictor predictor,
            Normalisation norm,
            double[] times,
            float[][] values,
            double[] queryTimes) {
        int n = times.length;
        int dims = values[0].length;
        List<CstPredictor.Window> windows = new ArrayList<>();
        for (double q : queryTimes) {
            float[][] v = new float[n + 1][];
            float[][] x = new float[n + 1][1];
            for (int i = 0; i < n; i++) {
                v[i] = values[i];
                x[i][0] = (float) times[i];
            }
            // the mask constant in normalised units, written in data units for the predictor
            v[n] = new float[dims];
            for (int d = 0; d < dims; d++) {
                v[n][d] = norm.invert(MASK_VALUE, d);
            }
            x[n][0] = (float) q;
            windows.add(new CstPredictor.Window(v, x));
        }
        List<CstPredictor.Prediction> out = predictor.predict(windows, false);
        float[][] result = new float[queryTimes.length][];
        for (int q = 0; q < queryTimes.length; q++) {
            result[q] = out.get(q).values()[n];
        }
        return result;
    }
}
