package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
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
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.TokenCodec;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.kafka.KafkaSettings;
import org.cststream.metrics.CstMetrics;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.replay.ReplayOptions;
import org.cststream.replay.ReplayResult;
import org.cststream.replay.ReplaySource;
import org.junit.jupiter.api.Test;

/**
 * The frame job on a standalone Flink cluster: a JobManager and a TaskManager, each a JVM of its
 * own started from Flink's Maven artifacts (the layout {@code flink-cluster} builds), the job jar
 * uploaded and run through Flink's REST API, a Kafka broker in a third JVM ({@code cst broker}).
 * The real mesoscope frames are replayed; every frame must come out once on the dF/F and token
 * topics, and the metrics must be where the README says a cluster serves them: the job's own on the
 * TaskManager's {@code metrics.port}, Flink's from its Prometheus reporter.
 */
class FlinkClusterIT {
    private static final int FRAMES = 300;

    /** 440x256 frames binned to 110x64: 7 x 4 patches, so the CST stage stays quick on a CPU. */
    private static final int BINNING = 4;

    private static final String SESSION = "cluster-it";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Kept after the run (logs of the three processes, configuration) for a failure's sake. */
    private final Path dir = Path.of("target", "cluster-it").toAbsolutePath();

    private final long startNanos = System.nanoTime();

    private void progress(String step) {
        System.out.printf("cluster-it %6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, step);
    }

    @Test
    void aReplayThroughAStandaloneClusterComesOutWholeWithItsMetrics() throws Exception {
        Path frames = SharedData.improvFrames();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Path flink = Path.of(System.getProperty("cst.flink.home"));
        Path jobJar = Path.of(System.getProperty("cst.job.jar"));
        assertThat(flink.resolve("lib")).as("run mvn package on flink-cluster first").isDirectory();
        assertThat(jobJar).as("run mvn package on flink-jobs first").isRegularFile();
        String flinkClasspath = flink.resolve("lib").toString() + "/*";
        int rpcPort = ChildProcess.freePort();
        int restPort = ChildProcess.freePort();
        int metricsPort = ChildProcess.freePort();
        int jmReporterPort = ChildProcess.freePort();
        int tmReporterPort = ChildProcess.freePort();
        Map<String, String> env = Map.of("FLINK_PLUGINS_DIR", flink.resolve("plugins").toString());

        try (ChildProcess broker =
                        ChildProcess.start(
                                "kafka broker",
                                brokerCommand(),
                                Map.of(),
                                dir.resolve("broker.log"));
                ChildProcess jobManager =
                        ChildProcess.start(
                                "jobmanager",
                                flinkCommand(
                                        flinkClasspath,
                                        "-Xmx512m",
                                        "org.apache.flink.runtime.entrypoint"
                                                + ".StandaloneSessionClusterEntrypoint",
                                        conf("jm", rpcPort, restPort, jmReporterPort)),
                                env,
                                dir.resolve("jobmanager.log"));
                ChildProcess taskManager =
                        ChildProcess.start(
                                "taskmanager",
                                flinkCommand(
                                        flinkClasspath,
                                        "-Xmx640m",
                                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                                        conf("tm", rpcPort, restPort, tmReporterPort)),
                                env,
                                dir.resolve("taskmanager.log"))) {
            String servers =
                    broker.awaitLog(
                                    Pattern.compile("Kafka broker ready at (\\S+)"),
                                    Duration.ofSeconds(60))
                            .group(1);
            progress("broker ready at " + servers);
            awaitTaskManager(restPort, jobManager, taskManager);
            progress("JobManager up, TaskManager registered");

            // submit the job jar through the REST API, as a lab engineer's script would
            Path model = saveModel();
            String jarId = upload(restPort, jobJar);
            String jobId =
                    run(
                            restPort,
                            jarId,
                            List.of(
                                    "--kafka.bootstrap-servers",
                                    servers,
                                    "--kafka.group-id",
                                    "cluster-it",
                                    "--patch.size",
                                    "16",
                                    "--binning",
                                    String.valueOf(BINNING),
                                    "--cst.model",
                                    model.toString(),
                                    "--checkpoint.interval",
                                    "1 s",
                                    "--metrics.port",
                                    String.valueOf(metricsPort)));
            progress("job jar uploaded and run, job " + jobId);
            awaitRunning(restPort, jobId, taskManager);
            progress("every task running");

            ReplayResult published = replay(frames, servers);
            assertThat(published.framesPublished()).isEqualTo(FRAMES);
            progress("replay published " + FRAMES + " frames");

            List<ConsumerRecord<String, byte[]>> dff = read(servers, "cst.frames.dff", FRAMES);
            List<ConsumerRecord<String, byte[]>> tokens = read(servers, "cst.tokens", FRAMES);
            List<ConsumerRecord<String, byte[]>> filled =
                    read(servers, "cst.frames.filled", FRAMES);
            TreeSet<Long> dffCounters = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> r : dff) {
                Frame f = FrameCodec.decode(r.value());
                assertThat(dffCounters.add(f.frameCounter))
                        .as("dF/F frame %d twice", f.frameCounter)
                        .isTrue();
                assertThat(f.width).isEqualTo(256 / BINNING);
                assertThat(f.height).isEqualTo(440 / BINNING);
            }
            // the CST stage ran in the TaskManager (DJL from the cluster's lib/): one frame per
            // grid time, every one observed
            TreeSet<Long> gridTimes = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> r : filled) {
                Frame f = FrameCodec.decode(r.value());
                assertThat(gridTimes.add(f.frameCounter))
                        .as("grid time %d twice", f.frameCounter)
                        .isTrue();
                assertThat(f.flags & Frame.FLAG_FILLED).isZero();
            }
            TreeSet<Long> tokenCounters = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> r : tokens) {
                PatchTokens t = TokenCodec.decode(r.value());
                assertThat(tokenCounters.add(t.frameCounter))
                        .as("tokens of frame %d twice", t.frameCounter)
                        .isTrue();
            }
            assertThat(dffCounters).hasSize(FRAMES);
            assertThat(dffCounters.first()).isZero();
            assertThat(dffCounters.last()).isEqualTo(FRAMES - 1);
            assertThat(tokenCounters).isEqualTo(dffCounters);
            assertThat(gridTimes).isEqualTo(dffCounters);
            progress("outputs read");
            SessionEvent end = sessionEnd(servers);
            assertThat(end.framesOrdered).isEqualTo(FRAMES);
            assertThat(end.framesMissing).isZero();

            // the job's metrics from the TaskManager JVM, Flink's from its reporters
            String cst = scrape(metricsPort);
            assertThat(cst)
                    .containsPattern(
                            "cst_frames_received_total\\{[^}]*session=\""
                                    + SESSION
                                    + "\"[^}]*\\} 300\\.0");
            assertThat(scrape(tmReporterPort))
                    .contains("flink_taskmanager_job_task_backPressuredTimeMsPerSecond")
                    .contains("KafkaSourceReader");
            assertThat(scrape(jmReporterPort))
                    .contains("flink_jobmanager_job_numberOfCompletedCheckpoints");
            Files.writeString(dir.resolve("tm-metrics.txt"), scrape(tmReporterPort));

            cancel(restPort, jobId);
            progress("metrics checked, job cancelled");
            assertThat(taskManager.isAlive()).isTrue();
        }
    }

    /** An untrained CST for the binned frames' grid: enough to check the stream's shape. */
    private Path saveModel() throws Exception {
        Path model = dir.resolve("model");
        CstConfig config = CstConfig.widefieldSmall(16);
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectNode notes = JSON.createObjectNode();
            notes.set(
                    WindowLayout.NOTES_KEY,
                    JSON.valueToTree(new WindowLayout(7, 4, 16, 1 / 30.0, 10)));
            m.save(model, notes);
        }
        return model;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private List<String> brokerCommand() {
        List<String> cmd =
                ChildProcess.java(
                        System.getProperty("java.class.path"),
                        List.of("-Xmx512m", "-Dcst.log.dir=" + dir.resolve("logs")),
                        "org.cststream.cli.Cst");
        cmd.addAll(List.of("broker", "--port", "0"));
        return cmd;
    }

    /** Writes a configuration folder for one Flink process and returns it. */
    private Path conf(String name, int rpcPort, int restPort, int reporterPort) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf-" + name));
        List<String> lines =
                List.of(
                        "jobmanager.rpc.address: 127.0.0.1",
                        "jobmanager.rpc.port: " + rpcPort,
                        "jobmanager.bind-host: 127.0.0.1",
                        "taskmanager.bind-host: 127.0.0.1",
                        "taskmanager.host: 127.0.0.1",
                        "rest.address: 127.0.0.1",
                        "rest.bind-address: 127.0.0.1",
                        "rest.port: " + restPort,
                        "jobmanager.memory.process.size: 1024m",
                        // what Flink's start scripts compute and pass to a TaskManager
                        "taskmanager.cpu.cores: 2",
                        "taskmanager.memory.framework.heap.size: 128m",
                        "taskmanager.memory.task.heap.size: 512m",
                        "taskmanager.memory.framework.off-heap.size: 128m",
                        "taskmanager.memory.task.off-heap.size: 0m",
                        "taskmanager.memory.network.min: 64m",
                        "taskmanager.memory.network.max: 64m",
                        "taskmanager.memory.managed.size: 64m",
                        "taskmanager.memory.jvm-metaspace.size: 256m",
                        "taskmanager.memory.jvm-overhead.min: 192m",
                        "taskmanager.memory.jvm-overhead.max: 192m",
                        "taskmanager.numberOfTaskSlots: 2",
                        "parallelism.default: 1",
                        "state.backend.type: hashmap",
                        "execution.checkpointing.dir: " + dir.resolve("checkpoints").toUri(),
                        "web.upload.dir: " + dir.resolve("uploads"),
                        "io.tmp.dirs: " + dir.resolve("tmp-" + name),
                        "metrics.reporter.prom.factory.class:"
                                + " org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                        "metrics.reporter.prom.port: " + reporterPort);
        Files.write(conf.resolve("config.yaml"), lines);
        Files.writeString(
                conf.resolve("log4j2.properties"),
                "rootLogger.level = INFO\n"
                        + "rootLogger.appenderRef.console.ref = console\n"
                        + "appender.console.type = Console\n"
                        + "appender.console.name = console\n"
                        + "appender.console.layout.type = PatternLayout\n"
                        + "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} -"
                        + " %msg%n\n");
        Files.createDirectories(dir.resolve("tmp-" + name));
        return conf;
    }

    private static List<String> flinkCommand(
            String classpath, String heap, String mainClass, Path conf) {
        List<String> cmd =
                ChildProcess.java(
                        classpath,
                        List.of(
                                heap,
                                "-XX:MaxDirectMemorySize=400m",
                                "-Dai.djl.offline=true",
                                "-Dlog4j.configurationFile=" + conf.resolve("log4j2.properties"),
                                // Flink's RPC reflects into the JDK on Java 17
                                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                                "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                                "--add-opens=java.base/java.net=ALL-UNNAMED",
                                "--add-opens=java.base/java.io=ALL-UNNAMED",
                                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                                "--add-opens=java.base/java.time=ALL-UNNAMED",
                                "--add-opens=java.base/java.text=ALL-UNNAMED",
                                "--add-opens=java.base/java.math=ALL-UNNAMED",
                                "--add-opens=java.sql/java.sql=ALL-UNNAMED",
                                "--add-opens=java.base/sun.net.util=ALL-UNNAMED"),
                        mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        return cmd;
    }

    private static JsonNode get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static void awaitTaskManager(
            int restPort, ChildProcess jobManager, ChildProcess taskManager) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive() || !taskManager.isAlive()) {
                throw new IllegalStateException(
                        "a Flink process exited; jobmanager:\n"
                                + jobManager.tail()
                                + "\ntaskmanager:\n"
                                + taskManager.tail());
            }
            try {
                JsonNode overview = get(restPort, "/overview");
                last = overview.toString();
                if (overview.path("taskmanagers").asInt() == 1
                        && overview.path("slots-total").asInt() == 2) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                "the TaskManager did not register within 90 s (last /overview: "
                        + last
                        + "); taskmanager:\n"
                        + taskManager.tail());
    }

    private static String upload(int restPort, Path jar) throws Exception {
        String boundary = "cst-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\";"
                                + " filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + restPort + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("jar upload: %s", r.body()).isEqualTo(200);
        String file = JSON.readTree(r.body()).path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    private static String run(int restPort, String jarId, List<String> args) throws Exception {
        String request =
                JSON.writeValueAsString(
                        Map.of(
                                "entryClass",
                                "org.cststream.job.frames.FrameJobMain",
                                "programArgsList",
                                args));
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + restPort
                                                        + "/jars/"
                                                        + jarId
                                                        + "/run"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.ofString(request))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("jar run: %s", r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("jobid").asText();
    }

    private static void awaitRunning(int restPort, String jobId, ChildProcess taskManager)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            JsonNode job = get(restPort, "/jobs/" + jobId);
            state = job.path("state").asText();
            boolean allRunning = true;
            for (JsonNode v : job.path("vertices")) {
                allRunning &= "RUNNING".equals(v.path("status").asText());
            }
            if ("RUNNING".equals(state) && allRunning) {
                return;
            }
            if ("FAILED".equals(state) || "CANCELED".equals(state)) {
                break;
            }
            Thread.sleep(500);
        }
        JsonNode exceptions = get(restPort, "/jobs/" + jobId + "/exceptions");
        throw new IllegalStateException(
                "job "
                        + jobId
                        + " is "
                        + state
                        + ", not running: "
                        + exceptions.path("rootException").asText()
                        + "\ntaskmanager:\n"
                        + taskManager.tail());
    }

    private static void cancel(int restPort, String jobId) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + restPort
                                                        + "/jobs/"
                                                        + jobId
                                                        + "?mode=cancel"))
                                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("cancel: %s", r.body()).isEqualTo(202);
    }

    private static ReplayResult replay(Path frames, String servers) throws Exception {
        ReplayOptions options =
                ReplayOptions.builder()
                        .sessionId(SESSION)
                        .fps(30)
                        .asFastAsPossible(true)
                        .showProgress(false)
                        .build();
        try (RecordingReader recording = Recordings.open(frames);
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
            return new ReplaySource(
                            recording, producer, "cst.frames", options, CstMetrics.registry())
                    .run();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(
            String servers, String topic, int expected) {
        try (OutputReader reader = new OutputReader(servers, Map.of(), List.of(topic))) {
            List<ConsumerRecord<String, byte[]>> records =
                    new ArrayList<>(
                            reader.readUntil(r -> r.size() >= expected, Duration.ofSeconds(90)));
            // anything more would be a duplicate
            records.addAll(reader.readUntil(r -> false, Duration.ofSeconds(1)));
            return records;
        }
    }

    private static SessionEvent sessionEnd(String servers) {
        try (OutputReader reader = new OutputReader(servers, Map.of(), List.of("cst.events"))) {
            List<ConsumerRecord<String, byte[]>> events =
                    reader.readUntil(
                            rs ->
                                    rs.stream()
                                            .anyMatch(
                                                    r ->
                                                            SessionEvent.SESSION_END.equals(
                                                                    OutputReader.event(r).type)),
                            Duration.ofSeconds(60));
            return events.stream()
                    .map(OutputReader::event)
                    .filter(e -> SessionEvent.SESSION_END.equals(e.type))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no session-end event on cst.events"));
        }
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
