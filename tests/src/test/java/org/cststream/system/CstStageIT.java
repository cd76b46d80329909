package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cststream.cli.LocalPipeline;
import org.cststream.cli.RunReport;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelConversion;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.Outputs;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.decoding.DecoderFeatures;
import org.cststream.model.serving.ModelServerProcess;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.SyntheticRecording;
import org.cststream.replay.ReplayOptions;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.LabelCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session with dropped frames and timing jitter through a real Kafka broker, the frame job on a
 * MiniCluster and its CST stage: the output is one frame per grid time, none missing and none
 * twice, and exactly the dropped frames are marked filled; the model server gives the same output
 * as the model in the task; with a decoder, a decoded value arrives per window and labels streamed
 * beside the frames give the live error of every window.
 */
class CstStageIT {
    private static final int FRAMES = 150;
    private static final double FPS = 30;
    private static EmbeddedKafkaBroker broker;

    @TempDir static Path dir;
    private static Path model;
    private static Path decoder;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        // an untrained model is enough to check the stream's shape; its layout is the input's
        CstConfig config = CstConfig.widefieldSmall(16);
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        model = dir.resolve("model");
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode notes = json.createObjectNode();
            notes.set(
                    WindowLayout.NOTES_KEY,
                    json.valueToTree(new WindowLayout(4, 4, 16, 1 / FPS, 10)));
            m.save(model, notes);
        }
        // a decoder of this model's attention; fitted on made-up features, as the stream's shape
        // is what is checked here (cst decode fits real ones)
        WindowLayout layout = WindowLayout.read(model);
        java.util.Random random = new java.util.Random(6);
        float[][] x = new float[30][DecoderFeatures.attentionCount(layout)];
        double[] y = new double[30];
        for (int i = 0; i < 30; i++) {
            y[i] = i / 30.0;
            for (int f = 0; f < x[i].length; f++) {
                x[i][f] = (float) random.nextDouble() / 160;
            }
        }
        decoder = dir.resolve("speed.decoder");
        Decoder.fit(
                        x,
                        null,
                        y,
                        new Decoder.Target("speed", Decoder.LabelSource.BEHAVIOUR, "speed"),
                        new Decoder.Features(
                                Decoder.FeatureKind.CST_ATTENTION,
                                layout,
                                Decoder.fingerprint(model)),
                        5,
                        3,
                        null)
                .save(decoder);
    }

    @AfterAll
    static void stop() {
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
        c.set(FrameJobOptions.CORRECTED_TOPIC, prefix + ".corrected");
        c.set(FrameJobOptions.PATCH_SIZE, 16);
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        c.set(CstOptions.MODEL, model.toString());
        c.set(CstOptions.FILLED_TOPIC, prefix + ".filled");
        c.set(CstOptions.DECODED_TOPIC, prefix + ".decoded");
        c.set(CstOptions.WINDOW_TIMEOUT, Duration.ofMillis(500));
        return c;
    }

    private static ReplayOptions replay() {
        return ReplayOptions.builder()
                .sessionId("cst-it")
                .fps(FPS)
                .asFastAsPossible(true)
                .dropFraction(0.1)
                .jitterNanos(2_000_000)
                .seed(11)
                .showProgress(false)
                .build();
    }

    /** Runs the session through a job and returns the filled topic's frames by grid index. */
    private static TreeMap<Long, ConsumerRecord<String, byte[]>> run(
            Configuration c, String prefix, List<Integer> dropped) throws Exception {
        return run(c, prefix, dropped, null);
    }

    private static TreeMap<Long, ConsumerRecord<String, byte[]>> run(
            Configuration c, String prefix, List<Integer> dropped, LocalPipeline.Labels labels)
            throws Exception {
        RunReport report;
        try (RecordingReader r = new SyntheticRecording(5, FRAMES, 64, 64, FPS)) {
            report = LocalPipeline.run(r, replay(), c, 1, Duration.ofMinutes(3), null, labels);
        }
        assertThat(report.dropped()).isEqualTo(report.injectedDrops());
        int last = FRAMES - 1;
        while (dropped.contains(last)) {
            last--;
        }
        int expected = last + 1;
        List<ConsumerRecord<String, byte[]>> records;
        try (OutputReader reader =
                new OutputReader(
                        broker.bootstrapServers(), Map.of(), List.of(prefix + ".filled"))) {
            records = reader.readUntil(rs -> rs.size() >= expected, Duration.ofSeconds(60));
            // anything extra would show as a duplicate or an index past the last frame
            records.addAll(reader.readUntil(rs -> false, Duration.ofSeconds(2)));
        }
        TreeMap<Long, ConsumerRecord<String, byte[]>> bySlot = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> rec : records) {
            Frame f = FrameCodec.decode(rec.value());
            assertThat(bySlot.put(f.frameCounter, rec))
                    .as("grid index %d twice", f.frameCounter)
                    .isNull();
        }
        return bySlot;
    }

    @Test
    void theOutputIsRegularAndExactlyTheDroppedFramesAreFilled() throws Exception {
        List<Integer> dropped = droppedIndices();

        TreeMap<Long, ConsumerRecord<String, byte[]>> out = run(job("cstl"), "cstl", dropped);

        int last = FRAMES - 1;
        while (dropped.contains(last)) {
            last--;
        }
        assertThat(out.keySet()).hasSize(last + 1);
        assertThat(out.firstKey()).isZero();
        assertThat(out.lastKey()).isEqualTo(last);
        List<Long> filled = new ArrayList<>();
        for (var e : out.entrySet()) {
            Frame f = FrameCodec.decode(e.getValue().value());
            assertThat(f.width).isEqualTo(64);
            assertThat(f.height).isEqualTo(64);
            for (float v : PixelConversion.toFloats(f)) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            String source =
                    new String(
                            e.getValue()
                                    .headers()
                                    .lastHeader(Outputs.HEADER_SOURCE_COUNTER)
                                    .value(),
                            StandardCharsets.UTF_8);
            if ((f.flags & Frame.FLAG_FILLED) != 0) {
                filled.add(e.getKey());
                assertThat(source).isEqualTo("-1");
            } else {
                assertThat(source).isEqualTo(String.valueOf(e.getKey()));
            }
        }
        List<Long> expectedFilled =
                dropped.stream().filter(i -> i < FRAMES - 1).map(Long::valueOf).toList();
        assertThat(filled)
                .containsExactlyElementsOf(
                        expectedFilled.stream().filter(i -> i <= out.lastKey()).toList());
        assertThat(filled).isNotEmpty();
    }

    @Test
    void theModelServerGivesTheSameFramesAsTheModelInTheTask() throws Exception {
        List<Integer> dropped = droppedIndices();
        TreeMap<Long, ConsumerRecord<String, byte[]>> local = run(job("cstm"), "cstm", dropped);

        TreeMap<Long, ConsumerRecord<String, byte[]>> remote;
        try (ModelServerProcess server =
                ModelServerProcess.start(
                        model,
                        List.of(),
                        List.of("-Xmx1g", "-Dai.djl.pytorch.num_threads=1"),
                        dir.resolve("server.log"),
                        Duration.ofMinutes(2))) {
            Configuration c = job("csts");
            c.set(CstOptions.INFERENCE, CstOptions.Inference.SERVER);
            c.set(CstOptions.SERVER_URL, server.uri().toString());
            remote = run(c, "csts", dropped);
        }

        assertThat(remote.keySet()).isEqualTo(local.keySet());
        for (long slot : local.keySet()) {
            float[] a = PixelConversion.toFloats(FrameCodec.decode(local.get(slot).value()));
            float[] b = PixelConversion.toFloats(FrameCodec.decode(remote.get(slot).value()));
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i])
                        .as("grid index %d pixel %d", slot, i)
                        .isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test
    void aDecodedValueArrivesPerWindowAndStreamedLabelsGiveTheLiveError() throws Exception {
        List<Integer> dropped = droppedIndices();
        Configuration c = job("cstd");
        c.set(CstOptions.DECODER, decoder.toString());
        c.set(CstOptions.BEHAVIOUR_TOPIC, "cstd.behaviour");
        // behaviour on the session clock, 20 samples/s from before the first frame to after the
        // last, published before the frames as a live source would send them ahead
        List<byte[]> samples = new ArrayList<>();
        for (int i = -20; i <= FRAMES / FPS * 20 + 20; i++) {
            samples.add(
                    LabelCodec.encode(
                            new BehaviourSample(
                                    "cst-it",
                                    i + 20,
                                    i * 50_000_000L,
                                    Map.of("speed", Math.sin(i / 20.0)))));
        }

        TreeMap<Long, ConsumerRecord<String, byte[]>> out =
                run(c, "cstd", dropped, new LocalPipeline.Labels("cstd.behaviour", samples));
        List<com.fasterxml.jackson.databind.JsonNode> decoded = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (OutputReader reader =
                new OutputReader(broker.bootstrapServers(), Map.of(), List.of("cstd.decoded"))) {
            for (ConsumerRecord<String, byte[]> r :
                    reader.readUntil(
                            rs ->
                                    !rs.isEmpty()
                                            && rs.stream()
                                                    .anyMatch(
                                                            x ->
                                                                    readTree(json, x)
                                                                                    .path("gridTo")
                                                                                    .asLong()
                                                                            == out.lastKey()),
                            Duration.ofSeconds(60))) {
                assertThat(r.key()).isEqualTo("cst-it");
                decoded.add(readTree(json, r));
            }
        }

        // the windows' grid ranges tile the output grid, one decoded value each, in order
        decoded.sort(java.util.Comparator.comparingLong(n -> n.path("gridFrom").asLong()));
        long next = 0;
        long lastTime = Long.MIN_VALUE;
        for (com.fasterxml.jackson.databind.JsonNode n : decoded) {
            assertThat(n.path("format").asText()).isEqualTo("cst.decoded");
            assertThat(n.path("gridFrom").asLong()).isEqualTo(next);
            assertThat(n.path("gridTo").asLong()).isGreaterThanOrEqualTo(next);
            assertThat(n.path("target").asText()).isEqualTo("speed");
            assertThat(n.path("channel").asText()).isEqualTo("470nm");
            assertThat(n.path("value").isNumber()).isTrue();
            assertThat(n.path("value").asDouble()).isBetween(0.0, 1.0);
            // the newest observed frame's time: inside the window, after the previous window's
            long t = n.path("timeNanos").asLong();
            assertThat(t).isGreaterThan(lastTime);
            assertThat(t)
                    .isLessThanOrEqualTo(Math.round((n.path("gridTo").asLong() + 0.5) * 1e9 / FPS));
            lastTime = t;
            next = n.path("gridTo").asLong() + 1;
        }
        assertThat(next - 1).isEqualTo(out.lastKey());
        assertThat(decoded.size()).isGreaterThanOrEqualTo((int) Math.ceil((next) / 5.0));
        // every window met its label: the live error covers them all
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long matched = 0;
        while (matched < decoded.size() && System.nanoTime() < deadline) {
            matched =
                    org.cststream.metrics.CstMetrics.registry()
                            .find(org.cststream.metrics.MetricNames.DECODED_SQUARED_ERROR)
                            .tag(org.cststream.metrics.MetricNames.TAG_SESSION, "cst-it")
                            .summaries()
                            .stream()
                            .mapToLong(x -> x.count())
                            .sum();
            Thread.sleep(200);
        }
        assertThat(matched).isEqualTo(decoded.size());
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(
            ObjectMapper json, ConsumerRecord<String, byte[]> r) {
        try {
            return json.readTree(r.value());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The frames the seeded replay drops, found by a dry run of its fault plan. */
    private static List<Integer> droppedIndices() {
        return new ArrayList<>(org.cststream.replay.FaultPlan.plan(FRAMES, replay()).dropped());
    }
}
