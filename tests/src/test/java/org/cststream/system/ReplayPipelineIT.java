package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cststream.cli.LocalPipeline;
import org.cststream.cli.RunReport;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.PixelConversion;
import org.cststream.frame.TokenCodec;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.replay.FaultPlan;
import org.cststream.replay.ReplayOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real mesoscope frames through a real Kafka broker and the frame job on a Flink MiniCluster,
 * checked frame by frame against a computation written here from the definitions.
 */
class ReplayPipelineIT {
    private static final int FRAMES = 300;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Configuration job(String prefix) {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        c.set(FrameJobOptions.GROUP_ID, prefix);
        c.set(FrameJobOptions.FRAMES_TOPIC, prefix + ".frames");
        c.set(FrameJobOptions.DFF_TOPIC, prefix + ".dff");
        c.set(FrameJobOptions.TOKENS_TOPIC, prefix + ".tokens");
        c.set(FrameJobOptions.EVENTS_TOPIC, prefix + ".events");
        c.set(FrameJobOptions.DEAD_LETTER_TOPIC, prefix + ".deadletter");
        c.set(FrameJobOptions.PATCH_SIZE, 16);
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        return c;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
        try (OutputReader reader =
                new OutputReader(broker.bootstrapServers(), Map.of(), List.of(topic))) {
            return reader.readUntil(r -> r.size() >= expected, Duration.ofSeconds(60));
        }
    }

    /** Reads the raw int16 frames straight from the .npy files: header length, then pixels. */
    private static List<float[]> rawFrames(Path dir) throws IOException {
        List<float[]> frames = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".npy")).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(p);
                ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                int header = 10 + (b.getShort(8) & 0xFFFF);
                int n = (bytes.length - header) / 2;
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = b.getShort(header + 2 * i);
                }
                frames.add(f);
            }
        }
        return frames;
    }

    @Test
    void outputDffEqualsAStraightforwardComputationAndTokensReassembleToTheFrame(
            @TempDir Path npyDir) throws Exception {
        Path dir = SharedData.improvFrames();
        Configuration config = job("exact");
        config.set(FrameJobOptions.OUTPUT_DIR, npyDir.toString());
        ReplayOptions replay =
                ReplayOptions.builder()
                        .sessionId("improv")
                        .fps(30)
                        .asFastAsPossible(true)
                        .showProgress(false)
                        .build();

        RunReport report;
        try (RecordingReader recording = Recordings.open(dir)) {
            report = LocalPipeline.run(recording, replay, config, 1, Duration.ofMinutes(3));
        }
        List<ConsumerRecord<String, byte[]>> dff = readAll("exact.dff", FRAMES);
        List<ConsumerRecord<String, byte[]>> tokens = readAll("exact.tokens", FRAMES);

        assertThat(report.framesIn()).isEqualTo(FRAMES);
        assertThat(report.framesOut()).isEqualTo(FRAMES);
        assertThat(report.dropped()).isZero();
        assertThat(report.rejected()).isZero();
        assertThat(report.duplicates()).isZero();
        assertThat(dff).hasSize(FRAMES);
        assertThat(tokens).hasSize(FRAMES);
        try (Stream<Path> files = Files.list(npyDir.resolve("improv").resolve("470nm"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".npy")).count()).isEqualTo(FRAMES);
        }
        assertThat(
                        CstMetrics.registry()
                                .find(MetricNames.KAFKA_LAG)
                                .tag(MetricNames.TAG_TOPIC, "exact.frames")
                                .gauges())
                .isNotEmpty();

        // dF/F from the definition: F0 = running mean over 10 frames, then exponential with
        // weight 1 - exp(-dt / 30 s); saturated pixels skip the update; F0 < 1 gives 0
        List<float[]> raw = rawFrames(dir);
        double[] f0 = new double[raw.get(0).length];
        long lastNanos = 0;
        for (int k = 0; k < FRAMES; k++) {
            Frame out = FrameCodec.decode(dff.get(k).value());
            assertThat(out.frameCounter).isEqualTo(k);
            assertThat(out.height).isEqualTo(440);
            assertThat(out.width).isEqualTo(256);
            float[] got = PixelConversion.toFloats(out);
            double w =
                    k < 10
                            ? 1.0 / (k + 1)
                            : 1 - Math.exp(-(out.acquisitionNanos - lastNanos) / 30e9);
            lastNanos = out.acquisitionNanos;
            float[] f = raw.get(k);
            for (int i = 0; i < f.length; i++) {
                double expected = 0;
                if (f[i] < 32767) {
                    f0[i] += (f[i] - f0[i]) * w;
                    expected = f0[i] < 1.0 ? 0 : (f[i] - f0[i]) / f0[i];
                }
                if (Math.abs(got[i] - expected) > 1e-4 * Math.max(1, Math.abs(expected))) {
                    throw new AssertionError(
                            "frame "
                                    + k
                                    + " pixel "
                                    + i
                                    + ": job "
                                    + got[i]
                                    + ", definition "
                                    + expected);
                }
            }

            if (k % 50 == 0) {
                try (RecordingReader file =
                        Recordings.open(
                                npyDir.resolve("improv")
                                        .resolve("470nm")
                                        .resolve(String.format("dff_%08d.npy", k)))) {
                    assertThat(PixelConversion.toFloats(file.read(0))).containsExactly(got);
                }
            }

            PatchTokens t = TokenCodec.decode(tokens.get(k).value());
            assertThat(t.frameCounter).isEqualTo(k);
            assertThat(t.gridRows * t.patchSize).isEqualTo(448);
            for (int y = 0; y < out.height; y++) {
                for (int x = 0; x < out.width; x++) {
                    if (t.valueAt(y, x) != got[y * out.width + x]) {
                        throw new AssertionError(
                                "frame "
                                        + k
                                        + " token value at ("
                                        + y
                                        + ","
                                        + x
                                        + ") differs from the dF/F frame");
                    }
                }
            }
        }
    }

    @Test
    void countsExactlyTheInjectedDropsAndEmitsNoFrameTwice() throws Exception {
        Path dir = SharedData.improvFrames();
        Configuration config = job("faults");
        ReplayOptions replay =
                ReplayOptions.builder()
                        .sessionId("improv-faults")
                        .fps(30)
                        .asFastAsPossible(true)
                        .dropFraction(0.05)
                        .reorderFraction(0.1)
                        .reorderDistance(3)
                        .jitterNanos(2_000_000)
                        .seed(42)
                        .showProgress(false)
                        .build();
        FaultPlan plan = FaultPlan.plan(FRAMES, replay);

        RunReport report;
        try (RecordingReader recording = Recordings.open(dir)) {
            report = LocalPipeline.run(recording, replay, config, 1, Duration.ofMinutes(3));
        }
        List<ConsumerRecord<String, byte[]>> events = readAll("faults.events", 1);
        TreeSet<Long> reportedMissing = new TreeSet<>();
        for (ConsumerRecord<String, byte[]> r : events) {
            SessionEvent e = OutputReader.event(r);
            if (SessionEvent.GAP.equals(e.type)) {
                for (long c = e.fromCounter; c <= e.toCounter; c++) {
                    reportedMissing.add(c);
                }
            }
        }
        List<Long> outCounters = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : readAll("faults.tokens", FRAMES - 15)) {
            outCounters.add(TokenCodec.decode(r.value()).frameCounter);
        }

        assertThat(plan.reorderedPairs()).isPositive();
        assertThat(report.injectedDrops()).isEqualTo(15);
        assertThat(report.dropped()).isEqualTo(15);
        assertThat(reportedMissing)
                .containsExactlyElementsOf(
                        plan.dropped().stream().map(Integer::longValue).toList());
        assertThat(report.duplicates()).isZero();
        assertThat(outCounters).hasSize(FRAMES - 15).doesNotHaveDuplicates().isSorted();
    }
}
