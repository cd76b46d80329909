package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.cststream.frame.WallClock;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.hemo.HemoMethod;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.serving.ModelServerProcess;
import org.cststream.model.window.WindowLayout;
import org.cststream.pictures.LatestPictures;
import org.cststream.pictures.PictureServer;
import org.cststream.pictures.TopicPictures;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.replay.ReplayOptions;
import org.cststream.replay.ReplaySource;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.cststream.source.labels.LabelCodec;
import org.cststream.source.labels.LabelPublisher;
import org.cststream.source.labels.StimulusEvent;
import org.cststream.source.tcp.TcpFrameSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Watching a running pipeline as a lab would. One MiniCluster (with Flink's Prometheus reporter)
 * runs two frame jobs: the real mesoscope frames with a TCP live source beside them, and a
 * two-channel phantom with the hemodynamic correction and the CST stage calling a model server in
 * its own JVM. A live source publishes into a broker that is down (it spools, then loses frames), a
 * stimulus log is published, and a bad record is sent. Debian's Prometheus scrapes the job's,
 * Flink's and the model server's endpoints and loads the alert rules; then every PromQL expression
 * of every dashboard panel and alert rule must return data with the labels its legend names, and
 * every dashboard variable must have values. Meanwhile the picture endpoint must serve PNGs of the
 * frames' sizes, also when fed from the output topics, and headless Chromium must show the live
 * page's pictures and see them update.
 *
 * <p>Two metrics may return nothing, each for a stated reason ({@link #TOLERATED}).
 */
class MonitoringIT {
    /** Metrics no component of this run exports, with the reason; nothing else may be empty. */
    static final Map<String, String> TOLERATED =
            Map.of(
                    "cst_source_camera_drops_total",
                    "needs a camera that loses frames; Aravis's fake camera (CameraSourceIT) loses"
                            + " none",
                    "cst_decoded_value",
                    "the online decoder is not part of this branch yet (issue 5); its name is in"
                            + " MetricNames");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final double PHANTOM_FPS = 20;
    private static final int PHANTOM_FRAMES = 800;

    private final Path dir = Path.of("target", "monitoring-it").toAbsolutePath();
    private final Path repo = Path.of(System.getProperty("cst.repo.dir", "..")).toAbsolutePath();
    private final long startNanos = System.nanoTime();

    private void progress(String step) {
        System.out.printf(
                "monitoring-it %6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, step);
    }

    @Test
    void everyPanelAndRuleHasDataAndThePicturesLiveUpdate() throws Exception {
        Path realFrames = SharedData.improvFrames();
        Assumptions.assumeTrue(
                Files.isExecutable(PROMETHEUS),
                "needs Debian's prometheus (apt-get install prometheus; .ci/run installs it)");
        Assumptions.assumeTrue(
                WebDriverSession.isAvailable(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        DashboardFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        LatestPictures.shared().clear();

        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        MiniCluster cluster = null;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<JobClient> jobs = new ArrayList<>();
        try (ModelServerProcess server =
                        ModelServerProcess.start(
                                saveModel(),
                                List.of(),
                                List.of("-Xmx1g", "-Dai.djl.pytorch.num_threads=1"),
                                dir.resolve("model-server.log"),
                                Duration.ofMinutes(2));
                PictureServer pictures =
                        PictureServer.start(LatestPictures.shared(), "127.0.0.1", 0)) {
            progress("broker and model server ready");
            String servers = broker.bootstrapServers();
            int metricsPort = CstMetrics.serve("127.0.0.1", 0);
            int reporterPort = ChildProcess.freePort();
            cluster = miniCluster(reporterPort);
            int rest = cluster.getRestAddress().get().getPort();

            Configuration real = job(servers, "mon-real");
            Configuration phantom = job(servers, "mon-ph");
            phantom.set(FrameJobOptions.CHANNEL_ORDER, List.of(470, 405));
            phantom.set(FrameJobOptions.HEMO_METHOD, HemoMethod.REGRESSION);
            phantom.set(FrameJobOptions.HEMO_CALIBRATION_FRAMES, 20);
            phantom.set(CstOptions.MODEL, dir.resolve("model").toString());
            phantom.set(CstOptions.INFERENCE, CstOptions.Inference.SERVER);
            phantom.set(CstOptions.SERVER_URL, server.uri().toString());
            phantom.set(CstOptions.FILLED_TOPIC, "mon-ph.filled");
            phantom.set(CstOptions.DECODED_TOPIC, "mon-ph.decoded");
            phantom.set(CstOptions.WINDOW_TIMEOUT, Duration.ofMillis(500));
            for (Configuration c : List.of(real, phantom)) {
                Topics.ensure(servers, Map.of(), FrameJobOptions.topics(c), 1, (short) 1);
                StreamExecutionEnvironment env =
                        StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", rest);
                jobs.add(FrameProcessingJob.forKafka(c).executeAsync(env));
            }
            Topics.ensure(servers, Map.of(), List.of("mon-real.stimulus"), 1, (short) 1);

            Path promConfig = prometheusConfig(metricsPort, reporterPort, server.uri().getPort());
            int promPort = ChildProcess.freePort();
            try (ChildProcess prometheus =
                    ChildProcess.start(
                            "prometheus",
                            List.of(
                                    PROMETHEUS.toString(),
                                    "--config.file=" + promConfig,
                                    "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                    "--web.listen-address=127.0.0.1:" + promPort),
                            Map.of(),
                            dir.resolve("prometheus.log"))) {
                prometheus.awaitLog(
                        Pattern.compile("Server is ready to receive web requests"),
                        Duration.ofSeconds(60));
                progress("two jobs submitted, Prometheus scraping");

                // what flows: the real frames, a live TCP source, a two-channel phantom, a
                // source cut off from Kafka, stimulus records and a record that is no frame
                Future<?> realReplay = pool.submit(() -> replayReal(realFrames, servers));
                Future<?> phantomReplay = pool.submit(() -> replayPhantom(servers));
                Future<?> tcp = pool.submit(() -> tcpSource(servers));
                Future<?> outage = pool.submit(this::sourceCutOffFromKafka);
                publishStimuli(servers);
                sendBadRecord(servers);

                checkPictures(pictures);
                progress("picture endpoint served PNGs of the right sizes");
                checkPicturesFromTopics(servers);
                progress("the same pictures read back from the output topics");
                checkLivePage(pictures);
                progress("the live page showed pictures that updated");

                for (Future<?> f : List.of(realReplay, phantomReplay, tcp, outage)) {
                    f.get();
                }
                awaitSessionsEnded(3, Duration.ofSeconds(90));
                // a few more scrapes so that every counter's last increase is in Prometheus
                Thread.sleep(4000);
                progress("sources done, every session ended");

                List<String> problems = new ArrayList<>();
                int checked = 0;
                for (DashboardFiles.Query query : DashboardFiles.dashboardQueries(repo)) {
                    checked += check(promPort, query, problems);
                }
                for (DashboardFiles.Query query : DashboardFiles.alertQueries(repo)) {
                    checked += check(promPort, query, problems);
                }
                for (DashboardFiles.Variable v : DashboardFiles.variables(repo)) {
                    checkVariable(promPort, v, problems);
                }
                checkRulesHealthy(promPort, problems);
                // the check must catch a panel whose metric nobody exports
                List<String> control = new ArrayList<>();
                check(
                        promPort,
                        new DashboardFiles.Query(
                                "control",
                                "cst_nobody_exports_this_total",
                                "cst_nobody_exports_this_total",
                                List.of()),
                        control);
                assertThat(control).singleElement().asString().contains("no data");
                progress(checked + " expressions evaluated");
                assertThat(problems).as("dashboard and alert expressions").isEmpty();
                assertThat(checked).isGreaterThan(40);
            }
        } finally {
            for (JobClient j : jobs) {
                try {
                    j.cancel().get();
                } catch (Exception e) {
                    // the cluster goes down next anyway
                }
            }
            if (cluster != null) {
                cluster.close();
            }
            pool.shutdownNow();
            broker.close();
        }
    }

    // ---- the pipeline ----

    private Path saveModel() throws Exception {
        Files.createDirectories(dir);
        Path model = dir.resolve("model");
        CstConfig config = CstConfig.widefieldSmall(16);
        ai.djl.engine.Engine.getInstance().setRandomSeed(5);
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectNode notes = JSON.createObjectNode();
            // 64x64 phantom frames in 16-pixel patches; each channel runs at half the frame rate
            notes.set(
                    WindowLayout.NOTES_KEY,
                    JSON.valueToTree(new WindowLayout(4, 4, 16, 2 / PHANTOM_FPS, 10)));
            m.save(model, notes);
        }
        return model;
    }

    private MiniCluster miniCluster(int reporterPort) throws Exception {
        Configuration flink = new Configuration();
        flink.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        flink.setString(
                "execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        flink.setString("rest.bind-address", "127.0.0.1");
        flink.setString("rest.address", "127.0.0.1");
        flink.setString("rest.port", "0");
        flink.setString("taskmanager.memory.network.max", "256mb");
        flink.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flink.setString("metrics.reporter.prom.port", String.valueOf(reporterPort));
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(flink)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
        return cluster;
    }

    private static Configuration job(String servers, String prefix) {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.BOOTSTRAP_SERVERS, servers);
        c.set(FrameJobOptions.GROUP_ID, prefix);
        c.set(FrameJobOptions.FRAMES_TOPIC, prefix + ".frames");
        c.set(FrameJobOptions.DFF_TOPIC, prefix + ".dff");
        c.set(FrameJobOptions.TOKENS_TOPIC, prefix + ".tokens");
        c.set(FrameJobOptions.EVENTS_TOPIC, prefix + ".events");
        c.set(FrameJobOptions.DEAD_LETTER_TOPIC, prefix + ".deadletter");
        c.set(FrameJobOptions.CORRECTED_TOPIC, prefix + ".corrected");
        c.set(FrameJobOptions.PATCH_SIZE, 16);
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        return c;
    }

    private Void replayReal(Path frames, String servers) throws Exception {
        ReplayOptions o =
                ReplayOptions.builder()
                        .sessionId("mon-real")
                        .fps(30)
                        .dropFraction(0.05)
                        .seed(3)
                        .showProgress(false)
                        .build();
        try (RecordingReader r = Recordings.open(frames);
                KafkaProducer<String, byte[]> p =
                        new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
            new ReplaySource(r, p, "mon-real.frames", o, CstMetrics.registry()).run();
        }
        return null;
    }

    private Void replayPhantom(String servers) throws Exception {
        // untagged, starting on the isosbestic channel (a swap), glint (saturated pixels), a few
        // frames lost without a counter trace (time gaps) and 5% dropped (gaps the CST fills)
        ReplayOptions o =
                ReplayOptions.builder()
                        .sessionId("mon-phantom")
                        .fps(PHANTOM_FPS)
                        .untagged(true)
                        .dropFraction(0.05)
                        .seed(4)
                        .showProgress(false)
                        .build();
        try (RecordingReader r =
                        PhantomRecording.open(
                                "phantom:size=64,frames="
                                        + PHANTOM_FRAMES
                                        + ",fps="
                                        + PHANTOM_FPS
                                        + ",start=1,lost=0.01,seed=2");
                KafkaProducer<String, byte[]> p =
                        new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
            new ReplaySource(r, p, "mon-ph.frames", o, CstMetrics.registry()).run();
        }
        return null;
    }

    private Void tcpSource(String servers) throws Exception {
        PublisherOptions options =
                PublisherOptions.builder()
                        .bootstrapServers(servers)
                        .topic("mon-real.frames")
                        .sourceName("tcp")
                        .spoolDir(dir.resolve("spool-tcp"))
                        .build();
        try (FramePublisher publisher = FramePublisher.start(options, CstMetrics.registry())) {
            TcpFrameSource source =
                    TcpFrameSource.start(
                            new TcpFrameSource.Options("127.0.0.1", 0, 1 << 20, 4, ""),
                            publisher,
                            CstMetrics.registry());
            try (Socket socket = new Socket("127.0.0.1", source.port());
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
                for (int i = 0; i < 90; i++) {
                    send(out, FrameCodec.encode(frame("mon-tcp", i, 64, 64)));
                    Thread.sleep(33);
                }
                // a message that is not a frame record: refused and counted
                send(out, "not a frame".getBytes(StandardCharsets.UTF_8));
                send(out, FrameCodec.encode(Frame.endOfSession("mon-tcp", "rig", 89, 0)));
            }
            source.awaitClientsDone(Duration.ofSeconds(10));
            source.close();
            publisher.awaitIdle(Duration.ofSeconds(30));
        }
        return null;
    }

    private static void send(DataOutputStream out, byte[] record) throws IOException {
        out.writeInt(Integer.reverseBytes(record.length));
        out.write(record);
        out.flush();
    }

    private static Frame frame(String session, long counter, int w, int h) {
        Frame f = new Frame();
        f.sessionId = session;
        f.cameraId = "rig";
        f.frameCounter = counter;
        f.channelNm = 470;
        f.acquisitionNanos = counter * 33_333_333L;
        f.hostReceiveNanos = WallClock.nanos();
        f.width = w;
        f.height = h;
        f.pixelType = PixelType.UINT16;
        f.pixels = new byte[w * h * 2];
        for (int i = 0; i < w * h; i++) {
            int v = 1000 + (int) ((i * 7 + counter * 13) % 200);
            f.pixels[2 * i] = (byte) v;
            f.pixels[2 * i + 1] = (byte) (v >> 8);
        }
        return f;
    }

    /** A source whose Kafka is unreachable: frames go to the spool until it is full, then lost. */
    private Void sourceCutOffFromKafka() throws Exception {
        int deadPort = ChildProcess.freePort();
        PublisherOptions options =
                PublisherOptions.builder()
                        .bootstrapServers("127.0.0.1:" + deadPort)
                        .topic("mon-outage.frames")
                        .sourceName("outage")
                        .queueBytes(1 << 20)
                        .inFlightBytes(1 << 20)
                        .spoolDir(dir.resolve("spool-outage"))
                        .spoolMaxBytes(2 << 20)
                        .spoolSegmentBytes(1 << 20)
                        .stopTimeout(Duration.ofSeconds(1))
                        .build();
        try (FramePublisher publisher = FramePublisher.start(options, CstMetrics.registry())) {
            for (int i = 0; i < 600; i++) {
                publisher.offer(frame("mon-outage", i, 64, 64));
                Thread.sleep(5);
            }
            Thread.sleep(3000);
        }
        return null;
    }

    private static void publishStimuli(String servers) throws Exception {
        try (LabelPublisher labels =
                new LabelPublisher(
                        servers,
                        Map.of(),
                        "mon-real.stimulus",
                        "stimulus",
                        CstMetrics.registry())) {
            for (int i = 0; i < 5; i++) {
                labels.send(
                        "mon-real",
                        LabelCodec.encode(
                                new StimulusEvent(
                                        "mon-real",
                                        "stimulus",
                                        i,
                                        i * 2_000_000_000L,
                                        1_000_000_000L,
                                        Map.of("contrast", 0.25 * (i % 4)))),
                        "stimulus " + i);
            }
            labels.flush();
        }
    }

    private static void sendBadRecord(String servers) {
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
            p.send(
                    new ProducerRecord<>(
                            "mon-real.frames",
                            "mon-real",
                            "this is not a frame".getBytes(StandardCharsets.UTF_8)));
            p.flush();
        }
    }

    private static void awaitSessionsEnded(int sessions, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (CstMetrics.total(CstMetrics.registry(), MetricNames.SESSIONS_ENDED) < sessions) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "only "
                                + CstMetrics.total(
                                        CstMetrics.registry(), MetricNames.SESSIONS_ENDED)
                                + " of "
                                + sessions
                                + " sessions ended within "
                                + timeout);
            }
            Thread.sleep(500);
        }
    }

    // ---- pictures ----

    private static HttpResponse<byte[]> get(URI uri) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static BufferedImage awaitPng(URI uri, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<byte[]> r = get(uri);
        while (r.statusCode() == 404 && System.nanoTime() < deadline) {
            Thread.sleep(300);
            r = get(uri);
        }
        assertThat(r.statusCode())
                .as("%s: %s", uri, new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(img).as("%s is a readable PNG", uri).isNotNull();
        return img;
    }

    private void checkPictures(PictureServer server) throws Exception {
        URI base = server.url();
        Duration wait = Duration.ofSeconds(90);
        BufferedImage corrected =
                awaitPng(base.resolve("picture/corrected.png?session=mon-phantom"), wait);
        assertThat(corrected.getWidth()).isEqualTo(64);
        assertThat(corrected.getHeight()).isEqualTo(64);
        BufferedImage filled =
                awaitPng(base.resolve("picture/filled.png?session=mon-phantom&scale=2"), wait);
        assertThat(filled.getWidth()).isEqualTo(128);
        assertThat(filled.getHeight()).isEqualTo(128);
        BufferedImage attention =
                awaitPng(base.resolve("picture/attention.png?session=mon-phantom&patch=5"), wait);
        // 4 x 4 patches of 16 pixels
        assertThat(attention.getWidth()).isEqualTo(64);
        assertThat(attention.getHeight()).isEqualTo(64);
        BufferedImage real = awaitPng(base.resolve("picture/dff.png?session=mon-real"), wait);
        assertThat(real.getWidth()).isEqualTo(256);
        assertThat(real.getHeight()).isEqualTo(440);
        assertThat(distinctColours(real))
                .as("a real frame is not one flat colour")
                .isGreaterThan(10);
        HttpResponse<byte[]> bad = get(base.resolve("picture/attention.png?patch=999"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body(), StandardCharsets.UTF_8)).contains("outside the grid");
        assertThat(get(base.resolve("picture/nothing.png")).statusCode()).isEqualTo(404);
        ImageIO.write(corrected, "png", dir.resolve("corrected.png").toFile());
    }

    /** The cluster case: the pictures of a job running elsewhere, read from its output topics. */
    private static void checkPicturesFromTopics(String servers) throws Exception {
        LatestPictures fromTopics = new LatestPictures(4);
        Map<String, LatestPictures.Kind> topics =
                Map.of(
                        "mon-ph.corrected", LatestPictures.Kind.CORRECTED,
                        "mon-ph.filled", LatestPictures.Kind.FILLED,
                        "mon-ph.no-such-topic", LatestPictures.Kind.DFF);
        try (TopicPictures reader = TopicPictures.start(servers, Map.of(), topics, fromTopics);
                PictureServer server = PictureServer.start(fromTopics, "127.0.0.1", 0)) {
            Duration wait = Duration.ofSeconds(60);
            BufferedImage corrected =
                    awaitPng(
                            server.url().resolve("picture/corrected.png?session=mon-phantom"),
                            wait);
            BufferedImage filled =
                    awaitPng(server.url().resolve("picture/filled.png?session=mon-phantom"), wait);

            assertThat(corrected.getWidth()).isEqualTo(64);
            assertThat(corrected.getHeight()).isEqualTo(64);
            assertThat(filled.getWidth()).isEqualTo(64);
            assertThat(reader.frames()).isPositive();
            assertThat(get(server.url().resolve("picture/attention.png")).statusCode())
                    .as("attention is not on a topic")
                    .isEqualTo(404);
        }
    }

    private static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 4) {
            for (int x = 0; x < img.getWidth(); x += 4) {
                colours.add(img.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private void checkLivePage(PictureServer server) throws Exception {
        try (WebDriverSession browser = WebDriverSession.start(dir)) {
            browser.open(server.url().resolve("?session=mon-phantom&refresh=300"));
            String state =
                    "return ['frame','filled','attention'].map(id => {"
                            + " const i = document.getElementById(id);"
                            + " return {id: id, width: i.naturalWidth, shown: i.complete &&"
                            + " i.naturalWidth > 0 && !i.classList.contains('missing'),"
                            + " version: Number(i.dataset.version || 0)}; });";
            JsonNode first = awaitAllShown(browser, state, Duration.ofSeconds(60));
            JsonNode later = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean updated = false;
            while (!updated && System.nanoTime() < deadline) {
                Thread.sleep(500);
                later = browser.execute(state);
                updated = true;
                for (int i = 0; i < 3; i++) {
                    updated &=
                            later.get(i).path("shown").asBoolean()
                                    && later.get(i).path("version").asLong()
                                            > first.get(i).path("version").asLong();
                }
            }
            browser.screenshot(dir.resolve("live-page.png"));
            assertThat(updated)
                    .as("every picture of the live page updated: first %s, then %s", first, later)
                    .isTrue();
            String caption =
                    browser.execute("return document.getElementById('frame-cap').textContent;")
                            .asText();
            assertThat(caption).contains("corrected").contains("mon-phantom");
        }
    }

    private static JsonNode awaitAllShown(WebDriverSession browser, String script, Duration t)
            throws Exception {
        long deadline = System.nanoTime() + t.toNanos();
        JsonNode state = browser.execute(script);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (JsonNode img : state) {
                all &= img.path("shown").asBoolean();
            }
            if (all) {
                return state;
            }
            Thread.sleep(300);
            state = browser.execute(script);
        }
        throw new AssertionError("the live page did not show every picture: " + state);
    }

    // ---- Prometheus ----

    private Path prometheusConfig(int metricsPort, int reporterPort, int modelPort)
            throws IOException {
        Path rules = dir.resolve("alerts.yml");
        Files.copy(repo.resolve("dashboards/alerts.yml"), rules);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  evaluation_interval: 1s",
                        "rule_files:",
                        "  - " + rules,
                        "scrape_configs:",
                        "  - job_name: cst",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + metricsPort + "']",
                        "  - job_name: flink",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + reporterPort + "']",
                        "  - job_name: cst-model-server",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + modelPort + "']",
                        ""));
        return config;
    }

    private static JsonNode query(int promPort, String expr) throws Exception {
        URI uri =
                URI.create(
                        "http://127.0.0.1:"
                                + promPort
                                + "/api/v1/query?query="
                                + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** Evaluates one expression; adds what is wrong to {@code problems}; returns 1. */
    private static int check(int promPort, DashboardFiles.Query q, List<String> problems)
            throws Exception {
        JsonNode answer = query(promPort, q.evaluable());
        if (!"success".equals(answer.path("status").asText())) {
            problems.add(q.where() + ": Prometheus refused " + q.evaluable() + ": " + answer);
            return 1;
        }
        JsonNode result = answer.path("data").path("result");
        boolean tolerated =
                TOLERATED.keySet().stream().anyMatch(m -> q.expr().contains(m))
                        && DashboardFiles.metrics(q.expr()).stream()
                                .allMatch(TOLERATED::containsKey);
        if (result.isEmpty()) {
            if (!tolerated) {
                problems.add(q.where() + ": no data for " + q.evaluable());
            }
            return 1;
        }
        boolean finite = false;
        for (JsonNode series : result) {
            String v = series.path("value").path(1).asText();
            finite |= !v.equals("NaN") && !v.contains("Inf");
            for (String label : q.labels()) {
                if (!series.path("metric").has(label)) {
                    problems.add(
                            q.where()
                                    + ": a series has no label '"
                                    + label
                                    + "' named in its legend: "
                                    + series.path("metric"));
                }
            }
        }
        if (!finite) {
            problems.add(q.where() + ": only NaN or infinite values for " + q.evaluable());
        }
        return 1;
    }

    private static void checkVariable(
            int promPort, DashboardFiles.Variable v, List<String> problems) throws Exception {
        URI uri =
                URI.create(
                        "http://127.0.0.1:"
                                + promPort
                                + "/api/v1/label/"
                                + v.label()
                                + "/values?match[]="
                                + URLEncoder.encode(v.metric(), StandardCharsets.UTF_8));
        JsonNode answer =
                JSON.readTree(
                        HTTP.send(
                                        HttpRequest.newBuilder(uri).build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body());
        if (answer.path("data").isEmpty()) {
            problems.add(v.where() + ": no values of " + v.label() + " on " + v.metric());
        }
    }

    private static void checkRulesHealthy(int promPort, List<String> problems) throws Exception {
        JsonNode answer =
                JSON.readTree(
                        HTTP.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + promPort
                                                                        + "/api/v1/rules"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body());
        int rules = 0;
        for (JsonNode group : answer.path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                if (!"ok".equals(rule.path("health").asText())) {
                    problems.add(
                            "alert rule "
                                    + rule.path("name").asText()
                                    + " is "
                                    + rule.path("health").asText()
                                    + ": "
                                    + rule.path("lastError").asText());
                }
            }
        }
        if (rules == 0) {
            problems.add("Prometheus loaded no alert rules from dashboards/alerts.yml");
        }
    }
}
