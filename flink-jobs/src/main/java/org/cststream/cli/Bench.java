package org.cststream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.SyntheticRecording;
import org.cststream.replay.ReplayOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The throughput benchmark: replays at full speed through the embedded broker and the job, and
 * prints sustained frames/s and latency p50/p99 for the real mesoscope frames and for generated
 * 512x512 uint16 frames. A benchmark prints figures; it never fails on a slow machine.
 */
@Command(
        name = "bench",
        subcommands = {
            SpiralsBench.class,
            ModelBench.class,
            FillBench.class,
            CstStreamBench.class,
            HemoBench.class,
            SourcesBench.class,
            ServerBench.class,
            DecodeBench.class,
            SoakBench.class
        },
        mixinStandardHelpOptions = true,
        description =
                "Print sustained frames/s and latency p50/p99 of the main job at full"
                        + " speed, for the real frames and for 512x512 uint16 frames.")
final class Bench implements Callable<Integer> {
    @Option(
            names = "--real",
            defaultValue = "${sys:cst.shared.dir:-../shared}/data/improv-mesoscope/frames",
            description = "Real recording to replay. Default: ${DEFAULT-VALUE}.")
    Path real;

    @Option(
            names = "--repeat",
            defaultValue = "3",
            description =
                    "Replays of the real recording back to back (300 frames each)."
                            + " Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(
            names = "--large-frames",
            defaultValue = "1500",
            description = "Generated 512x512 uint16 frames. Default: ${DEFAULT-VALUE}.")
    int largeFrames;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "1",
            description = "Flink parallelism. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        List<String> rows = new ArrayList<>();
        if (Files.isDirectory(real)) {
            try (RecordingReader r =
                    new RepeatedRecording(
                            new InMemoryRecording(Recordings.open(real), 300), repeat)) {
                rows.add(measure("real 440x256 int16, full speed", r, 0));
            }
            try (RecordingReader r = new InMemoryRecording(Recordings.open(real), 300)) {
                rows.add(measure("real 440x256 int16, 30 fps", r, 30));
            }
        } else {
            System.out.println("skipping real frames: " + real + " not found");
        }
        // a cycle of 100 generated frames in memory, so the generator does not set the pace
        try (RecordingReader r =
                new RepeatedRecording(
                        new InMemoryRecording(new SyntheticRecording(7, 100, 512, 512, 30.0), 100),
                        Math.max(1, largeFrames / 100))) {
            rows.add(measure("512x512 uint16, full speed", r, 0));
        }
        System.out.println();
        System.out.println(
                String.format(
                        "%-34s %8s %10s %10s %10s",
                        "input", "frames", "frames/s", "p50 ms", "p99 ms"));
        rows.forEach(System.out::println);
        System.out.println(
                "("
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, "
                        + "parallelism "
                        + parallelism
                        + ", embedded broker, latency = host receipt to"
                        + " token record readable by a consumer)");
        return 0;
    }

    /** Replays {@code r} at {@code fps}, or as fast as possible when 0, and reports. */
    private String measure(String name, RecordingReader r, double fps) throws Exception {
        System.out.println("benchmark: " + name + ", " + r.frameCount() + " frames");
        ReplayOptions replay =
                ReplayOptions.builder()
                        .sessionId("bench-" + System.nanoTime())
                        .asFastAsPossible(fps == 0)
                        .fps(fps == 0 ? 30 : fps)
                        .showProgress(true)
                        .build();
        Configuration job = defaults();
        RunReport report = LocalPipeline.run(r, replay, job, parallelism, Duration.ofMinutes(10));
        return String.format(
                "%-34s %8d %10.1f %10.1f %10.1f",
                name,
                report.framesOut(),
                report.framesPerSecond(),
                report.latencyP50Millis(),
                report.latencyP99Millis());
    }

    /** The default job options, as {@code cst run} would use them. */
    private static Configuration defaults() {
        Cst.Run run = new Cst.Run();
        new CommandLine(run).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
        return run.job.toConfiguration();
    }
}
