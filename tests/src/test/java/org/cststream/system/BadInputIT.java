package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cststream.cli.LocalPipeline;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.PixelConversion;
import org.cststream.frame.PixelType;
import org.cststream.frame.TokenCodec;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.Outputs;
import org.cststream.job.frames.SessionEvent;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.window.WindowLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalogue of bad input through one running job (real broker, MiniCluster, the CST stage on):
 * each session carries one kind of bad input, and each ends with its documented outcome (a dead
 * letter with its reason, frames passed on and counted, an event) while the job stays up and the
 * other sessions' frames all come out.
 */
class BadInputIT {
    private static final long PERIOD = 33_333_333L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static Frame frame(String session, long counter, int width, int height) {
        Frame f = new Frame();
        f.sessionId = session;
        f.cameraId = "cam";
        f.frameCounter = counter;
        f.channelNm = 470;
        f.acquisitionNanos = counter * PERIOD;
        f.hostReceiveNanos = System.currentTimeMillis() * 1_000_000L;
        f.width = width;
        f.height = height;
        f.pixelType = PixelType.UINT16;
        ByteBuffer b = ByteBuffer.allocate(width * height * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < width * height; i++) {
            b.putShort((short) (1000 + counter + i % 7));
        }
        f.pixels = b.array();
        return f;
    }

    private static Frame frame(String session, long counter) {
        return frame(session, counter, 64, 64);
    }

    /** A float frame, with one NaN pixel when {@code nan}. */
    private static Frame floats(String session, long counter, boolean nan) {
        Frame f = frame(session, counter);
        f.pixelType = PixelType.FLOAT32;
        float[] v = new float[64 * 64];
        java.util.Arrays.fill(v, 500f + counter);
        if (nan) {
            v[64 * 3 + 5] = Float.NaN;
        }
        f.pixels = PixelConversion.fromFloats(v);
        return f;
    }

    private static Frame end(String session, long last) {
        return Frame.endOfSession(session, "cam", last, 0);
    }

    private Path model() throws Exception {
        CstConfig config = CstConfig.widefieldSmall(16);
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        Path model = dir.resolve("model");
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectNode notes = JSON.createObjectNode();
            notes.set(
                    WindowLayout.NOTES_KEY,
                    JSON.valueToTree(new WindowLayout(4, 4, 16, PERIOD / 1e9, 10)));
            m.save(model, notes);
        }
        return model;
    }

    private static double metric(String name, String session, String tagKey, String tagValue) {
        return CstMetrics.registry()
                .find(name)
                .tag(MetricNames.TAG_SESSION, session)
                .counters()
                .stream()
                .filter(c -> tagKey == null || tagValue.equals(c.getId().getTag(tagKey)))
                .mapToDouble(io.micrometer.core.instrument.Counter::count)
                .sum();
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void everyKindOfBadInputHasItsOutcomeAndTheJobStaysUp() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String servers = broker.bootstrapServers();
            Configuration config = new Configuration();
            config.set(FrameJobOptions.BOOTSTRAP_SERVERS, servers);
            config.set(FrameJobOptions.GROUP_ID, "bad");
            config.set(FrameJobOptions.PATCH_SIZE, 16);
            config.set(FrameJobOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
            config.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
            // a 2048x2048 frame's dF/F (16 MiB) is above this; a 1024x1024 one's (4 MiB) is not
            config.set(FrameJobOptions.SINK_MAX_RECORD_BYTES, MemorySize.ofMebiBytes(12));
            config.set(CstOptions.MODEL, model().toString());
            config.set(CstOptions.WINDOW_TIMEOUT, Duration.ofMillis(500));
            Topics.ensure(servers, Map.of(), FrameJobOptions.topics(config), 1, (short) 1);
            JobClient job =
                    FrameProcessingJob.forKafka(config)
                            .executeAsync(LocalPipeline.localEnvironment(1));

            // a producer with Kafka's default settings cannot even send a 2048x2048 uint16 frame
            byte[] large = FrameCodec.encode(frame("big", 0, 2048, 2048));
            Properties defaults = new Properties();
            defaults.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            try (KafkaProducer<String, byte[]> plain =
                    new KafkaProducer<>(
                            defaults, new StringSerializer(), new ByteArraySerializer())) {
                assertThatThrownBy(
                                () ->
                                        plain.send(new ProducerRecord<>("cst.frames", "big", large))
                                                .get())
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(RecordTooLargeException.class)
                        .hasMessageContaining("max.request.size");
            }

            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
                java.util.function.Consumer<Frame> send =
                        f -> {
                            try {
                                producer.send(
                                                new ProducerRecord<>(
                                                        "cst.frames",
                                                        f.sessionId,
                                                        FrameCodec.encode(f)))
                                        .get();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        };
                // NaN in a float frame
                for (long c = 0; c < 6; c++) {
                    send.accept(floats("nan", c, c == 3));
                }
                send.accept(end("nan", 5));
                // a frame saturated at every pixel
                for (long c = 0; c < 12; c++) {
                    Frame f = frame("saturated", c);
                    if (c == 6) {
                        java.util.Arrays.fill(f.pixels, (byte) 0xFF);
                    }
                    send.accept(f);
                }
                send.accept(end("saturated", 11));
                // zero and negative pixels: no usable baseline
                for (long c = 0; c < 12; c++) {
                    Frame f = frame("dark", c);
                    f.pixelType = PixelType.INT16;
                    ByteBuffer b = ByteBuffer.wrap(f.pixels).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < 64 * 32; i++) {
                        b.putShort(2 * i, (short) (i % 2 == 0 ? 0 : -40));
                    }
                    send.accept(f);
                }
                send.accept(end("dark", 11));
                // the same counter twice
                for (long c = 0; c < 10; c++) {
                    send.accept(frame("dup", c));
                    if (c == 5) {
                        send.accept(frame("dup", c));
                    }
                }
                send.accept(end("dup", 9));
                // a record an hour older than the others (far behind the watermark)
                for (long c = 0; c < 10; c++) {
                    Frame f = frame("old", c);
                    long ts = System.currentTimeMillis() - (c == 7 ? 3_600_000L : 0);
                    producer.send(
                                    new ProducerRecord<>(
                                            "cst.frames", null, ts, "old", FrameCodec.encode(f)))
                            .get();
                }
                send.accept(end("old", 9));
                // the camera clock jumps 10 s back at frame 10
                for (long c = 0; c < 20; c++) {
                    Frame f = frame("backwards", c);
                    f.acquisitionNanos = (c < 10 ? c : c - 300) * PERIOD;
                    send.accept(f);
                }
                send.accept(end("backwards", 19));
                // frames bigger than the outputs take, and one that fits
                send.accept(frame("big", 0, 1024, 1024));
                send.accept(frame("big", 1, 2048, 2048));
                send.accept(frame("big", 2, 1024, 1024));
                send.accept(end("big", 2));
                // smaller than one patch; sides that are not multiples of the patch
                for (long c = 0; c < 4; c++) {
                    send.accept(frame("tiny", c, 8, 8));
                    send.accept(frame("odd1023", c, 1023, 1023));
                    send.accept(frame("odd767", c, 767, 767));
                }
                send.accept(end("tiny", 3));
                send.accept(end("odd1023", 3));
                send.accept(end("odd767", 3));
                // a session that goes silent with frames waiting (5 never comes) while another
                // goes on; it never sends its end marker
                for (long c = 0; c < 10; c++) {
                    if (c != 5) {
                        send.accept(frame("silent", c));
                    }
                }
                for (long c = 0; c < 60; c++) {
                    send.accept(frame("busy", c));
                    Thread.sleep(20);
                }
                send.accept(end("busy", 59));
                // the stream ends with frames in flight: 19 waits for 18, which never comes
                for (long c :
                        new long[] {
                            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 17
                        }) {
                    send.accept(frame("inflight", c));
                }
            }

            List<ConsumerRecord<String, byte[]>> dff;
            List<ConsumerRecord<String, byte[]>> tokens;
            List<ConsumerRecord<String, byte[]>> dead;
            List<ConsumerRecord<String, byte[]>> events;
            List<ConsumerRecord<String, byte[]>> filled;
            try (OutputReader reader =
                    new OutputReader(
                            servers,
                            Map.of(),
                            List.of(
                                    "cst.frames.dff",
                                    "cst.tokens",
                                    "cst.deadletter",
                                    "cst.events",
                                    "cst.frames.filled"))) {
                List<ConsumerRecord<String, byte[]>> all =
                        reader.readUntil(
                                rs -> count(rs, "cst.frames.dff") >= 171, Duration.ofSeconds(90));
                all.addAll(reader.readUntil(rs -> false, Duration.ofSeconds(4)));
                dff = of(all, "cst.frames.dff");
                tokens = of(all, "cst.tokens");
                dead = of(all, "cst.deadletter");
                events = of(all, "cst.events");
                filled = of(all, "cst.frames.filled");
            }
            JobStatus status = job.getJobStatus().get();
            job.cancel().get();

            assertThat(status).isEqualTo(JobStatus.RUNNING);

            // NaN: a dead letter naming the pixel; the other frames go on
            assertThat(counters(dff, "nan")).containsExactly(0L, 1L, 2L, 4L, 5L);
            ConsumerRecord<String, byte[]> nan = deadLetter(dead, "nan");
            assertThat(header(nan, Outputs.HEADER_REASON)).isEqualTo("non-finite-pixels");
            assertThat(header(nan, Outputs.HEADER_MESSAGE))
                    .contains("frame=3", "row 3 column 5", "fix the source's conversion");

            // all saturated: passed on as zeros, counted
            assertThat(counters(dff, "saturated")).hasSize(12);
            assertThat(values(dff, "saturated", 6)).containsOnly(0f);
            assertThat(metric(MetricNames.DFF_INVALID_FRAMES, "saturated", "kind", "saturated"))
                    .isEqualTo(1);

            // zero or negative baseline: 0, never a sign flip or infinity; counted
            assertThat(counters(dff, "dark")).hasSize(12);
            float[] dark = values(dff, "dark", 11);
            for (int i = 0; i < 64 * 32; i++) {
                assertThat(dark[i]).isZero();
            }
            assertThat(metric(MetricNames.DFF_INVALID_PIXELS, "dark", "kind", "low-baseline"))
                    .isEqualTo(12 * 64 * 32);

            // a duplicate counter: set aside, the frame comes out once
            assertThat(counters(dff, "dup"))
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(header(deadLetter(dead, "dup"), Outputs.HEADER_REASON))
                    .isIn("duplicate", "late-or-duplicate");

            // an hour-old record is processed in counter order: nothing here drops late data
            assertThat(counters(dff, "old"))
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

            // a clock that jumps back: reported, every frame kept, the CST grid has no repeat
            assertThat(counters(dff, "backwards")).hasSize(20);
            assertThat(events(events, "backwards", SessionEvent.TIME_BACKWARDS))
                    .extracting(e -> e.fromCounter)
                    .containsExactly(10L);
            List<Long> grid = counters(filled, "backwards");
            assertThat(grid).doesNotHaveDuplicates();
            assertThat(new TreeSet<>(grid)).hasSize(20).first().isEqualTo(0L);

            // too large for the outputs: a dead letter saying what to do; the others pass
            assertThat(counters(dff, "big")).containsExactly(0L, 2L);
            ConsumerRecord<String, byte[]> big = deadLetter(dead, "big");
            assertThat(header(big, Outputs.HEADER_REASON)).isEqualTo("too-large");
            assertThat(header(big, Outputs.HEADER_MESSAGE))
                    .contains("2048x2048", "16.0 MiB", "12.0 MiB", "--binning 2");

            // smaller than a patch: one padded patch; not the model's layout: no CST output
            assertThat(counters(tokens, "tiny")).hasSize(4);
            PatchTokens tiny = TokenCodec.decode(ofSession(tokens, "tiny").get(0).value());
            assertThat(tiny.gridRows * tiny.gridCols).isEqualTo(1);
            assertThat(counters(filled, "tiny")).isEmpty();
            assertThat(metric(MetricNames.FILL_IGNORED, "tiny", "reason", "layout")).isEqualTo(4);

            // sides that are not multiples of the patch: padded, every frame out
            PatchTokens odd = TokenCodec.decode(ofSession(tokens, "odd1023").get(0).value());
            assertThat(odd.gridRows).isEqualTo(64);
            assertThat(counters(tokens, "odd1023")).hasSize(4);
            assertThat(counters(dff, "odd767")).hasSize(4);
            assertThat(TokenCodec.decode(ofSession(tokens, "odd767").get(0).value()).gridCols)
                    .isEqualTo(48);

            // a silent session: its waiting frames are released by the idle timeout, and the
            // other session's frames did not wait for it
            assertThat(counters(dff, "silent")).containsExactly(0L, 1L, 2L, 3L, 4L, 6L, 7L, 8L, 9L);
            assertThat(events(events, "silent", SessionEvent.GAP))
                    .extracting(e -> e.fromCounter)
                    .containsExactly(5L);
            assertThat(counters(dff, "busy")).hasSize(60);
            int silentHeld = indexOf(dff, "silent", 6);
            long busyBefore =
                    dff.subList(0, silentHeld).stream().filter(r -> r.key().equals("busy")).count();
            assertThat(busyBefore)
                    .as("busy frames written while the silent session's frames waited")
                    .isGreaterThan(5);

            // the stream ends with frames in flight: all out after the idle timeout
            assertThat(counters(dff, "inflight"))
                    .containsExactly(
                            0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L,
                            16L, 17L, 19L);
            assertThat(counters(tokens, "inflight")).hasSize(19);
            assertThat(events(events, "inflight", SessionEvent.GAP))
                    .extracting(e -> e.fromCounter)
                    .containsExactly(18L);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> of(
            List<ConsumerRecord<String, byte[]>> all, String topic) {
        return all.stream().filter(r -> r.topic().equals(topic)).collect(Collectors.toList());
    }

    private static List<ConsumerRecord<String, byte[]>> ofSession(
            List<ConsumerRecord<String, byte[]>> records, String session) {
        return records.stream().filter(r -> session.equals(r.key())).collect(Collectors.toList());
    }

    private static List<Long> counters(List<ConsumerRecord<String, byte[]>> records, String s) {
        List<Long> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : ofSession(records, s)) {
            try {
                out.add(
                        r.topic().equals("cst.tokens")
                                ? TokenCodec.decode(r.value()).frameCounter
                                : FrameCodec.decode(r.value()).frameCounter);
            } catch (Exception e) {
                throw new AssertionError("unreadable output of session " + s, e);
            }
        }
        return out;
    }

    private static float[] values(
            List<ConsumerRecord<String, byte[]>> dff, String session, long counter)
            throws Exception {
        for (ConsumerRecord<String, byte[]> r : ofSession(dff, session)) {
            Frame f = FrameCodec.decode(r.value());
            if (f.frameCounter == counter) {
                return PixelConversion.toFloats(f);
            }
        }
        throw new AssertionError("no dF/F frame " + counter + " of " + session);
    }

    private static int indexOf(
            List<ConsumerRecord<String, byte[]>> dff, String session, long counter)
            throws Exception {
        for (int i = 0; i < dff.size(); i++) {
            ConsumerRecord<String, byte[]> r = dff.get(i);
            if (session.equals(r.key()) && FrameCodec.decode(r.value()).frameCounter == counter) {
                return i;
            }
        }
        throw new AssertionError("no dF/F frame " + counter + " of " + session);
    }

    private static ConsumerRecord<String, byte[]> deadLetter(
            List<ConsumerRecord<String, byte[]>> dead, String session) {
        List<ConsumerRecord<String, byte[]>> mine = ofSession(dead, session);
        assertThat(mine).as("dead letters of session %s", session).hasSize(1);
        return mine.get(0);
    }

    private static List<SessionEvent> events(
            List<ConsumerRecord<String, byte[]>> events, String session, String type) {
        return ofSession(events, session).stream()
                .map(OutputReader::event)
                .filter(e -> e.type.equals(type))
                .collect(Collectors.toList());
    }

    /** Returns how many of the records are on {@code topic}. */
    private static long count(List<ConsumerRecord<String, byte[]>> records, String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).count();
    }
}
