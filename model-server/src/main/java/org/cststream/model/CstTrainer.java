package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link CstModel}: Adam with weight decay, mini-batches in a seeded random order, a
 * validation score after every epoch, early stopping, and the best parameters kept and restored at
 * the end. What a batch holds and how its loss is computed is the {@link Task}'s business.
 */
public final class CstTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(CstTrainer.class);

    /**
     * Training settings.
     *
     * @param maxEpochs passes over the training samples (>= 1)
     * @param patience epochs without a better validation score before stopping (>= 1)
     * @param batchSize samples per step (>= 1; the paper used 10)
     * @param learningRate Adam's step size (1e-3 in the paper)
     * @param weightDecay Adam's weight decay (1e-7 in the paper)
     * @param seed seed of the sample order and of every random draw in the task
     * @param progress whether to draw a progress bar
     * @param warmupEpochs epochs over which the learning rate rises linearly from near 0 (>= 0)
     * @param cosineDecay whether the learning rate then falls along a half cosine to 1% of its peak
     *     at {@code maxEpochs}; otherwise it stays at the peak
     * @param maxGradientNorm global gradient norm above which gradients are scaled down (0: no
     *     clipping)
     */
    public record Settings(
            int maxEpochs,
            int patience,
            int batchSize,
            float learningRate,
            float weightDecay,
            long seed,
            boolean progress,
            int warmupEpochs,
            boolean cosineDecay,
            float maxGradientNorm) {
        /** Settings with a constant learning rate and no clipping, as in the paper. */
        public Settings(
                int maxEpochs,
                int patience,
                int batchSize,
                float learningRate,
                float weightDecay,
                long seed,
                boolean progress) {
            this(
                    maxEpochs,
                    patience,
                    batchSize,
                    learningRate,
                    weightDecay,
                    seed,
                    progress,
                    0,
                    false,
                    0f);
        }

        public Settings {
            java.util.List<String> wrong = new java.util.ArrayList<>();
            if (maxEpochs < 1) {
                wrong.add("epochs " + maxEpochs + " (need 1 or more)");
            }
            if (patience < 1) {
                wrong.add("patience " + patience + " epochs (need 1 or more)");
            }
            if (batchSize < 1) {
                wrong.add("batch size " + batchSize + " (need 1 or more)");
            }
            if (!(learningRate > 0)) {
                wrong.add("learning rate " + learningRate + " (need more than 0)");
            }
            if (weightDecay < 0) {
                wrong.add("weight decay " + weightDecay + " (need 0 or more)");
            }
            if (warmupEpochs < 0 && maxEpochs >= 1) {
                wrong.add("warm-up " + warmupEpochs + " epochs (need 0 or more)");
            }
            if (!(maxGradientNorm >= 0)) {
                wrong.add("gradient norm limit " + maxGradientNorm + " (need 0 or more)");
            }
            if (!wrong.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid training settings: " + String.join("; ", wrong));
            }
        }
    }

    /** One step's inputs and the loss to compute from the model's outputs. */
    public record Batch(NDList inputs, Function<NDList, NDArray> loss) {}

    /** What is trained: samples, how a batch is built, and how a model is validated. */
    public interface Task {
        /** Returns the number of training samples. */
        int size();

        /** Builds the batch of the given samples; every array belongs to {@code manager}. */
        Batch batch(NDManager manager, int[] samples, Random random);

        /** Returns the validation score of the model as it is now (lower is better). */
        double validate(CstModel model);
    }

    /**
     * What training did.
     *
     * @param epochs epochs run
     * @param bestEpoch the epoch whose parameters were kept (1-based)
     * @param bestValidation its validation score
     * @param trainLoss mean training loss per epoch
     * @param validation validation score per epoch
     * @param samplesPerSecond training throughput
     * @param skippedSteps steps skipped because a gradient was NaN or infinite
     */
    public record Report(
            int epochs,
            int bestEpoch,
            double bestValidation,
            List<Double> trainLoss,
            List<Double> validation,
            double samplesPerSecond,
            int skippedSteps) {}

    /** Hears about every finished epoch, e.g. to report progress elsewhere. */
    @FunctionalInterface
    public interface EpochListener {
        /**
         * @param epoch the epoch just finished (1-based)
         * @param maxEpochs the most epochs this training may run
         * @param message loss and validation, for a person
         */
        void onEpoch(int epoch, int maxEpochs, String message);
    }

    private final Settings settings;

    public CstTrainer(Settings settings) {
        this.settings = settings;
    }

    /** Trains {@code model} on {@code task} and leaves it with the best parameters seen. */
    public Report train(CstModel model, Task task, String name) {
        return train(model, task, name, (epoch, max, message) -> {});
    }

    /** As {@link #train(CstModel, Task, String)}, telling {@code listener} of every epoch. */
    public Report train(CstModel model, Task task, String name, EpochListener listener) {
        AdamUpdater adam = new AdamUpdater(model, settings.learningRate(), settings.weightDecay());
        Random random = new Random(settings.seed());
        List<Double> losses = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        byte[] bestParams = snapshot(model);
        long samples = 0;
        long start = System.nanoTime();
        try (ProgressBar bar = progress(name)) {
            for (int epoch = 1; epoch <= settings.maxEpochs(); epoch++) {
                int[] order = shuffled(task.size(), random);
                double sum = 0;
                int steps = 0;
                for (int from = 0; from < order.length; from += settings.batchSize()) {
                    int[] idx =
                            java.util.Arrays.copyOfRange(
                                    order,
                                    from,
                                    Math.min(order.length, from + settings.batchSize()));
                    try (NDManager step = model.djlModel().getNDManager().newSubManager()) {
                        Batch batch = task.batch(step, idx, random);
                        try (GradientCollector gc =
                                ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                            NDList out =
                                    model.block()
                                            .forward(
                                                    new ai.djl.training.ParameterStore(step, false),
                                                    batch.inputs(),
                                                    true);
                            NDArray loss = batch.loss().apply(out);
                            float value = loss.getFloat();
                            if (!Float.isFinite(value)) {
                                boolean nanIn =
                                        batch.inputs().stream()
                                                .anyMatch(
                                                        a ->
                                                                a.isNaN().any().getBoolean()
                                                                        || a.isInfinite()
                                                                                .any()
                                                                                .getBoolean());
                                boolean nanOut = out.head().isNaN().any().getBoolean();
                                long badParams =
                                        model.block().getParameters().values().stream()
                                                .filter(
                                                        p ->
                                                                p.getArray()
                                                                        .isNaN()
                                                                        .any()
                                                                        .getBoolean())
                                                .count();
                                LOG.warn(
                                        "divergence details inputsNonFinite={} outputNaN={}"
                                                + " parametersWithNaN={}",
                                        nanIn,
                                        nanOut,
                                        badParams);
                                throw new IllegalStateException(
                                        "training of "
                                                + name
                                                + " diverged at epoch "
                                                + epoch
                                                + " step "
                                                + (steps + 1)
                                                + ": loss is "
                                                + value
                                                + " (inputs non-finite: "
                                                + nanIn
                                                + ", output NaN: "
                                                + nanOut
                                                + ", parameters with NaN: "
                                                + badParams
                                                + ")"
                                                + "; lower the learning rate or"
                                                + " the Sobolev weight");
                            }
                            gc.backward(loss);
                            sum += value;
                        }
                        float rate = learningRate(epoch - 1, from / (double) order.length);
                        if (!adam.step(rate, settings.maxGradientNorm())) {
                            if (adam.skipped() == 1) {
                                LOG.warn(
                                        "skipped a training step with non-finite gradients"
                                                + " model={} epoch={} parameters={} (further"
                                                + " skips are counted in the report)",
                                        name,
                                        epoch,
                                        adam.lastNonFiniteParameters());
                            } else {
                                LOG.debug(
                                        "skipped a training step model={} epoch={}"
                                                + " parameters={}",
                                        name,
                                        epoch,
                                        adam.lastNonFiniteParameters());
                            }
                        }
                    }
                    steps++;
                    samples += idx.length;
                }
                double mean = sum / Math.max(1, steps);
                double score = task.validate(model);
                losses.add(mean);
                scores.add(score);
                if (score < best) {
                    best = score;
                    bestEpoch = epoch;
                    bestParams = snapshot(model);
                }
                String message =
                        String.format(
                                java.util.Locale.ROOT,
                                "loss %.4f val %.4f best %.4f@%d",
                                mean,
                                score,
                                best,
                                bestEpoch);
                if (bar != null) {
                    bar.step();
                    bar.setExtraMessage(" " + message);
                }
                listener.onEpoch(epoch, settings.maxEpochs(), message);
                LOG.debug("epoch {} loss={} validation={}", epoch, mean, score);
                if (epoch - bestEpoch >= settings.patience()) {
                    break;
                }
            }
        }
        restore(model, bestParams);
        double seconds = (System.nanoTime() - start) / 1e9;
        Report r =
                new Report(
                        losses.size(),
                        bestEpoch,
                        best,
                        losses,
                        scores,
                        samples / seconds,
                        adam.skipped());
        LOG.info(
                "training finished model={} epochs={} bestEpoch={} bestValidation={}"
                        + " samplesPerSecond={}",
                name,
                r.epochs(),
                r.bestEpoch(),
                r.bestValidation(),
                String.format("%.1f", r.samplesPerSecond()));
        return r;
    }

    /**
     * Returns the learning rate at a point of training: linear warm-up, then a constant rate or a
     * half cosine down to 1% of the peak.
     *
     * @param epoch epochs finished (0-based)
     * @param fraction how far through the current epoch, in [0, 1)
     */
    float learningRate(int epoch, double fraction) {
        double at = epoch + fraction;
        double peak = settings.learningRate();
        if (at < settings.warmupEpochs()) {
            return (float) (peak * (at + 1e-3) / settings.warmupEpochs());
        }
        if (!settings.cosineDecay()) {
            return (float) peak;
        }
        double span = Math.max(1e-9, settings.maxEpochs() - settings.warmupEpochs());
        double progress = Math.min(1, (at - settings.warmupEpochs()) / span);
        double floor = peak * 0.01;
        return (float) (floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private ProgressBar progress(String name) {
        if (!settings.progress()) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName("train " + name)
                .setInitialMax(settings.maxEpochs())
                .setUnit(" epochs", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .build();
    }

    private static int[] shuffled(int n, Random random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static byte[] snapshot(CstModel model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.block().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy model parameters", e);
        }
        return bytes.toByteArray();
    }

    private static void restore(CstModel model, byte[] params) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(params))) {
            model.block().loadParameters(model.djlModel().getNDManager(), in);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot restore the best parameters", e);
        }
    }
}
