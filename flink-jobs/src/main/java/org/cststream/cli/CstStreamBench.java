package org.cststream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.serving.ModelServerProcess;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomSettings;
import org.cststream.replay.ReplayOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cst bench cst}: the CST stage in the running job, at the rig's frame rate: time of one
 * model call (per window) and latency from a window's newest frame to its grid times on the filled
 * topic, with the model in the task and in the model server.
 */
@Command(
        name = "cst",
        mixinStandardHelpOptions = true,
        description =
                "Run the job with its CST stage on the real mesoscope frames (30 frames/s) and on"
                        + " a two-channel 256x256 phantom (20 frames/s), paced like a camera with"
                        + " 5%% of frames dropped, the model in the task and in the model server;"
                        + " print model-call time and end-to-end latency p50/p99.")
final class CstStreamBench implements Callable<Integer> {
    @Option(
            names = "--real",
            defaultValue = "${sys:cst.shared.dir:-../shared}/data/improv-mesoscope/frames",
            description = "Real recording. Default: ${DEFAULT-VALUE}.")
    Path real;

    @Option(
            names = "--phantom-frames",
            defaultValue = "600",
            description = "Frames of the phantom (both channels). Default: ${DEFAULT-VALUE}.")
    int phantomFrames;

    @Option(
            names = "--step",
            defaultValue = "5",
            description =
                    "Grid times each window emits (cst.window-step). Default: ${DEFAULT-VALUE}.")
    int step;

    private record Row(
            String input,
            String mode,
            long gridTimes,
            long filled,
            double callP50,
            double callP99,
            double latencyP50,
            double latencyP99) {}

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("cst-bench-cst-");
        List<Row> rows = new ArrayList<>();
        if (Files.isDirectory(real)) {
            try (RecordingReader r = Recordings.open(real)) {
                rows.addAll(measure("real 440x256, 1 channel, 30/s", r, 30, work, "real"));
            }
        } else {
            System.out.println("skipping real frames: " + real + " not found");
        }
        try (RecordingReader r =
                new PhantomRecording(
                        PhantomSettings.builder()
                                .size(256, 256)
                                .frames(phantomFrames)
                                .fps(20)
                                .build())) {
            rows.addAll(measure("phantom 256x256, 2 channels, 20/s", r, 20, work, "phantom"));
        }
        System.out.println();
        System.out.println(
                "| input | model | grid times (filled) | model call p50 / p99 ms |"
                        + " newest frame to filled output p50 / p99 ms |");
        System.out.println("|---|---|---:|---:|---:|");
        for (Row r : rows) {
            System.out.println(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %d (%d) | %.1f / %.1f | %.1f / %.1f |",
                            r.input(),
                            r.mode(),
                            r.gridTimes(),
                            r.filled(),
                            r.callP50(),
                            r.callP99(),
                            r.latencyP50(),
                            r.latencyP99()));
        }
        System.out.println(
                "("
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, device "
                        + CstModel.defaultDevice()
                        + ", window step "
                        + step
                        + ", untrained CstConfig.widefieldSmall(16) models: speed does not depend"
                        + " on training)");
        return 0;
    }

    private List<Row> measure(String name, RecordingReader r, double fps, Path work, String tag)
            throws Exception {
        int channels = Math.max(1, r.channelWavelengths().size());
        int gridRows = (r.height() + 15) / 16;
        int gridCols = (r.width() + 15) / 16;
        Path model = work.resolve(tag + "-model");
        CstConfig config = CstConfig.widefieldSmall(16);
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode notes = json.createObjectNode();
            notes.set(
                    WindowLayout.NOTES_KEY,
                    json.valueToTree(new WindowLayout(gridRows, gridCols, 16, channels / fps, 10)));
            m.save(model, notes);
        }
        List<Row> rows = new ArrayList<>();
        rows.add(run(name, "in the task", r, fps, model, null));
        try (ModelServerProcess server =
                ModelServerProcess.start(
                        model,
                        List.of(),
                        List.of("-Xmx2g", "-Dai.djl.pytorch.num_threads=1"),
                        work.resolve(tag + "-server.log"),
                        Duration.ofMinutes(2))) {
            rows.add(run(name, "model server", r, fps, model, server.uri().toString()));
        }
        return rows;
    }

    private Row run(
            String name, String mode, RecordingReader r, double fps, Path model, String server)
            throws Exception {
        System.out.println(
                "benchmark: "
                        + name
                        + ", model "
                        + (server == null ? "in the task" : "in the server"));
        for (Meter meter : CstMetrics.registry().find(MetricNames.FILL_INFERENCE).meters()) {
            CstMetrics.registry().remove(meter);
        }
        Cst.Run run = new Cst.Run();
        new picocli.CommandLine(run).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
        Configuration job = run.job.toConfiguration();
        job.set(CstOptions.MODEL, model.toString());
        job.set(CstOptions.WINDOW_STEP, step);
        if (server != null) {
            job.set(CstOptions.INFERENCE, CstOptions.Inference.SERVER);
            job.set(CstOptions.SERVER_URL, server);
        }
        if (!r.channelWavelengths().isEmpty()) {
            job.set(FrameJobOptions.CHANNEL_ORDER, r.channelWavelengths());
        }
        ReplayOptions replay =
                ReplayOptions.builder()
                        .sessionId("bench-cst-" + System.nanoTime())
                        .fps(fps)
                        .dropFraction(0.05)
                        .jitterNanos(1_000_000)
                        .showProgress(true)
                        .build();
        RunReport report = LocalPipeline.run(r, replay, job, 1, Duration.ofMinutes(10));
        Timer calls = CstMetrics.registry().find(MetricNames.FILL_INFERENCE).timer();
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (calls != null) {
            for (ValueAtPercentile v : calls.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.5) {
                    p50 = v.value(TimeUnit.MILLISECONDS);
                } else if (v.percentile() == 0.99) {
                    p99 = v.value(TimeUnit.MILLISECONDS);
                }
            }
        }
        RunReport.CstSummary cst = report.cst();
        return new Row(
                name,
                mode,
                cst == null ? 0 : cst.gridTimes(),
                cst == null ? 0 : cst.filled(),
                p50,
                p99,
                cst == null ? Double.NaN : cst.latencyP50Millis(),
                cst == null ? Double.NaN : cst.latencyP99Millis());
    }
}
