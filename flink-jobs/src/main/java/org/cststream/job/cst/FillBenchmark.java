package org.cststream.job.cst;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cststream.frame.FrameImages;
import org.cststream.frame.PatchTokens;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor;
import org.cststream.model.CstTrainer;
import org.cststream.model.spirals.NaturalCubicSpline;
import org.cststream.model.window.FrameSequence;
import org.cststream.model.window.FrameWindows;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;

/**
 * The fill benchmark: frames of a real recording are hidden, and each method fills them from the
 * frames that remain; the error is measured against the hidden frames.
 *
 * <p>The recording is prepared as the job prepares it ({@link PatchSequences}: dF/F, binning,
 * patches). The first 70% of its frames train a CST (the last 15% of those validate); the hidden
 * frames are drawn from the other 30%, in two schemes: a fraction of single frames at random, and
 * bursts of consecutive frames covering about the same fraction. Methods: the CST (a window of T
 * frames around each hidden frame, the hidden ones as queries), linear interpolation between the
 * nearest kept frames, a natural cubic spline through the kept frames of the same window, and the
 * last kept frame. Error: root mean square over the frame's pixels (padding excluded), in dF/F
 * units, mean +/- std over hidden frames.
 */
public final class FillBenchmark {
    /** The Markdown table's file name. */
    public static final String TABLE_FILE = "fill-results.md";

    /** The picture of filled frames beside the truth. */
    public static final String FRAMES_FILE = "fill-frames.png";

    /** The folder the benchmark's trained model is saved to. */
    public static final String MODEL_DIR = "model";

    /** Method names, in table order. */
    public static final List<String> METHODS =
            List.of("CST", "linear", "cubic-spline", "hold-last");

    private FillBenchmark() {}

    /**
     * Settings.
     *
     * @param input a recording (any format {@link Recordings#open} reads)
     * @param fps frames per second when the file has no times
     * @param binning spatial binning before patches
     * @param patchSize patch side, pixels
     * @param training how the CST is trained (its window length T is the benchmark's too)
     * @param hideFraction fraction of the test frames hidden, in each scheme
     * @param burst frames per burst in the burst scheme
     * @param seed seed of the hidden frames
     * @param limit frames read at most, 0 for all
     * @param outDir where the table, pictures and model go
     * @param out progress lines
     */
    public record Options(
            Path input,
            double fps,
            int binning,
            int patchSize,
            FrameModelTraining.Settings training,
            double hideFraction,
            int burst,
            long seed,
            int limit,
            Path outDir,
            PrintStream out) {}

    /**
     * One line of the table.
     *
     * @param scheme how frames were hidden
     * @param method the method
     * @param rmse mean over hidden frames of the frame's root mean square error, dF/F units
     * @param std standard deviation of that over hidden frames
     * @param correlation mean over hidden frames of the Pearson correlation of the filled frame
     *     with the true one over its pixels: blind to scale, so a fill that wins on RMSE only by
     *     shrinking toward zero does not win here
     * @param frames hidden frames scored
     */
    public record Row(
            String scheme,
            String method,
            double rmse,
            double std,
            double correlation,
            int frames) {}

    /** What the benchmark measured and wrote. */
    public record Result(List<Row> rows, CstTrainer.Report training, Path table, Path picture) {
        /** Returns the row of a scheme and method. */
        public Row row(String scheme, String method) {
            return rows.stream()
                    .filter(r -> r.scheme().equals(scheme) && r.method().equals(method))
                    .findFirst()
                    .orElseThrow();
        }
    }

    /**
     * Runs the benchmark.
     *
     * @throws IOException if the recording cannot be read or the results cannot be written
     */
    public static Result run(Options o) throws IOException {
        PrintStream out = o.out();
        PatchSequences.Prepared prepared;
        try (RecordingReader reader = Recordings.open(o.input())) {
            out.println("fill: " + reader.describe());
            prepared = PatchSequences.read(reader, preparation(o), 0, o.limit());
        }
        FrameSequence seq = prepared.sequence();
        int n = seq.size();
        int trainEnd = (int) Math.round(0.7 * n);
        int validationStart = (int) Math.round(0.85 * trainEnd);
        WindowLayout layout =
                WindowLayout.of(
                        prepared.first(),
                        FrameModelTraining.medianStep(seq.times()),
                        o.training().windowFrames());
        out.printf(
                Locale.ROOT,
                "fill: %d frames of %d x %d (after binning %d), %d x %d patches of %d;"
                        + " train on frames 0-%d, validate on %d-%d, hide frames from %d-%d%n",
                n,
                prepared.first().frameHeight,
                prepared.first().frameWidth,
                o.binning(),
                layout.gridRows(),
                layout.gridCols(),
                layout.patchSize(),
                validationStart - 1,
                validationStart,
                trainEnd - 1,
                trainEnd,
                n - 1);

        // train the CST on the first part of the recording
        FrameModelTraining.Trained trained =
                FrameModelTraining.train(
                        seq.slice(0, validationStart),
                        seq.slice(validationStart, trainEnd),
                        prepared,
                        layout.periodSeconds(),
                        o.training(),
                        out,
                        "fill: CST");
        CstModel model = trained.model();
        CstTrainer.Report report = trained.report();
        try {
            model.save(
                    o.outDir().resolve(MODEL_DIR),
                    FrameModelTraining.notes(
                            o.input().toString(), validationStart, layout, preparation(o), report));

            // hide frames of the last part and fill them with every method
            List<Row> rows = new ArrayList<>();
            List<FrameImages.Panel> panels = new ArrayList<>();
            Random random = new Random(o.seed());
            for (String scheme : List.of("random", "bursts of " + o.burst())) {
                boolean[] hidden =
                        scheme.equals("random")
                                ? hideRandom(n, trainEnd, o.hideFraction(), random)
                                : hideBursts(n, trainEnd, o.hideFraction(), o.burst(), random);
                int[] targets = indicesOf(hidden);
                float[][][] filled = new float[METHODS.size()][][];
                filled[0] = fillCst(model, layout, seq, hidden, targets);
                filled[1] = fillLinear(seq, hidden, targets);
                filled[2] = fillSpline(seq, hidden, targets, layout.frames());
                filled[3] = fillHold(seq, hidden, targets);
                for (int m = 0; m < METHODS.size(); m++) {
                    double[] e = new double[targets.length];
                    double[] r = new double[targets.length];
                    for (int k = 0; k < targets.length; k++) {
                        e[k] = rmse(filled[m][k], seq.frames()[targets[k]], prepared.first());
                        r[k] =
                                correlation(
                                        filled[m][k], seq.frames()[targets[k]], prepared.first());
                    }
                    Row row = new Row(scheme, METHODS.get(m), mean(e), std(e), mean(r), e.length);
                    rows.add(row);
                    out.printf(
                            Locale.ROOT,
                            "fill: %s %s rmse %.4f +/- %.4f correlation %.3f over %d frames%n",
                            scheme,
                            row.method(),
                            row.rmse(),
                            row.std(),
                            row.correlation(),
                            row.frames());
                }
                if (!scheme.equals("random")) {
                    panels.addAll(pictures(prepared, seq, targets, filled));
                }
            }
            Path picture = o.outDir().resolve(FRAMES_FILE);
            FrameImages.writePng(
                    FrameImages.grid(panels, METHODS.size() + 1, scaleFor(prepared.first()), 0f),
                    picture);
            Path table = o.outDir().resolve(TABLE_FILE);
            Files.writeString(
                    table,
                    markdown(o, prepared, layout, model.parameterCount(), rows, report),
                    StandardCharsets.UTF_8);
            out.println("fill: wrote " + table + " and " + picture);
            return new Result(rows, report, table, picture);
        } finally {
            model.close();
        }
    }

    /** Returns the CST's fill of every target: one window of T frames around each. */
    static float[][] fillCst(
            CstModel model,
            WindowLayout layout,
            FrameSequence seq,
            boolean[] hidden,
            int[] targets) {
        int n = seq.size();
        int t = layout.frames();
        List<CstPredictor.Window> windows = new ArrayList<>();
        int[] queryOf = new int[targets.length];
        int[] observedOf = new int[targets.length];
        for (int k = 0; k < targets.length; k++) {
            int from = Math.max(0, Math.min(n - t, targets[k] - t / 2));
            List<Integer> kept = new ArrayList<>();
            List<Integer> queries = new ArrayList<>();
            for (int i = from; i < from + t; i++) {
                (hidden[i] ? queries : kept).add(i);
            }
            double[] times = kept.stream().mapToDouble(i -> seq.times()[i]).toArray();
            float[][] frames = kept.stream().map(i -> seq.frames()[i]).toArray(float[][]::new);
            double[] queryTimes = queries.stream().mapToDouble(i -> seq.times()[i]).toArray();
            windows.add(FrameWindows.window(layout, times, frames, queryTimes, seq.times()[from]));
            queryOf[k] = queries.indexOf(targets[k]);
            observedOf[k] = kept.size();
        }
        List<CstPredictor.Prediction> predictions = new CstPredictor(model).predict(windows, false);
        float[][] out = new float[targets.length][];
        for (int k = 0; k < targets.length; k++) {
            out[k] = FrameWindows.queryFrame(layout, predictions.get(k), observedOf[k], queryOf[k]);
        }
        return out;
    }

    static float[][] fillLinear(FrameSequence seq, boolean[] hidden, int[] targets) {
        float[][] out = new float[targets.length][];
        for (int k = 0; k < targets.length; k++) {
            int i = targets[k];
            int a = previousKept(hidden, i);
            int b = nextKept(hidden, i);
            if (a < 0 || b < 0) {
                out[k] = seq.frames()[a < 0 ? b : a].clone();
                continue;
            }
            double w = (seq.times()[i] - seq.times()[a]) / (seq.times()[b] - seq.times()[a]);
            float[] fa = seq.frames()[a];
            float[] fb = seq.frames()[b];
            float[] f = new float[fa.length];
            for (int p = 0; p < f.length; p++) {
                f[p] = (float) ((1 - w) * fa[p] + w * fb[p]);
            }
            out[k] = f;
        }
        return out;
    }

    static float[][] fillSpline(FrameSequence seq, boolean[] hidden, int[] targets, int window) {
        int n = seq.size();
        float[][] out = new float[targets.length][];
        for (int k = 0; k < targets.length; k++) {
            int i = targets[k];
            int from = Math.max(0, Math.min(n - window, i - window / 2));
            List<Integer> kept = new ArrayList<>();
            for (int j = from; j < Math.min(n, from + window); j++) {
                if (!hidden[j]) {
                    kept.add(j);
                }
            }
            double[] x = kept.stream().mapToDouble(j -> seq.times()[j]).toArray();
            int values = seq.frames()[i].length;
            float[] f = new float[values];
            double[] y = new double[x.length];
            for (int p = 0; p < values; p++) {
                for (int j = 0; j < x.length; j++) {
                    y[j] = seq.frames()[kept.get(j)][p];
                }
                f[p] = (float) NaturalCubicSpline.fit(x, y).value(seq.times()[i]);
            }
            out[k] = f;
        }
        return out;
    }

    static float[][] fillHold(FrameSequence seq, boolean[] hidden, int[] targets) {
        float[][] out = new float[targets.length][];
        for (int k = 0; k < targets.length; k++) {
            int a = previousKept(hidden, targets[k]);
            out[k] = seq.frames()[a >= 0 ? a : nextKept(hidden, targets[k])].clone();
        }
        return out;
    }

    private static int previousKept(boolean[] hidden, int i) {
        for (int j = i - 1; j >= 0; j--) {
            if (!hidden[j]) {
                return j;
            }
        }
        return -1;
    }

    private static int nextKept(boolean[] hidden, int i) {
        for (int j = i + 1; j < hidden.length; j++) {
            if (!hidden[j]) {
                return j;
            }
        }
        return -1;
    }

    /** Hides {@code fraction} of frames {@code from..n-1} at random, never the last one. */
    static boolean[] hideRandom(int n, int from, double fraction, Random random) {
        boolean[] hidden = new boolean[n];
        int count = (int) Math.round(fraction * (n - from));
        for (int k = 0; k < count; ) {
            int i = from + random.nextInt(n - 1 - from);
            if (!hidden[i]) {
                hidden[i] = true;
                k++;
            }
        }
        return hidden;
    }

    /**
     * Hides bursts of {@code burst} consecutive frames in {@code from..n-1}, about {@code fraction}
     * of them in all, with at least one kept frame between bursts and after the last.
     */
    static boolean[] hideBursts(int n, int from, double fraction, int burst, Random random) {
        boolean[] hidden = new boolean[n];
        int bursts = Math.max(1, (int) Math.round(fraction * (n - from) / burst));
        for (int k = 0, tries = 0; k < bursts && tries < 100_000; tries++) {
            int start = from + 1 + random.nextInt(Math.max(1, n - from - burst - 2));
            boolean free = true;
            for (int i = start - 1; i <= start + burst && free; i++) {
                free = i >= 0 && i < n - 1 && !hidden[i];
            }
            if (free) {
                for (int i = start; i < start + burst; i++) {
                    hidden[i] = true;
                }
                k++;
            }
        }
        return hidden;
    }

    private static int[] indicesOf(boolean[] hidden) {
        int[] out = new int[0];
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i]) {
                out = Arrays.copyOf(out, out.length + 1);
                out[out.length - 1] = i;
            }
        }
        return out;
    }

    /** Root mean square difference over the frame's real pixels (patch padding left out). */
    static double rmse(float[] a, float[] b, PatchTokens grid) {
        float[] x = image(a, grid);
        float[] y = image(b, grid);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            s += d * d;
        }
        return Math.sqrt(s / x.length);
    }

    /**
     * Pearson correlation over the frame's real pixels (patch padding left out); 0 when either
     * frame is constant.
     */
    static double correlation(float[] a, float[] b, PatchTokens grid) {
        float[] x = image(a, grid);
        float[] y = image(b, grid);
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
    }

    /** Returns patch values as the frame they were cut from (height x width, row-major). */
    static float[] image(float[] patchValues, PatchTokens grid) {
        return PatchTokens.toFrame(
                patchValues, grid.patchSize, grid.gridCols, grid.frameHeight, grid.frameWidth);
    }

    private static List<FrameImages.Panel> pictures(
            PatchSequences.Prepared prepared,
            FrameSequence seq,
            int[] targets,
            float[][][] filled) {
        PatchTokens g = prepared.first();
        List<FrameImages.Panel> panels = new ArrayList<>();
        // the middle frame of three bursts spread over the test part
        for (int pick = 0; pick < 3 && pick * 3 + 1 < targets.length; pick++) {
            int k = Math.min(targets.length - 1, (pick * targets.length) / 3 + 1);
            int index = prepared.indices()[targets[k]];
            panels.add(
                    new FrameImages.Panel(
                            "frame " + index + ", truth",
                            image(seq.frames()[targets[k]], g),
                            g.frameWidth,
                            g.frameHeight));
            for (int m = 0; m < METHODS.size(); m++) {
                panels.add(
                        new FrameImages.Panel(
                                METHODS.get(m),
                                image(filled[m][k], g),
                                g.frameWidth,
                                g.frameHeight));
            }
        }
        return panels;
    }

    private static int scaleFor(PatchTokens g) {
        return Math.max(1, 480 / Math.max(g.frameWidth, g.frameHeight));
    }

    private static PatchSequences.Settings preparation(Options o) {
        return PatchSequences.Settings.defaults(o.fps(), o.binning(), o.patchSize());
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double std(double[] v) {
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).average().orElse(0));
    }

    private static String markdown(
            Options o,
            PatchSequences.Prepared prepared,
            WindowLayout layout,
            long parameters,
            List<Row> rows,
            CstTrainer.Report report) {
        StringBuilder s = new StringBuilder();
        s.append("# Fill benchmark\n\n");
        s.append(
                String.format(
                        Locale.ROOT,
                        "Recording: `%s`, %d frames after the %d warm-up frames of the dF/F"
                                + " baseline, %d x %d pixels after binning %d, %d x %d patches of"
                                + " %d. The CST (window of %d frames, %d parameters) trained on"
                                + " the first 70%% of the frames for %d epochs (best: %d,"
                                + " %.1f windows/s); the hidden frames come from the last"
                                + " 30%%.%n%n",
                        o.input(),
                        prepared.sequence().size(),
                        10,
                        prepared.first().frameHeight,
                        prepared.first().frameWidth,
                        o.binning(),
                        layout.gridRows(),
                        layout.gridCols(),
                        layout.patchSize(),
                        layout.frames(),
                        parameters,
                        report.epochs(),
                        report.bestEpoch(),
                        report.samplesPerSecond()));
        s.append(
                "Error: per hidden frame, the root mean square difference from the true frame"
                        + " over its pixels, in dF/F units; mean +/- std over the hidden"
                        + " frames. Correlation: per hidden frame, Pearson's r of the filled and"
                        + " the true frame over its pixels, mean over the hidden frames (blind to"
                        + " scale: a fill that only shrinks toward zero gains nothing here).\n\n");
        s.append("| hidden | method | RMSE (mean +/- std) | correlation | frames |\n");
        s.append("|---|---|---:|---:|---:|\n");
        for (Row r : rows) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.4f +/- %.4f | %.3f | %d |%n",
                            r.scheme(),
                            r.method(),
                            r.rmse(),
                            r.std(),
                            r.correlation(),
                            r.frames()));
        }
        s.append("\n![filled frames](").append(FRAMES_FILE).append(")\n");
        return s.toString();
    }
}
