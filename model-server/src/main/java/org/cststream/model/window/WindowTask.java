package org.cststream.model.window;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cststream.model.CstModel;
import org.cststream.model.CstTrainer;
import org.cststream.model.Normalisation;
import org.cststream.model.SobolevLoss;
import org.cststream.model.Tensors;
import org.cststream.model.TimeInterpolation;

/**
 * CST training on frames: each sample is a window of {@code T} consecutive frames of a sequence.
 * Some frames of the window are hidden (a random count from 0 to {@code heldOut}, half the time as
 * one burst of consecutive frames, else scattered) and asked for as query tokens at their times,
 * which is the fill the stream needs; the frames kept are the observations, with Gaussian noise on
 * their input values. The data term of the {@link SobolevLoss} covers kept and hidden frames; the
 * derivative terms are taken along time at dummy tokens: {@code dummyPatches} patch positions drawn
 * at random, each with {@code dummyTimes} times on a regular grid over the window with a random
 * phase.
 *
 * <p>Token layout of a sample: the kept frames' patches, then the hidden frames' patches, then the
 * dummies, position by position, each position's times in order.
 */
public final class WindowTask implements CstTrainer.Task {
    /**
     * How samples are made.
     *
     * @param heldOut most frames hidden per window (0 to T - 2)
     * @param dummyPatches patch positions that get dummy tokens per window (1 or more)
     * @param dummyTimes dummy times per position (2 or more)
     * @param inputNoise std of the noise on observed input values, normalised units (0 or more)
     * @param loss the Sobolev loss
     */
    public record Settings(
            int heldOut, int dummyPatches, int dummyTimes, float inputNoise, SobolevLoss loss) {
        public Settings {
            if (heldOut < 0 || dummyPatches < 1 || dummyTimes < 2 || !(inputNoise >= 0)) {
                throw new IllegalArgumentException(
                        "window task needs heldOut >= 0, dummyPatches >= 1, dummyTimes >= 2,"
                                + " inputNoise >= 0; got heldOut="
                                + heldOut
                                + " dummyPatches="
                                + dummyPatches
                                + " dummyTimes="
                                + dummyTimes
                                + " inputNoise="
                                + inputNoise);
            }
        }
    }

    /** A window's first frame in a sequence. */
    private record Start(int sequence, int frame) {}

    private final WindowLayout layout;
    private final List<FrameSequence> train;
    private final List<Start> trainStarts;
    private final List<FrameSequence> validation;
    private final List<Start> validationStarts;
    private final Normalisation norm;
    private final Settings settings;

    /**
     * @param layout the windows' shape; every frame must have its values count
     * @param train sequences to train on (each at least T frames; shorter ones are skipped)
     * @param validation sequences to validate on (the same)
     * @param model the model, for its normalisation
     */
    public WindowTask(
            WindowLayout layout,
            List<FrameSequence> train,
            List<FrameSequence> validation,
            CstModel model,
            Settings settings) {
        if (settings.heldOut() > layout.frames() - 2) {
            throw new IllegalArgumentException(
                    "heldOut = "
                            + settings.heldOut()
                            + " leaves fewer than 2 of a window's "
                            + layout.frames()
                            + " frames observed; need heldOut <= "
                            + (layout.frames() - 2));
        }
        this.layout = layout;
        this.train = train;
        this.validation = validation;
        this.trainStarts = starts(train, layout);
        this.validationStarts = starts(validation, layout);
        if (trainStarts.isEmpty()) {
            throw new IllegalArgumentException(
                    "no training sequence has the " + layout.frames() + " frames a window needs");
        }
        this.norm = model.normalisation();
        this.settings = settings;
    }

    private static List<Start> starts(List<FrameSequence> sequences, WindowLayout layout) {
        List<Start> out = new ArrayList<>();
        for (int s = 0; s < sequences.size(); s++) {
            FrameSequence seq = sequences.get(s);
            for (int f = 0; f < seq.frames().length; f++) {
                if (seq.frames()[f].length != layout.frameValues()) {
                    throw new IllegalArgumentException(
                            seq.name()
                                    + ": frame "
                                    + f
                                    + " has "
                                    + seq.frames()[f].length
                                    + " values; the layout needs "
                                    + layout.frameValues());
                }
            }
            for (int f = 0; f + layout.frames() <= seq.size(); f++) {
                out.add(new Start(s, f));
            }
        }
        return out;
    }

    /** Returns the normalisation that fits {@code sequences}: one mean and std for all values. */
    public static Normalisation normalisation(List<FrameSequence> sequences, int valueDim) {
        double sum = 0;
        double sq = 0;
        long n = 0;
        for (FrameSequence s : sequences) {
            for (float[] f : s.frames()) {
                for (float v : f) {
                    sum += v;
                    sq += (double) v * v;
                    n++;
                }
            }
        }
        Normalisation norm = Normalisation.identity(valueDim);
        if (n > 0) {
            double mean = sum / n;
            double var = sq / n - mean * mean;
            java.util.Arrays.fill(norm.mean, (float) mean);
            java.util.Arrays.fill(norm.std, var > 1e-12 ? (float) Math.sqrt(var) : 1f);
        }
        return norm;
    }

    @Override
    public int size() {
        return trainStarts.size();
    }

    @Override
    public CstTrainer.Batch batch(NDManager m, int[] samples, Random random) {
        return batchOf(train, trainStarts, m, samples, random);
    }

    private CstTrainer.Batch batchOf(
            List<FrameSequence> source,
            List<Start> starts,
            NDManager m,
            int[] samples,
            Random random) {
        int frames = layout.frames();
        int patches = layout.patches();
        int pv = layout.patchValues();
        int held = random.nextInt(settings.heldOut() + 1);
        boolean burst = random.nextBoolean();
        int kept = frames - held;
        int dp = Math.min(settings.dummyPatches(), patches);
        int dt = settings.dummyTimes();
        int real = frames * patches;
        int tokens = real + dp * dt;
        int batch = samples.length;
        float[] values = new float[batch * tokens * pv];
        float[] coords = new float[batch * tokens * 3];
        float[] observed = new float[batch * tokens];
        float[] targets = new float[batch * real * pv];
        for (int b = 0; b < batch; b++) {
            Start start = starts.get(samples[b]);
            FrameSequence seq = source.get(start.sequence());
            double t0 = seq.times()[start.frame()];
            int[] order = hiddenLast(frames, held, burst, random);
            double[] keptTimes = new double[kept];
            float[][] keptFrames = new float[kept][];
            int base = b * tokens;
            for (int k = 0; k < frames; k++) {
                int f = start.frame() + order[k];
                float[] frame = seq.frames()[f];
                float[] input = new float[frame.length];
                for (int i = 0; i < frame.length; i++) {
                    float v = norm.apply(frame[i], i % pv);
                    targets[(b * real + k * patches) * pv + i] = v;
                    input[i] =
                            k < kept
                                    ? v + (float) (random.nextGaussian() * settings.inputNoise())
                                    : v;
                }
                if (k < kept) {
                    keptTimes[k] = seq.times()[f];
                    keptFrames[k] = input;
                }
                float tc = layout.timeCoordinate(seq.times()[f], t0);
                for (int p = 0; p < patches; p++) {
                    int token = base + k * patches + p;
                    coords[token * 3] = tc;
                    coords[token * 3 + 1] = layout.rowCoordinate(p / layout.gridCols());
                    coords[token * 3 + 2] = layout.colCoordinate(p % layout.gridCols());
                    observed[token] = k < kept ? 1f : 0f;
                    if (k < kept) {
                        System.arraycopy(input, p * pv, values, token * pv, pv);
                    }
                }
            }
            // hidden frames start from the kept ones' linear interpolation
            double[] hiddenTimes = new double[held];
            for (int k = kept; k < frames; k++) {
                hiddenTimes[k - kept] = seq.times()[start.frame() + order[k]];
            }
            if (held > 0) {
                float[][] init = TimeInterpolation.linear(keptTimes, keptFrames, hiddenTimes);
                for (int h = 0; h < held; h++) {
                    System.arraycopy(
                            init[h], 0, values, (base + (kept + h) * patches) * pv, patches * pv);
                }
            }
            // dummies: a regular time grid with a random phase at a few patch positions
            double t1 = seq.times()[start.frame() + frames - 1];
            double step = (t1 - t0) / dt;
            double phase = random.nextDouble();
            double[] dummyTimes = new double[dt];
            for (int j = 0; j < dt; j++) {
                dummyTimes[j] = t0 + (j + phase) * step;
            }
            float[][] init = TimeInterpolation.linear(keptTimes, keptFrames, dummyTimes);
            int[] positions = choose(patches, dp, random);
            for (int i = 0; i < dp; i++) {
                int p = positions[i];
                for (int j = 0; j < dt; j++) {
                    int token = base + real + i * dt + j;
                    System.arraycopy(init[j], p * pv, values, token * pv, pv);
                    coords[token * 3] = layout.timeCoordinate(dummyTimes[j], t0);
                    coords[token * 3 + 1] = layout.rowCoordinate(p / layout.gridCols());
                    coords[token * 3 + 2] = layout.colCoordinate(p % layout.gridCols());
                }
            }
        }
        // the grid step in units of the nominal frame period
        float spacing = (float) ((layout.frames() - 1.0) / dt);
        NDArray v = Tensors.of(m, values, new Shape(batch, tokens, pv));
        NDArray x = Tensors.of(m, coords, new Shape(batch, tokens, 3));
        NDArray mask = Tensors.of(m, observed, new Shape(batch, tokens));
        NDArray target = Tensors.of(m, targets, new Shape(batch, real, pv));
        SobolevLoss loss = settings.loss();
        return new CstTrainer.Batch(
                new NDList(v, x, mask),
                out -> {
                    NDArray y = out.head();
                    NDArray dummies = y.get(":, " + real + ":, :").reshape(batch * dp, dt, pv);
                    return loss.compute(y.get(":, 0:" + real + ", :"), target, dummies, spacing);
                });
    }

    /**
     * Returns 0..frames-1 with {@code held} of them moved to the end: a run of consecutive frames
     * when {@code burst}, else frames drawn at random; the rest keep their order.
     */
    static int[] hiddenLast(int frames, int held, boolean burst, Random random) {
        boolean[] hidden = new boolean[frames];
        if (burst && held > 0) {
            int from = random.nextInt(frames - held + 1);
            for (int i = from; i < from + held; i++) {
                hidden[i] = true;
            }
        } else {
            for (int chosen = 0; chosen < held; ) {
                int i = random.nextInt(frames);
                if (!hidden[i]) {
                    hidden[i] = true;
                    chosen++;
                }
            }
        }
        int[] order = new int[frames];
        int k = 0;
        for (int i = 0; i < frames; i++) {
            if (!hidden[i]) {
                order[k++] = i;
            }
        }
        for (int i = 0; i < frames; i++) {
            if (hidden[i]) {
                order[k++] = i;
            }
        }
        return order;
    }

    private static int[] choose(int n, int k, Random random) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }

    /** Returns the mean loss over the validation windows, drawn with a fixed seed. */
    @Override
    public double validate(CstModel model) {
        if (validationStarts.isEmpty()) {
            return Double.NaN;
        }
        Random fixed = new Random(20_261_204L);
        double sum = 0;
        int batches = 0;
        // at most 32 windows, evenly spread, so validation stays quick on long recordings
        int count = Math.min(32, validationStarts.size());
        for (int from = 0; from < count; from += 4) {
            int[] idx = new int[Math.min(4, count - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = (int) ((long) (from + i) * validationStarts.size() / count);
            }
            try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
                CstTrainer.Batch b = batchOf(validation, validationStarts, m, idx, fixed);
                NDList out = model.block().forward(new ParameterStore(m, false), b.inputs(), false);
                sum += b.loss().apply(out).getFloat();
                batches++;
            }
        }
        return sum / batches;
    }
}
