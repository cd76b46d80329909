package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CST training on curves: each sample is one curve's observed points plus dummy points in between,
 * trained with the {@link SobolevLoss}.
 *
 * <p>Dummy times lie on a regular grid over the observed range with a random phase drawn each step,
 * so they are spread evenly, differ from step to step, and can be differenced in time; a dummy
 * closer than 1e-6 to an observed time is moved off it, so none collides with a real one. Dummy
 * values start as the linear interpolation of the (noisy) observations, held constant beyond the
 * ends. Gaussian noise of {@code inputNoise} (normalised units) is added to the observed input
 * values every step; the data term compares with the observations as given.
 *
 * <p>Held-out points (a departure from the paper, see {@link Settings#heldOut}): in each batch up
 * to {@code heldOut} of a curve's observations are taken out of the input and asked for as query
 * tokens at their times, initialised like dummies; the data term covers them too. Their noise is
 * independent of the input's, so the model learns the expected value of the curve between
 * observations rather than a copy of its input, which is what interpolation from noisy points
 * needs.
 *
 * <p>Token layout of a sample: the observations kept, then the held-out points, then the dummies.
 * The third model input flags the kept observations.
 */
public final class CurveTask implements CstTrainer.Task {
    /**
     * How samples are made.
     *
     * @param dummies dummy points per sample (>= 2 for derivatives)
     * @param inputNoise std of the noise on input values, in normalised units (>= 0)
     * @param heldOut most observations per curve held out of the input and predicted (0 for the
     *     paper's training; less than the observation count); each batch draws a count from 0 to
     *     this, uniformly
     * @param loss the Sobolev loss
     */
    public record Settings(int dummies, float inputNoise, int heldOut, SobolevLoss loss) {
        public Settings {
            if (dummies < 2 || !(inputNoise >= 0) || heldOut < 0) {
                throw new IllegalArgumentException(
                        "curve task needs dummies >= 2, inputNoise >= 0, heldOut >= 0; got"
                                + " dummies="
                                + dummies
                                + " inputNoise="
                                + inputNoise
                                + " heldOut="
                                + heldOut);
            }
        }
    }

    private final List<Curve> train;
    private final List<Curve> validation;
    private final Normalisation norm;
    private final Settings settings;

    public CurveTask(List<Curve> train, List<Curve> validation, CstModel model, Settings settings) {
        this.train = train;
        this.validation = validation;
        this.norm = model.normalisation();
        this.settings = settings;
        int n = train.get(0).observed().length;
        if (settings.heldOut() >= n - 1) {
            throw new IllegalArgumentException(
                    "heldOut = "
                            + settings.heldOut()
                            + " leaves fewer than 2 of a curve's "
                            + n
                            + " observations in the input; need heldOut <= "
                            + (n - 2));
        }
    }

    /** As {@link #CurveTask(List, List, CstModel, Settings)} without held-out points. */
    public CurveTask(
            List<Curve> train,
            List<Curve> validation,
            CstModel model,
            int dummies,
            float inputNoise,
            SobolevLoss loss) {
        this(train, validation, model, new Settings(dummies, inputNoise, 0, loss));
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
        int dummies = settings.dummies();
        int held = random.nextInt(settings.heldOut() + 1);
        int kept = n - held;
        int tokens = n + dummies;
        float[] values = new float[samples.length * tokens * dims];
        float[] coords = new float[samples.length * tokens];
        float[] observed = new float[samples.length * tokens];
        float[] targets = new float[samples.length * n * dims];
        double spacingSum = 0;
        for (int b = 0; b < samples.length; b++) {
            Curve c = source.get(samples[b]);
            double[] t = c.observedTimes();
            float[][] y = c.observedValues();
            // the observations kept in the input, in time order, then the held-out ones
            int[] order = heldOutLast(n, held, random);
            double[] keptTimes = new double[kept];
            float[][] keptNoisy = new float[kept][dims];
            double[] queryTimes = new double[held + dummies];
            int base = b * tokens;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                for (int d = 0; d < dims; d++) {
                    float v = norm.apply(y[i][d], d);
                    targets[(b * n + k) * dims + d] = v;
                    if (k < kept) {
                        keptNoisy[k][d] =
                                v + (float) (random.nextGaussian() * settings.inputNoise());
                    }
                }
                if (k < kept) {
                    keptTimes[k] = t[i];
                    observed[base + k] = 1f;
                } else {
                    queryTimes[k - kept] = t[i];
                }
                coords[base + k] = (float) t[i];
            }
            double[] dummyTimes = dummyTimes(t, random);
            System.arraycopy(dummyTimes, 0, queryTimes, held, dummies);
            spacingSum += (t[n - 1] - t[0]) / dummies / ((t[n - 1] - t[0]) / (n - 1));
            float[][] init = TimeInterpolation.linear(keptTimes, keptNoisy, queryTimes);
            for (int k = 0; k < kept; k++) {
                System.arraycopy(keptNoisy[k], 0, values, (base + k) * dims, dims);
            }
            for (int j = 0; j < held + dummies; j++) {
                coords[base + kept + j] = (float) queryTimes[j];
                System.arraycopy(init[j], 0, values, (base + kept + j) * dims, dims);
            }
        }
        float spacing = (float) (spacingSum / samples.length);
        NDArray v = Tensors.of(m, values, new Shape(samples.length, tokens, dims));
        NDArray x = Tensors.of(m, coords, new Shape(samples.length, tokens, 1));
        NDArray mask = Tensors.of(m, observed, new Shape(samples.length, tokens));
        NDArray target = Tensors.of(m, targets, new Shape(samples.length, n, dims));
        SobolevLoss loss = settings.loss();
        return new CstTrainer.Batch(
                new NDList(v, x, mask),
                out -> {
                    NDArray y = out.head();
                    return loss.compute(
                            y.get(":, 0:" + n + ", :"), target, y.get(":, " + n + ":, :"), spacing);
                });
    }

    /**
     * Returns the indices 0..n-1 with {@code held} of them, drawn at random, moved to the end; the
     * others stay in increasing order. The first and last observations are held out like any other:
     * a query beyond the kept ones starts from the nearest kept value.
     */
    private static int[] heldOutLast(int n, int held, Random random) {
        boolean[] out = new boolean[n];
        for (int chosen = 0; chosen < held; ) {
            int i = random.nextInt(n);
            if (!out[i]) {
                out[i] = true;
                chosen++;
            }
        }
        int[] order = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!out[i]) {
                order[k++] = i;
            }
        }
        for (int i = 0; i < n; i++) {
            if (out[i]) {
                order[k++] = i;
            }
        }
        return order;
    }

    private double[] dummyTimes(double[] observed, Random random) {
        double from = observed[0];
        double span = observed[observed.length - 1] - from;
        int dummies = settings.dummies();
        double h = span / dummies;
        double phase = random.nextDouble();
        double[] t = new double[dummies];
        for (int j = 0; j < dummies; j++) {
            double v = from + (j + phase) * h;
            for (double o : observed) {
                if (Math.abs(v - o) < 1e-6) {
                    v += 2e-6;
                }
            }
            t[j] = Math.min(v, from + span);
        }
        return t;
    }

    /**
     * Returns the mean loss on the validation curves, with noise and dummies drawn from a fixed
     * seed so that epochs compare: it reads only their observed points.
     */
    @Override
    public double validate(CstModel model) {
        return validationLoss(model, validation, this::batchOf);
    }

    /** Builds batches of a list of curves. */
    interface BatchMaker {
        CstTrainer.Batch make(List<Curve> source, NDManager m, int[] samples, Random random);
    }

    /** Returns the mean loss over {@code curves} in batches of 10, without gradients. */
    static double validationLoss(CstModel model, List<Curve> curves, BatchMaker maker) {
        Random fixed = new Random(20_251_204L);
        double sum = 0;
        int batches = 0;
        for (int from = 0; from < curves.size(); from += 10) {
            int[] idx =
                    java.util.stream.IntStream.range(from, Math.min(curves.size(), from + 10))
                            .toArray();
            try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
                CstTrainer.Batch b = maker.make(curves, m, idx, fixed);
                NDList out =
                        model.block()
                                .forward(
                                        new ai.djl.training.ParameterStore(m, false),
                                        b.inputs(),
                                        false);
                sum += b.loss().apply(out).getFloat();
                batches++;
            }
        }
        return sum / Math.max(1, batches);
    }

    /** Returns the mean over curves of the mean Euclidean error at each curve's target points. */
    public static double meanError(CstPredictor predictor, List<Curve> curves) {
        List<CstPredictor.Window> windows = new ArrayList<>();
        for (Curve c : curves) {
            windows.add(window(c.observedTimes(), c.observedValues(), times(c, c.targets())));
        }
        List<CstPredictor.Prediction> out = predictor.predict(windows, false);
        double sum = 0;
        for (int k = 0; k < curves.size(); k++) {
            Curve c = curves.get(k);
            int[] targets = c.targets();
            int n = c.observed().length;
            double err = 0;
            for (int i = 0; i < targets.length; i++) {
                float[] p = out.get(k).values()[n + i];
                float[] truth = c.values()[targets[i]];
                double s = 0;
                for (int d = 0; d < p.length; d++) {
                    s += (p[d] - truth[d]) * (p[d] - truth[d]);
                }
                err += Math.sqrt(s);
            }
            sum += err / targets.length;
        }
        return sum / curves.size();
    }

    /**
     * Returns the window of observed points followed by query points at {@code queryTimes},
     * initialised by linear interpolation.
     */
    public static CstPredictor.Window window(
            double[] times, float[][] values, double[] queryTimes) {
        float[][] init = TimeInterpolation.linear(times, values, queryTimes);
        int n = times.length;
        float[][] v = new float[n + queryTimes.length][];
        float[][] x = new float[n + queryTimes.length][1];
        for (int i = 0; i < n; i++) {
            v[i] = values[i];
            x[i][0] = (float) times[i];
        }
        for (int q = 0; q < queryTimes.length; q++) {
            v[n + q] = init[q];
            x[n + q][0] = (float) queryTimes[q];
        }
        return new CstPredictor.Window(v, x, n);
    }

    private static double[] times(Curve c, int[] idx) {
        double[] t = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            t[i] = c.times()[idx[i]];
        }
        return t;
    }
}
