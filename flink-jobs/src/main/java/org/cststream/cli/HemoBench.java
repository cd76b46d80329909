package org.cststream.cli;

import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.flink.configuration.Configuration;
import org.cststream.frame.Frame;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FramePair;
import org.cststream.job.frames.TwoChannelStages;
import org.cststream.job.frames.hemo.BatchCorrection;
import org.cststream.job.frames.hemo.FrameHighPass;
import org.cststream.job.frames.hemo.HemoMethod;
import org.cststream.job.frames.hemo.HemoSettings;
import org.cststream.job.frames.hemo.PixelQuality;
import org.cststream.model.spirals.Plot;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomSettings;
import org.cststream.replay.ReplayOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cst bench hemo}: the hemodynamic correction on phantom sessions, against their truth.
 *
 * <p>Three parts. Quality: one phantom session through the job's two-channel stages (the operators'
 * code on one thread), no correction vs regression vs MMSE, each streaming and as the
 * whole-recording batch reference, per-pixel correlation and error against the neural truth after
 * calibration. Speed: the correction alone (tiles, correction, assembly) per calcium frame at each
 * size, with the state it holds. Pipeline: the phantom through the embedded broker and the job on a
 * MiniCluster at the camera's pace, corrected tokens' latency. Writes {@code hemo-results.md}, a
 * picture of a corrected frame beside the truth and the uncorrected one, and one pixel's traces.
 */
@Command(
        name = "hemo",
        mixinStandardHelpOptions = true,
        description =
                "Hemodynamic correction on phantom sessions: quality against the truth (no"
                        + " correction, regression, MMSE; streaming and batch), speed and state at"
                        + " 256x256 and 512x512, and the pipeline's latency; table and pictures.")
final class HemoBench implements Callable<Integer> {
    private static final String ISOSBESTIC = "405nm";
    private static final String CALCIUM = "470nm";

    @Option(
            names = "--size",
            defaultValue = "256",
            description = "Side of the quality session, pixels. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--frames",
            defaultValue = "2400",
            description =
                    "Frames of the quality session, both channels. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(
            names = "--fps",
            defaultValue = "20",
            description =
                    "Frames per second, both channels (10 Hz each, as in the paper). Default:"
                            + " ${DEFAULT-VALUE}.")
    double fps;

    @Option(
            names = "--speed-sizes",
            split = ",",
            defaultValue = "256,512",
            description = "Frame sides of the speed part. Default: ${DEFAULT-VALUE}.")
    List<Integer> speedSizes;

    @Option(
            names = "--speed-frames",
            defaultValue = "900",
            description =
                    "Frames of each speed session, both channels; the steady state is timed after"
                            + " hemo.mmse.update-frames calcium frames. Default: ${DEFAULT-VALUE}.")
    int speedFrames;

    @Option(
            names = "--pipeline-frames",
            defaultValue = "400",
            description =
                    "Frames of each run through Kafka and Flink at the camera's pace (0 = skip)."
                            + " Default: ${DEFAULT-VALUE}.")
    int pipelineFrames;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Flink parallelism of the pipeline part. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the phantoms. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "cst-output/hemo",
            description = "Folder for the table and pictures. Default: ${DEFAULT-VALUE}.")
    Path out;

    private HemoSettings regression;
    private HemoSettings mmse;
    private final StringBuilder md = new StringBuilder();

    @Override
    public Integer call() throws Exception {
        HemoSettings defaults = FrameJobOptions.hemoSettings(new Configuration());
        regression = defaults.withMethod(HemoMethod.REGRESSION);
        mmse = defaults.withMethod(HemoMethod.MMSE);
        Files.createDirectories(out);
        md.append("# Hemodynamic correction on phantom sessions\n\n");
        quality();
        speed();
        if (pipelineFrames > 0) {
            pipeline();
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%n(%d cores, Java %s; `./cst bench hemo`)%n",
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version")));
        Path table = out.resolve("hemo-results.md");
        Files.writeString(table, md.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(md);
        System.out.println(
                "written: "
                        + table
                        + ", "
                        + out.resolve("hemo-frame.png")
                        + ", "
                        + out.resolve("hemo-traces.png"));
        return 0;
    }

    private PhantomRecording phantom(int side, int count) throws Exception {
        return new PhantomRecording(
                PhantomSettings.builder()
                        .size(side, side)
                        .frames(count)
                        .fps(fps)
                        .seed(seed)
                        .build());
    }

    private static TwoChannelStages stages(HemoSettings s) {
        return new TwoChannelStages(s, ISOSBESTIC, Set.of(CALCIUM), 4, 30_000_000_000L, 10, 1.0);
    }

    /** Runs the phantom's frames through dF/F and pairing, handing each pair on in order. */
    private static void pairs(
            PhantomRecording p, String task, java.util.function.Consumer<FramePair> sink)
            throws Exception {
        TwoChannelStages s = stages(null);
        try (ProgressBar bar = bar(task, p.frameCount())) {
            for (int i = 0; i < p.frameCount(); i++) {
                Frame f = p.read(i);
                f.sessionId = "bench";
                for (TwoChannelStages.Output o : s.accept(f)) {
                    sink.accept(o.pair);
                }
                bar.step();
            }
        }
        for (TwoChannelStages.Output o : s.finish()) {
            sink.accept(o.pair);
        }
    }

    private static ProgressBar bar(String task, int total) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" frames", 1)
                .setUpdateIntervalMillis(1000)
                .build();
    }

    private void quality() throws Exception {
        PhantomRecording p = phantom(size, frames);
        int pixels = size * size;
        boolean[] mask = mask(p);
        int calibration = regression.calibrationFrames();
        double hz = regression.highpassHz();
        System.out.println("quality: " + p.describe());
        TwoChannelStages r = stages(regression);
        TwoChannelStages m = stages(mmse);
        BatchCorrection batchR = new BatchCorrection(regression, size, size);
        BatchCorrection batchM = new BatchCorrection(mmse, size, size);
        FrameHighPass truthFilter = new FrameHighPass(pixels, hz);
        FrameHighPass noneFilter = new FrameHighPass(pixels, hz);
        PixelQuality qNone = new PixelQuality(mask);
        PixelQuality qR = new PixelQuality(mask);
        PixelQuality qM = new PixelQuality(mask);
        List<float[]> streamR = new ArrayList<>();
        List<float[]> streamM = new ArrayList<>();
        Picture picture = new Picture(p, mask);
        int[] k = {0};
        pairs(
                p,
                "streaming " + size + "x" + size,
                pair -> {
                    long t = pair.calcium.acquisitionNanos;
                    int index = (int) pair.calcium.frameCounter;
                    float[] truth = truthFilter.apply(p.neuralFrame(index), t);
                    float[] none = noneFilter.apply(pair.calcium.values, t);
                    TwoChannelStages.Output a = r.correct(pair);
                    TwoChannelStages.Output b = m.correct(pair);
                    if (pair.hasIsosbestic()) {
                        batchR.accumulate(pair.calcium.values, pair.isosbestic, t);
                        batchM.accumulate(pair.calcium.values, pair.isosbestic, t);
                    }
                    if (k[0] >= calibration) {
                        qNone.add(none, truth);
                        qR.add(a.corrected, truth);
                        qM.add(b.corrected, truth);
                        streamR.add(a.corrected);
                        streamM.add(b.corrected);
                        picture.offer(k[0], truth, none, a.corrected, b.corrected, t);
                    }
                    k[0]++;
                });
        batchR.solve();
        batchM.solve();
        FrameHighPass truthAgain = new FrameHighPass(pixels, hz);
        PixelQuality qBR = new PixelQuality(mask);
        PixelQuality qBM = new PixelQuality(mask);
        PixelQuality agreeR = new PixelQuality(mask);
        PixelQuality agreeM = new PixelQuality(mask);
        k[0] = 0;
        pairs(
                p,
                "batch " + size + "x" + size,
                pair -> {
                    long t = pair.calcium.acquisitionNanos;
                    float[] truth =
                            truthAgain.apply(p.neuralFrame((int) pair.calcium.frameCounter), t);
                    if (!pair.hasIsosbestic()) {
                        k[0]++;
                        return;
                    }
                    float[] a = batchR.apply(pair.calcium.values, pair.isosbestic, t);
                    float[] b = batchM.apply(pair.calcium.values, pair.isosbestic, t);
                    if (k[0] >= calibration) {
                        int j = k[0] - calibration;
                        qBR.add(a, truth);
                        qBM.add(b, truth);
                        agreeR.add(streamR.get(j), a);
                        agreeM.add(streamM.get(j), b);
                        picture.batch(k[0], b);
                    }
                    k[0]++;
                });
        md.append(
                String.format(
                        Locale.ROOT,
                        "## Quality against the truth%n%n"
                                + "Phantom %dx%d, %d frames at %.0f frames/s (470/405 nm, %.0f Hz"
                                + " each), %s; %d brain pixels (glint excluded), %d calcium"
                                + " frames after the %d-frame calibration. Per pixel: correlation"
                                + " of the estimate with the neural truth and its error (RMSE"
                                + " divided by the truth's standard deviation), both after the"
                                + " correction's %.1f Hz high-pass (applied to the truth too, so"
                                + " the table measures the correction, not the detrending); median"
                                + " and quartiles over pixels. \"Agreement\" is the median"
                                + " per-pixel correlation between the streaming and the batch"
                                + " output.%n%n",
                        size,
                        size,
                        frames,
                        fps,
                        fps / 2,
                        p.neuralSource(),
                        qNone.summary().pixels(),
                        qNone.summary().frames(),
                        calibration,
                        hz));
        md.append(
                "| correction | mode | correlation, median (q25-q75) | error, median |"
                        + " agreement with batch |\n");
        md.append("|---|---|---|---|---|\n");
        row("none", "-", qNone.summary(), Double.NaN);
        row("regression", "streaming", qR.summary(), agreeR.summary().medianCorrelation());
        row("regression", "batch", qBR.summary(), Double.NaN);
        row("MMSE", "streaming", qM.summary(), agreeM.summary().medianCorrelation());
        row("MMSE", "batch", qBM.summary(), Double.NaN);
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nMMSE pixels flagged implausible by the batch estimator: %d; regression"
                                + " tiles %dx%d, MMSE blocks %dx%d with a margin of %d (%d-pixel"
                                + " neighbourhoods), estimators every %d frames.%n%n",
                        batchM.implausiblePixels(),
                        regression.tileSize(),
                        regression.tileSize(),
                        mmse.block(),
                        mmse.block(),
                        mmse.margin(),
                        (mmse.block() + 2 * mmse.margin()) * (mmse.block() + 2 * mmse.margin()),
                        mmse.updateFrames()));
        picture.write(out);
        md.append(
                "Pictures: `hemo-frame.png` (one frame: truth, uncorrected, regression, MMSE"
                        + " streaming and batch), `hemo-traces.png` (the pixel whose truth varies"
                        + " most, over the last 30 s).\n\n");
    }

    private void row(String method, String mode, PixelQuality.Summary s, double agreement) {
        md.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %s | %.3f (%.3f-%.3f) | %.3f | %s |%n",
                        method,
                        mode,
                        s.medianCorrelation(),
                        s.q25Correlation(),
                        s.q75Correlation(),
                        s.medianNrmse(),
                        Double.isNaN(agreement)
                                ? "-"
                                : String.format(Locale.ROOT, "%.3f", agreement)));
    }

    private static boolean[] mask(PhantomRecording p) {
        boolean[] mask = new boolean[p.width() * p.height()];
        float[] brain = p.brainMask();
        boolean[] saturated = p.saturatedMask();
        for (int i = 0; i < mask.length; i++) {
            mask[i] = brain[i] > 0.9f && !saturated[i];
        }
        return mask;
    }

    private void speed() throws Exception {
        md.append("## Speed of the correction and the state it holds\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "The correction's own work per calcium frame (cut into tiles, correct,"
                                + " z-score, put together) on one thread. Steady state: after"
                                + " the first %d calcium frames (calibration, then the MMSE"
                                + " estimators recomputed as their samples double); frames/s is 1"
                                + " / mean time. The last column is the mean during those first"
                                + " frames after calibration. The job spreads the tiles over its"
                                + " task slots.%n%n",
                        mmse.updateFrames()));
        md.append(
                "| frame | correction | frames/s | p50 ms | p99 ms | estimators/frame | state"
                        + " MB | ms/frame while calibrating |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (int side : speedSizes) {
            PhantomRecording p = phantom(side, speedFrames);
            System.out.println("speed: " + p.describe());
            TwoChannelStages r = stages(regression);
            TwoChannelStages m = stages(mmse);
            List<Long> tr = new ArrayList<>();
            List<Long> tm = new ArrayList<>();
            List<Long> er = new ArrayList<>();
            List<Long> em = new ArrayList<>();
            long[] updates = {0};
            int calibration = regression.calibrationFrames();
            int steady = Math.max(calibration, mmse.updateFrames());
            int[] k = {0};
            pairs(
                    p,
                    "speed " + side + "x" + side,
                    pair -> {
                        TwoChannelStages.Output a = r.correct(pair);
                        TwoChannelStages.Output b = m.correct(pair);
                        if (k[0] >= steady) {
                            tr.add(a.correctionNanos);
                            tm.add(b.correctionNanos);
                            updates[0] += b.estimatorUpdates;
                        } else if (k[0] >= calibration) {
                            er.add(a.correctionNanos);
                            em.add(b.correctionNanos);
                        }
                        k[0]++;
                    });
            speedRow(side, "regression", tr, 0, r.stateBytes(), er);
            speedRow(side, "MMSE", tm, updates[0], m.stateBytes(), em);
        }
        md.append('\n');
    }

    private void speedRow(
            int side, String method, List<Long> nanos, long updates, long bytes, List<Long> early) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        double earlyMean = early.stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
        md.append(
                String.format(
                        Locale.ROOT,
                        "| %dx%d | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                        side,
                        side,
                        method,
                        1e9 / mean,
                        percentile(sorted, 0.5) / 1e6,
                        percentile(sorted, 0.99) / 1e6,
                        sorted.isEmpty() ? 0.0 : (double) updates / sorted.size(),
                        bytes / 1e6,
                        earlyMean / 1e6));
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private void pipeline() throws Exception {
        int side = Math.min(size, 256);
        md.append("## Through Kafka and Flink at the camera's pace\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "A %dx%d phantom of %d frames replayed at %.0f frames/s through the"
                                + " embedded broker and the frame job (parallelism %d); latency is"
                                + " host receipt of a calcium frame to its corrected token record"
                                + " being readable (it includes the wait for the next isosbestic"
                                + " frame, one frame period).%n%n",
                        side,
                        side,
                        pipelineFrames,
                        fps,
                        parallelism));
        md.append(
                "| correction | frames/s | p50 ms | p99 ms | correlation with truth (uncorrected)"
                        + " |\n");
        md.append("|---|---|---|---|---|\n");
        for (HemoMethod method : new HemoMethod[] {HemoMethod.REGRESSION, HemoMethod.MMSE}) {
            PhantomRecording p = phantom(side, pipelineFrames);
            System.out.println("pipeline: " + method + ", " + p.describe());
            Cst.Run run = new Cst.Run();
            new CommandLine(run).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
            Configuration job = run.job.toConfiguration();
            job.set(FrameJobOptions.CHANNEL_ORDER, p.channelWavelengths());
            job.set(FrameJobOptions.HEMO_METHOD, method);
            ReplayOptions replay =
                    ReplayOptions.builder()
                            .sessionId(
                                    "hemo-"
                                            + method.name().toLowerCase(Locale.ROOT)
                                            + "-"
                                            + System.nanoTime())
                            .fps(fps)
                            .showProgress(System.console() != null)
                            .build();
            RunReport report =
                    LocalPipeline.run(p, replay, job, parallelism, Duration.ofMinutes(10), p);
            HemoSummary h = report.hemo();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.1f | %.1f | %.1f | %s |%n",
                            method.name().toLowerCase(Locale.ROOT),
                            report.framesPerSecond(),
                            report.latencyP50Millis(),
                            report.latencyP99Millis(),
                            h == null || h.pixels() == 0
                                    ? "-"
                                    : String.format(
                                            Locale.ROOT,
                                            "%.3f (%.3f)",
                                            h.correctedCorrelation(),
                                            h.uncorrectedCorrelation())));
        }
    }

    /**
     * Keeps what the pictures need: the frame where the truth varies most across the brain (a
     * visual response, with stimuli), and the traces of the pixel whose truth varies most.
     */
    private static final class Picture {
        private final PhantomRecording p;
        private final boolean[] mask;
        private final int pixel;
        private double bestSpread = -1;
        private int bestIndex = -1;
        private float[][] frame;
        private float[] batchFrame;
        private final List<double[]> traces = new ArrayList<>();

        Picture(PhantomRecording p, boolean[] mask) {
            this.p = p;
            this.mask = mask;
            this.pixel = strongestVisualPixel(p, mask);
        }

        private static int strongestVisualPixel(PhantomRecording p, boolean[] mask) {
            // the pixel whose truth varies most over the first seconds of stimuli
            int n = p.width() * p.height();
            double[] s = new double[n];
            double[] s2 = new double[n];
            int count = Math.min(p.frameCount(), 200);
            for (int i = 0; i < count; i++) {
                float[] t = p.neuralFrame(i);
                for (int q = 0; q < n; q++) {
                    s[q] += t[q];
                    s2[q] += t[q] * t[q];
                }
            }
            int best = 0;
            double bestVar = -1;
            for (int q = 0; q < n; q++) {
                double var = s2[q] / count - (s[q] / count) * (s[q] / count);
                if (mask[q] && var > bestVar) {
                    bestVar = var;
                    best = q;
                }
            }
            return best;
        }

        void offer(int k, float[] truth, float[] none, float[] r, float[] m, long nanos) {
            traces.add(new double[] {nanos / 1e9, truth[pixel], none[pixel], r[pixel], m[pixel]});
            double spread = 0;
            for (int q = 0; q < truth.length; q++) {
                if (mask[q]) {
                    spread += truth[q] * truth[q];
                }
            }
            if (spread > bestSpread) {
                bestSpread = spread;
                bestIndex = k;
                frame = new float[][] {truth.clone(), none.clone(), r.clone(), m.clone()};
            }
        }

        void batch(int k, float[] mmseBatch) {
            if (k == bestIndex) {
                batchFrame = mmseBatch.clone();
            }
        }

        void write(Path dir) throws java.io.IOException {
            if (frame == null) {
                return;
            }
            int w = p.width();
            int h = p.height();
            double range = 0;
            for (int q = 0; q < frame[0].length; q++) {
                if (mask[q]) {
                    range = Math.max(range, Math.abs(frame[0][q]));
                }
            }
            range = Math.max(range, 1e-4);
            String[] titles = {
                "truth (neural dF/F)", "uncorrected dF/F", "regression", "MMSE", "MMSE, batch"
            };
            List<Plot> panels = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                float[] v = i < 4 ? frame[i] : batchFrame;
                if (v == null) {
                    continue;
                }
                float[] shown = v.clone();
                for (int q = 0; q < shown.length; q++) {
                    if (!mask[q]) {
                        shown[q] = Float.NaN;
                    }
                }
                panels.add(
                        new Plot(titles[i], "column", "row from the bottom")
                                .image(shown, w, h, -range, range));
            }
            Plot.writePng(
                    Plot.render(panels, panels.size(), 300, 300), dir.resolve("hemo-frame.png"));
            int from = Math.max(0, traces.size() - 300);
            int n = traces.size() - from;
            double[][] series = new double[5][n];
            for (int i = 0; i < n; i++) {
                double[] row = traces.get(from + i);
                for (int c = 0; c < 5; c++) {
                    series[c][i] = row[c];
                }
            }
            Plot plot =
                    new Plot(
                                    "the pixel whose truth varies most (row "
                                            + pixel / w
                                            + ", column "
                                            + pixel % w
                                            + "), dF/F after the high-pass",
                                    "time, s",
                                    "dF/F")
                            .line(series[0], series[2], new Color(0xBBBBBB), 1f, "uncorrected")
                            .line(series[0], series[3], new Color(0x1F77B4), 1.2f, "regression")
                            .line(series[0], series[4], new Color(0xD62728), 1.2f, "MMSE")
                            .line(series[0], series[1], Color.BLACK, 1.5f, "truth");
            Plot.writePng(
                    Plot.renderWithLegendStrip(List.of(plot), 1, 1000, 360),
                    dir.resolve("hemo-traces.png"));
        }
    }
}
