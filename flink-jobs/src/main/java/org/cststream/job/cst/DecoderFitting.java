package org.cststream.job.cst;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import org.cststream.model.decoding.CenteredGram;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.decoding.DecoderEvaluation;

/**
 * Fits and scores decoders on windows of a recording, as the CST paper does: each target decoded
 * from the CST attention features and, side by side, from the data baseline (the windows' frames),
 * PCA to a few components then K-nearest-neighbour regression, over repeated 70/30 splits of the
 * windows; then one decoder per target fitted on every window, from the CST attention (the one the
 * stream applies). Two kinds of split are scored: random (as in the paper) and contiguous blocks of
 * time with a guard, which keep windows that share frames out of each other's test sets.
 */
public final class DecoderFitting {
    /** The features' names in tables. */
    public static final String ATTENTION = "CST attention";

    public static final String BASELINE = "data baseline";

    /** The splits' names in tables. */
    public static final String RANDOM = "random";

    public static final String BLOCKS = "blocks";

    private DecoderFitting() {}

    /**
     * How decoders are fitted and scored.
     *
     * @param components PCA components, 1 or more (the paper: 10)
     * @param neighbours k of the regressor, 1 or more (the paper: 3)
     * @param repeats splits per kind, 1 or more (the paper: 10)
     * @param trainFraction windows for training in each split, in (0, 1) (the paper: 0.7)
     * @param seed seed of the random splits
     * @param baseline whether to score the data baseline too
     */
    public record Settings(
            int components,
            int neighbours,
            int repeats,
            double trainFraction,
            long seed,
            boolean baseline) {

        /** The paper's settings, with the baseline. */
        public static Settings paper() {
            return new Settings(10, 3, 10, 0.7, 1, true);
        }
    }

    /**
     * A target and its label for every window.
     *
     * @param target what is decoded
     * @param labels one per window, finite
     */
    public record Labelled(Decoder.Target target, double[] labels) {}

    /**
     * One line of the table.
     *
     * @param target the target's name
     * @param features {@link #ATTENTION} or {@link #BASELINE}
     * @param split {@link #RANDOM} or {@link #BLOCKS}
     * @param summary MSE and R2 over the splits
     * @param windows windows decoded
     */
    public record Row(
            String target,
            String features,
            String split,
            DecoderEvaluation.Summary summary,
            int windows) {}

    /**
     * The held-out stretch of the last block split, for a picture: the test windows' times and, per
     * target, the truth and both decoders' predictions.
     *
     * @param seconds each test window's newest-frame time, seconds on the recording's clock
     * @param truth per target
     * @param attention per target, decoded from CST attention
     * @param baseline per target, decoded from the frames; null without the baseline
     */
    public record HeldOut(
            double[] seconds, double[][] truth, double[][] attention, double[][] baseline) {}

    /**
     * What was measured and fitted.
     *
     * @param rows the table, target by target
     * @param decoders one per target, fitted on every window from CST attention
     * @param heldOut the last block split's test stretch
     */
    public record Result(List<Row> rows, List<Decoder> decoders, HeldOut heldOut) {
        /** Returns the row of a target, feature kind and split. */
        public Row row(String target, String features, String split) {
            return rows.stream()
                    .filter(
                            r ->
                                    r.target().equals(target)
                                            && r.features().equals(features)
                                            && r.split().equals(split))
                    .findFirst()
                    .orElseThrow();
        }
    }

    /**
     * Returns each window's label: the track's value at the window's newest frame, on the session
     * clock ({@code newestNanos + offsetNanos}); NaN where the track has none.
     */
    public static double[] labelsAt(LabelTrack track, long[] newestNanos, long offsetNanos) {
        double[] out = new double[newestNanos.length];
        for (int i = 0; i < out.length; i++) {
            OptionalDouble v = track.valueAt(newestNanos[i] + offsetNanos);
            out[i] = v.isPresent() ? v.getAsDouble() : Double.NaN;
        }
        return out;
    }

    /** Returns the windows whose every label is finite. */
    public static int[] labelled(List<double[]> labels, int windows) {
        return IntStream.range(0, windows)
                .filter(i -> labels.stream().allMatch(l -> Double.isFinite(l[i])))
                .toArray();
    }

    /**
     * Scores every target from both kinds of features and fits the final decoders.
     *
     * @param w the windows, every one labelled
     * @param targets the targets with one label per window
     * @param modelFingerprint {@link Decoder#fingerprint} of the model the attention came from
     * @param notes facts saved with every decoder (input, model, labels...); the evaluation is
     *     added
     * @param out progress lines, prefixed with {@code name}
     */
    public static Result run(
            DecodeWindows.Windows w,
            List<Labelled> targets,
            Settings s,
            String modelFingerprint,
            ObjectNode notes,
            PrintStream out,
            String name) {
        int n = w.size();
        double[][] labels = new double[targets.size()][];
        for (int t = 0; t < targets.size(); t++) {
            labels[t] = targets.get(t).labels();
            if (labels[t].length != n) {
                throw new IllegalArgumentException(
                        targets.get(t).target().name()
                                + ": "
                                + labels[t].length
                                + " labels for "
                                + n
                                + " windows");
            }
        }
        List<DecoderEvaluation.Split> random =
                DecoderEvaluation.randomSplits(n, s.trainFraction(), s.repeats(), s.seed());
        int guard = guard(w.first(), w.layout().frames());
        List<DecoderEvaluation.Split> blocks =
                DecoderEvaluation.blockSplits(n, s.trainFraction(), s.repeats(), guard);
        out.printf(
                Locale.ROOT,
                "%s: %d windows; %d random splits and %d block splits (guard %d windows) of %.0f%%"
                        + " training windows; PCA to %d components, k = %d%n",
                name,
                n,
                random.size(),
                blocks.size(),
                guard,
                100 * s.trainFraction(),
                s.components(),
                s.neighbours());

        List<Row> rows = new ArrayList<>();
        out.printf(Locale.ROOT, "%s: Gram matrix of the CST attention features%n", name);
        DecoderEvaluation attention = DecoderEvaluation.of(w.attention());
        DecoderEvaluation.Outcome aRandom =
                attention.evaluate(labels, random, s.components(), s.neighbours());
        DecoderEvaluation.Outcome aBlocks =
                attention.evaluate(labels, blocks, s.components(), s.neighbours());
        DecoderEvaluation.Outcome bRandom = null;
        DecoderEvaluation.Outcome bBlocks = null;
        if (s.baseline() && w.frames() != null) {
            out.printf(Locale.ROOT, "%s: Gram matrix of the data-baseline features%n", name);
            DecoderEvaluation baseline = DecoderEvaluation.of(w.frames());
            bRandom = baseline.evaluate(labels, random, s.components(), s.neighbours());
            bBlocks = baseline.evaluate(labels, blocks, s.components(), s.neighbours());
        }
        for (int t = 0; t < targets.size(); t++) {
            String target = targets.get(t).target().name();
            rows.add(new Row(target, ATTENTION, RANDOM, aRandom.summaries().get(t), n));
            if (bRandom != null) {
                rows.add(new Row(target, BASELINE, RANDOM, bRandom.summaries().get(t), n));
            }
            rows.add(new Row(target, ATTENTION, BLOCKS, aBlocks.summaries().get(t), n));
            if (bBlocks != null) {
                rows.add(new Row(target, BASELINE, BLOCKS, bBlocks.summaries().get(t), n));
            }
        }
        for (Row r : rows) {
            out.printf(
                    Locale.ROOT,
                    "%s: %-9s %-13s %-6s MSE %.4g +/- %.2g  R2 %.3f +/- %.3f%n",
                    name,
                    r.target(),
                    r.features(),
                    r.split(),
                    r.summary().mseMean(),
                    r.summary().mseStd(),
                    r.summary().r2Mean(),
                    r.summary().r2Std());
        }

        // the final decoders: every window, CST attention
        CenteredGram gram = attention.gram();
        List<Decoder> decoders = new ArrayList<>();
        for (int t = 0; t < targets.size(); t++) {
            Labelled l = targets.get(t);
            ObjectNode n2 = notes.deepCopy();
            n2.put("windows", n);
            ObjectNode ev = n2.putObject("evaluation");
            for (Row r : rows) {
                if (r.target().equals(l.target().name())) {
                    ObjectNode e = ev.putObject(r.features() + ", " + r.split());
                    e.put("mse", r.summary().mseMean());
                    e.put("mseStd", r.summary().mseStd());
                    e.put("r2", r.summary().r2Mean());
                    e.put("r2Std", r.summary().r2Std());
                }
            }
            decoders.add(
                    Decoder.fit(
                            w.attention(),
                            gram,
                            l.labels(),
                            l.target(),
                            new Decoder.Features(
                                    Decoder.FeatureKind.CST_ATTENTION,
                                    w.layout(),
                                    modelFingerprint),
                            s.components(),
                            s.neighbours(),
                            n2));
        }
        return new Result(rows, decoders, heldOut(w, labels, blocks, aBlocks, bBlocks));
    }

    /** Windows on each side of a test block that share frames with it. */
    static int guard(int[] first, int frames) {
        if (first.length < 2) {
            return 0;
        }
        int[] d = new int[first.length - 1];
        for (int i = 1; i < first.length; i++) {
            d[i - 1] = first[i] - first[i - 1];
        }
        Arrays.sort(d);
        int stride = Math.max(1, d[d.length / 2]);
        return Math.max(0, (frames + stride - 1) / stride - 1);
    }

    private static HeldOut heldOut(
            DecodeWindows.Windows w,
            double[][] labels,
            List<DecoderEvaluation.Split> blocks,
            DecoderEvaluation.Outcome a,
            DecoderEvaluation.Outcome b) {
        int last = blocks.size() - 1;
        int[] test = blocks.get(last).test();
        double[] seconds = new double[test.length];
        for (int i = 0; i < test.length; i++) {
            seconds[i] = w.newestNanos()[test[i]] / 1e9;
        }
        double[][] truth = new double[labels.length][test.length];
        double[][] att = new double[labels.length][];
        double[][] base = b == null ? null : new double[labels.length][];
        for (int t = 0; t < labels.length; t++) {
            for (int i = 0; i < test.length; i++) {
                truth[t][i] = labels[t][test[i]];
            }
            att[t] = a.predictions()[t][last];
            if (base != null) {
                base[t] = b.predictions()[t][last];
            }
        }
        return new HeldOut(seconds, truth, att, base);
    }

    /**
     * Returns the rows as a Markdown table: target, features, split, MSE and R2 (mean +/- std over
     * the splits), windows.
     */
    public static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append(
                "| target | features | split | MSE (mean +/- std) | R2 (mean +/- std) | windows"
                        + " |\n");
        s.append("|---|---|---|---:|---:|---:|\n");
        for (Row r : rows) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s +/- %s | %.3f +/- %.3f | %d |%n",
                            r.target(),
                            r.features(),
                            r.split(),
                            number(r.summary().mseMean()),
                            number(r.summary().mseStd()),
                            r.summary().r2Mean(),
                            r.summary().r2Std(),
                            r.windows()));
        }
        return s.toString();
    }

    /** Four significant digits, without an exponent for everyday magnitudes. */
    static String number(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(a)));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /** Returns an empty notes object for {@link #run}. */
    public static ObjectNode notes() {
        return new ObjectMapper().createObjectNode();
    }
}
