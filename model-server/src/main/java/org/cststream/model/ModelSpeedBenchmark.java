package org.cststream.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Training throughput and inference latency of the CST for the spirals model and for a widefield
 * window (10 frames of 256x256 in 16x16 patches: 2560 tokens), with full and Nystrom attention. A
 * benchmark: it prints figures and never fails on a slow machine.
 */
public final class ModelSpeedBenchmark {
    private ModelSpeedBenchmark() {}

    /**
     * One measured configuration.
     *
     * @param name what was measured
     * @param tokens tokens per sample
     * @param parameters trainable values
     * @param trainSamplesPerSecond training samples per second (forward, backward, Adam)
     * @param inferenceMillis median time of one inference call on one sample, ms
     */
    public record Row(
            String name,
            int tokens,
            long parameters,
            double trainSamplesPerSecond,
            double inferenceMillis) {}

    /** Runs every configuration and prints a table to {@code out}. */
    public static List<Row> run(PrintStream out) {
        List<Row> rows = new ArrayList<>();
        CstConfig spirals = CstConfig.spirals();
        // a spirals training sample: 10 observations and 40 dummies
        rows.add(measure("spirals, full", spirals, 50, 10, 10, out));
        CstConfig spiralsNystrom = CstConfig.spirals();
        spiralsNystrom.attention = CstConfig.Attention.NYSTROM;
        spiralsNystrom.landmarks = 4;
        rows.add(measure("spirals, Nystrom m=4", spiralsNystrom, 50, 10, 10, out));
        // a widefield window: 10 frames of 256 patches, one frame missing and asked for
        CstConfig wide = CstConfig.widefieldSmall(16);
        wide.attention = CstConfig.Attention.FULL;
        rows.add(measure("widefield 2560 tokens, full", wide, 2560, 2304, 1, out));
        CstConfig wideNystrom = CstConfig.widefieldSmall(16);
        rows.add(measure("widefield 2560 tokens, Nystrom m=64", wideNystrom, 2560, 2304, 1, out));
        out.println();
        out.println(
                String.format(
                        Locale.ROOT,
                        "| %-36s | %6s | %10s | %14s | %12s |",
                        "model",
                        "tokens",
                        "parameters",
                        "train samples/s",
                        "inference ms"));
        out.println("|---|---|---|---|---|");
        for (Row r : rows) {
            out.println(
                    String.format(
                            Locale.ROOT,
                            "| %-36s | %6d | %10d | %14.1f | %12.1f |",
                            r.name(),
                            r.tokens(),
                            r.parameters(),
                            r.trainSamplesPerSecond(),
                            r.inferenceMillis()));
        }
        out.println(
                "("
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, device "
                        + CstModel.defaultDevice()
                        + ", engine "
                        + Engine.getInstance().getEngineName()
                        + " "
                        + Engine.getInstance().getVersion()
                        + ")");
        return rows;
    }

    private static Row measure(
            String name, CstConfig config, int tokens, int observed, int batch, PrintStream out) {
        out.println("benchmark: " + name);
        try (CstModel model = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            AdamUpdater adam = new AdamUpdater(model, 1e-4f, 0f);
            Random random = new Random(1);
            int warm = 2;
            int steps = tokens > 1000 ? 4 : 12;
            long start = 0;
            for (int s = 0; s < warm + steps; s++) {
                if (s == warm) {
                    start = System.nanoTime();
                }
                try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
                    NDList in = inputs(m, config, batch, tokens, observed, random);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y =
                                model.block()
                                        .forward(new ParameterStore(m, false), in, true)
                                        .head();
                        gc.backward(y.sub(in.head()).square().mean());
                    }
                    adam.step();
                }
            }
            double trainRate = steps * batch / ((System.nanoTime() - start) / 1e9);
            List<Double> times = new ArrayList<>();
            for (int s = 0; s < warm + steps; s++) {
                try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
                    NDList in = inputs(m, config, 1, tokens, observed, random);
                    long t0 = System.nanoTime();
                    model.block()
                            .forward(new ParameterStore(m, false), in, false)
                            .head()
                            .toFloatArray();
                    if (s >= warm) {
                        times.add((System.nanoTime() - t0) / 1e6);
                    }
                }
            }
            times.sort(Double::compare);
            return new Row(
                    name, tokens, model.parameterCount(), trainRate, times.get(times.size() / 2));
        }
    }

    private static NDList inputs(
            NDManager m, CstConfig c, int batch, int tokens, int observed, Random random) {
        float[] v = new float[batch * tokens * c.valueDim];
        float[] x = new float[batch * tokens * c.coordDim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        float[] mask = new float[batch * tokens];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % tokens < observed ? 1f : 0f;
        }
        return new NDList(
                Tensors.of(m, v, new Shape(batch, tokens, c.valueDim)),
                Tensors.of(m, x, new Shape(batch, tokens, c.coordDim)),
                Tensors.of(m, mask, new Shape(batch, tokens)));
    }
}
