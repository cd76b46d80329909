package org.cststream.source.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.NpyFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelSourcesTest {
    private final MockProducer<String, byte[]> kafka =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private LabelPublisher publisher(String topic, String source) {
        return new LabelPublisher("127.0.0.1:1", Map.of(), topic, source, registry, p -> kafka);
    }

    private static Path higley(String file) {
        Path p =
                Paths.get(System.getProperty("cst.shared.dir", "../../shared"))
                        .resolve("data/higley-widefield")
                        .resolve(file)
                        .toAbsolutePath()
                        .normalize();
        assumeTrue(Files.exists(p), "shared data absent: " + p);
        return p;
    }

    @Test
    void stimulusRowsBecomeEventsOnTheSessionClockWithTheirOtherColumnsAsFields() {
        StimulusLog log =
                new StimulusLog(
                        Path.of("log.csv"),
                        "onset_ms, duration_ms, contrast, stimulus",
                        "s1",
                        "stimulus",
                        2.5);

        StimulusEvent e = log.parse("1500, 250, 0.25, \"grating, 45 deg\"", 2, 0);

        assertThat(e.onsetNanos()).isEqualTo(4_000_000_000L);
        assertThat(e.durationNanos()).isEqualTo(250_000_000L);
        assertThat(e.fields())
                .containsEntry("contrast", 0.25)
                .containsEntry("stimulus", "grating, 45 deg");
        assertThatThrownBy(() -> log.parse("soon, 250, 0.25, x", 7, 1))
                .hasMessageContaining("log.csv:7")
                .hasMessageContaining("onset_ms")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> log.parse("1, 2", 8, 1))
                .hasMessageContaining("2 fields but the header has 4");
        assertThatThrownBy(() -> new StimulusLog(Path.of("x.csv"), "a,b", "s", "stimulus", 0))
                .hasMessageContaining("no onset column");
    }

    @Test
    void recordsSurviveTheirJsonRoundTrip() throws Exception {
        StimulusEvent e =
                new StimulusEvent("s", "ttl", 3, 10, 0, Map.of("line", 2.0, "edge", "rising"));
        BehaviourSample b =
                new BehaviourSample("s", 4, 20, Map.of("pupil", 0.5, "wheel", Double.NaN));

        StimulusEvent e2 = LabelCodec.decodeStimulus(LabelCodec.encode(e));
        BehaviourSample b2 = LabelCodec.decodeBehaviour(LabelCodec.encode(b));

        assertThat(e2).isEqualTo(e);
        assertThat(b2.values().get("pupil")).isEqualTo(0.5);
        assertThat(b2.values().get("wheel")).isNaN();
        assertThat(new String(LabelCodec.encode(b))).contains("\"wheel\":null");
        assertThatThrownBy(() -> LabelCodec.decodeBehaviour(LabelCodec.encode(e)))
                .hasMessageContaining("not a cst.behaviour record");
    }

    @Test
    void theRealBehaviourTracesArePublishedSampleBySample() throws Exception {
        Path traces = higley("behavior_pupil_wheel_whisking_3x4000_float64.npy");
        Path times = higley("time_seconds_4000_float64.npy");
        List<BehaviourSample> samples =
                BehaviourTraces.fromNpy(
                        traces, times, List.of("pupil", "wheel", "whisking"), "higley", 0);
        double[] x = NpyFormat.readNumbers(traces).values();
        double[] t = NpyFormat.readNumbers(times).values();

        long sent;
        try (LabelPublisher out = publisher("cst.behaviour", "behaviour")) {
            sent = new LabelSource(out, 0).publishBehaviour(samples, null);
        }

        assertThat(sent).isEqualTo(4000);
        List<ProducerRecord<String, byte[]>> records = kafka.history();
        assertThat(records).hasSize(4000);
        for (int i = 0; i < 4000; i += 397) {
            BehaviourSample s = LabelCodec.decodeBehaviour(records.get(i).value());
            assertThat(records.get(i).key()).isEqualTo("higley");
            assertThat(s.index()).isEqualTo(i);
            assertThat(s.timeNanos()).isEqualTo(Math.round(t[i] * 1e9));
            assertThat(s.values())
                    .containsExactly(
                            Map.entry("pupil", x[i]),
                            Map.entry("wheel", x[4000 + i]),
                            Map.entry("whisking", x[8000 + i]));
        }
        assertThat(
                        registry.get(MetricNames.SOURCE_LABELS_PUBLISHED)
                                .tag(MetricNames.TAG_SOURCE, "behaviour")
                                .counter()
                                .count())
                .isEqualTo(4000);
    }

    @Test
    void aFollowedLogIsPublishedAsItGrowsAndABadRowIsSkippedAndCounted(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("ttl.csv");
        Files.writeString(file, "# TTL lines of rig A\ntime,line,edge\n0.5,1,rising\n");
        CompletableFuture<Void> writer =
                CompletableFuture.runAsync(
                        () -> {
                            try (OutputStream out =
                                    Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                                Thread.sleep(200);
                                out.write("0.75,1,fal".getBytes());
                                out.flush();
                                Thread.sleep(200);
                                out.write("ling\nnot-a-time,2,rising\n1.25,2,rising\n".getBytes());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        long[] result;
        try (LabelPublisher out = publisher("cst.stimulus", "stimulus");
                LogFollower lines =
                        new LogFollower(
                                file, true, Duration.ofMillis(800), Duration.ofMillis(20))) {
            result =
                    new LabelSource(out, 0)
                            .publishStimulus(
                                    lines,
                                    h -> new StimulusLog(file, h, "rig-a", "ttl", 0),
                                    registry,
                                    null);
        }
        writer.get(10, TimeUnit.SECONDS);

        assertThat(result).containsExactly(3, 1);
        List<StimulusEvent> events = new ArrayList<>();
        for (ProducerRecord<String, byte[]> r : kafka.history()) {
            events.add(LabelCodec.decodeStimulus(r.value()));
        }
        assertThat(events)
                .extracting(StimulusEvent::onsetNanos)
                .containsExactly(500_000_000L, 750_000_000L, 1_250_000_000L);
        assertThat(events.get(1).fields()).containsEntry("edge", "falling");
        assertThat(events).allMatch(e -> e.kind().equals("ttl") && e.durationNanos() == 0);
        assertThat(
                        registry.get(MetricNames.SOURCE_REJECTED)
                                .tag(MetricNames.TAG_SOURCE, "stimulus")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    @Test
    void pacingFollowsTheRecordsOwnTimes() throws Exception {
        List<BehaviourSample> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            samples.add(
                    new BehaviourSample(
                            "s", i, 1_000_000_000L + i * 100_000_000L, Map.of("x", 1.0)));
        }
        long start = System.nanoTime();
        try (LabelPublisher out = publisher("t", "behaviour")) {
            new LabelSource(out, 2).publishBehaviour(samples, null);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("0.4 s of samples at twice real time").isGreaterThanOrEqualTo(190);
    }

    @Test
    void aLogLineLongerThanTheLimitIsAnErrorNamingTheLineNotUnboundedMemory(@TempDir Path tmp)
            throws Exception {
        Path file = tmp.resolve("binary.log");
        byte[] noNewline = new byte[LogFollower.MAX_LINE_BYTES + 10];
        java.util.Arrays.fill(noNewline, (byte) 'x');
        Files.write(file, ("onset\n0.5\n").getBytes());
        Files.write(file, noNewline, StandardOpenOption.APPEND);

        try (LogFollower lines =
                new LogFollower(file, false, Duration.ZERO, Duration.ofMillis(10))) {
            assertThat(lines.nextLine()).isEqualTo("onset");
            assertThat(lines.nextLine()).isEqualTo("0.5");
            assertThatThrownBy(lines::nextLine)
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("binary.log: line 3 is longer than 1048576 bytes");
        }
    }
}
