package org.cststream.model.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model server as it is deployed: a separate JVM started from this class path, reached over
 * loopback by {@link RemoteInference}, compared with {@link LocalInference} on the same saved
 * model.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelServerIT {
    private static final float TOLERANCE = 1e-5f;

    @TempDir static Path dir;
    private static ModelServerProcess server;
    private static RemoteInference remote;
    private static LocalInference local;
    private static long parameters;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startServer() throws Exception {
        Path model = TinyModels.save(dir.resolve("model"));
        server =
                ModelServerProcess.start(
                        model,
                        List.of(
                                "--batch-delay-ms", "500",
                                "--max-batch", "16",
                                "--max-request-mib", "1",
                                "--max-windows", "8",
                                "--max-tokens", "512",
                                "--max-queued-windows", "64",
                                "--warmup-tokens", "64"),
                        List.of(
                                "-Xmx512m",
                                "-Dai.djl.pytorch.num_threads=1",
                                "-Dai.djl.pytorch.num_interop_threads=1"),
                        Path.of("target", "model-server-it.log"),
                        Duration.ofSeconds(120));
        remote =
                RemoteInference.connect(
                        server.uri(), Duration.ofSeconds(60), Duration.ofSeconds(10));
        CstModel loaded = CstModel.load(model);
        parameters = loaded.parameterCount();
        local = new LocalInference(loaded, true);
    }

    @AfterAll
    static void stopServer() {
        if (remote != null) {
            remote.close();
        }
        if (local != null) {
            local.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void assertSame(List<Prediction> actual, List<Prediction> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int w = 0; w < expected.size(); w++) {
            assertClose(
                    actual.get(w).values(), expected.get(w).values(), "window " + w + " values");
            if (expected.get(w).attentionRows() == null) {
                assertThat(actual.get(w).attentionRows()).isNull();
            } else {
                assertClose(
                        actual.get(w).attentionRows(),
                        expected.get(w).attentionRows(),
                        "window " + w + " attention rows");
            }
        }
    }

    private static void assertClose(float[][] actual, float[][] expected, String what) {
        assertThat(actual).as(what).hasNumberOfRows(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as(what + " row " + i).hasSize(expected[i].length);
            for (int j = 0; j < expected[i].length; j++) {
                assertThat(actual[i][j])
                        .as(what + " [" + i + "][" + j + "]")
                        .isCloseTo(
                                expected[i][j],
                                within(TOLERANCE * Math.max(1, Math.abs(expected[i][j]))));
            }
        }
    }

    private static HttpResponse<String> post(byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.uri().resolve("/predict"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", WindowCodec.REQUEST_CONTENT_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.uri().resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Returns the value of one Prometheus sample, e.g. {@code cst_model_batch_windows_count}. */
    private static double sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    @Order(1)
    void healthReadinessAndModelDescribeTheServer() throws Exception {
        HttpResponse<String> model = get("/model");

        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").body()).isEqualTo("ready\n");
        assertThat(model.statusCode()).isEqualTo(200);
        JsonNode info = new ObjectMapper().readTree(model.body());
        assertThat(info.get("parameters").asLong()).isEqualTo(parameters);
        assertThat(info.get("device").asText()).isEqualTo("cpu()");
        assertThat(info.at("/limits/maxTokens").asInt()).isEqualTo(512);
        assertThat(remote.config().valueDim).isEqualTo(16);
        assertThat(remote.config().landmarks).isEqualTo(8);
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/predict").statusCode()).isEqualTo(405);
    }

    @Test
    @Order(2)
    void remoteGivesTheSameValuesAndAttentionRowsAsLocal() throws Exception {
        List<Window> windows = new ArrayList<>(TinyModels.windows(1, 3, 40, 30));
        windows.add(TinyModels.window(9, 25, 20));
        AttentionRows rows = new AttentionRows(30, 40);

        List<Prediction> expected = local.predict(windows, rows).get();
        List<Prediction> actual = remote.predict(windows, rows).get(60, TimeUnit.SECONDS);
        List<Prediction> withoutRows = remote.predict(windows, null).get(60, TimeUnit.SECONDS);

        assertSame(actual, expected);
        // the 25-token window has no rows 30..40: none come back, as in process
        assertThat(actual.get(3).attentionRows()).isEmpty();
        assertThat(actual.get(0).attentionRows()).hasNumberOfRows(10);
        assertSame(withoutRows, local.predict(windows, null).get());
    }

    @Test
    @Order(3)
    void aCallOverTheServersLimitsIsSplitIntoRequests() throws Exception {
        List<Window> windows = TinyModels.windows(20, 19, 24, 20);
        AttentionRows rows = new AttentionRows(20, 24);

        List<Prediction> actual = remote.predict(windows, rows).get(60, TimeUnit.SECONDS);

        assertThat(remote.split(windows)).hasSize(3);
        assertSame(actual, local.predict(windows, rows).get());
    }

    @Test
    @Order(4)
    void concurrentRequestsAreRunAsOneBatch() throws Exception {
        String before = get("/metrics").body();

        List<CompletableFuture<List<Prediction>>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(remote.predict(List.of(TinyModels.window(40 + i, 32, 28)), null));
        }
        for (CompletableFuture<List<Prediction>> c : calls) {
            assertThat(c.get(60, TimeUnit.SECONDS)).hasSize(1);
        }
        String after = get("/metrics").body();

        double calls4 =
                sample(after, "cst_model_batch_windows_count")
                        - sample(before, "cst_model_batch_windows_count");
        double windows4 =
                sample(after, "cst_model_batch_windows_sum")
                        - sample(before, "cst_model_batch_windows_sum");
        assertThat(windows4).isEqualTo(4);
        assertThat(calls4).isLessThan(4);
        assertThat(sample(after, "cst_model_batch_windows_max")).isGreaterThan(1);
    }

    @Test
    @Order(5)
    void oversizeRequestsGet413AndTheServerStaysUp() throws Exception {
        byte[] big = new byte[2 << 20];
        System.arraycopy(WindowCodec.REQUEST_MAGIC, 0, big, 0, 4);
        HttpResponse<String> tooManyBytes = post(big);

        ByteBuffer windows = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        windows.put(WindowCodec.REQUEST_MAGIC).putShort((short) 1).putShort((short) 0);
        windows.putInt(100).putInt(0).putInt(0);
        HttpResponse<String> tooManyWindows = post(windows.array());
        HttpResponse<String> tooManyTokens =
                post(WindowCodec.encodeRequest(List.of(TinyModels.window(5, 600, 600)), null));

        assertThat(tooManyBytes.statusCode()).isEqualTo(413);
        assertThat(tooManyBytes.body())
                .contains("request body of 2.0 MiB exceeds the server's limit of 1.0 MiB")
                .contains("--max-request-mib");
        assertThat(tooManyWindows.statusCode()).isEqualTo(413);
        assertThat(tooManyWindows.body()).contains("100 windows").contains("--max-windows");
        assertThat(tooManyTokens.statusCode()).isEqualTo(413);
        assertThat(tooManyTokens.body()).contains("600 tokens").contains("--max-tokens");
        // the client refuses the same window itself, naming the server's limit
        assertThatThrownBy(
                        () -> remote.predict(List.of(TinyModels.window(5, 600, 600)), null).get())
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("takes at most 512 per window")
                .hasMessageContaining("--max-tokens");
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(remote.predict(TinyModels.windows(3, 1, 16, 12), null).get(60, TimeUnit.SECONDS))
                .hasSize(1);
    }

    @Test
    @Order(6)
    void malformedRequestsGet400AndTheServerStaysUp() throws Exception {
        byte[] valid = WindowCodec.encodeRequest(TinyModels.windows(7, 2, 16, 12), null);
        HttpResponse<String> json = post("{\"windows\": []}".getBytes());
        HttpResponse<String> truncated = post(Arrays.copyOf(valid, valid.length - 10));
        byte[] wrongSize =
                WindowCodec.encodeRequest(
                        List.of(new Window(new float[][] {{1f, 2f}}, new float[][] {{0f, 0f, 0f}})),
                        null);
        HttpResponse<String> wrongDim = post(wrongSize);

        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(json.body()).contains("at byte 0 (magic)").contains("docs/model-protocol.md");
        assertThat(truncated.statusCode()).isEqualTo(400);
        assertThat(truncated.body()).contains("window 1 values and coordinates");
        assertThat(wrongDim.statusCode()).isEqualTo(400);
        assertThat(wrongDim.body()).contains("2 values per token; the model takes 16");
        assertThat(server.isAlive()).isTrue();
        assertThat(remote.predict(TinyModels.windows(8, 1, 16, 12), null).get(60, TimeUnit.SECONDS))
                .hasSize(1);
    }

    @Test
    @Order(7)
    void metricsShowTheInferenceHistogramAndOutcomes() throws Exception {
        HttpResponse<String> response = get("/metrics");
        String metrics = response.body();

        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics)
                .contains("cst_model_inference_seconds_bucket{device=\"cpu()\",le=")
                .contains("cst_model_inference_seconds_count{device=\"cpu()\"}")
                .contains("cst_model_request_latency_seconds_bucket")
                .contains("cst_model_queue_windows 0.0")
                .contains("cst_model_ready 1.0");
        assertThat(sample(metrics, "cst_model_parameters{device=\"cpu()\"}")).isEqualTo(parameters);
        assertThat(sample(metrics, "cst_model_requests_total{outcome=\"ok\"}")).isGreaterThan(5);
        assertThat(sample(metrics, "cst_model_requests_total{outcome=\"too-large\"}")).isEqualTo(3);
        assertThat(sample(metrics, "cst_model_requests_total{outcome=\"bad-request\"}"))
                .isEqualTo(3);
        assertThat(sample(metrics, "cst_model_requests_total{outcome=\"overloaded\"}")).isZero();
    }

    @Test
    @Order(8)
    void anUnreachableServerIsAClearError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port);

        assertThatThrownBy(
                        () ->
                                RemoteInference.connect(
                                        nowhere, Duration.ofSeconds(2), Duration.ofMillis(500)))
                .isInstanceOf(RemoteInferenceException.class)
                .hasMessageContaining("cannot reach the model server at " + nowhere)
                .hasMessageContaining("waiting 0 s");
    }

    @Test
    @Order(9)
    void sigtermStopsTheServerAfterItsLastAnswers() throws Exception {
        CompletableFuture<List<Prediction>> last =
                remote.predict(TinyModels.windows(11, 2, 16, 12), null);
        // stop while the request waits in the queue (the batch delay is 500 ms)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!last.isDone()
                && sample(get("/metrics").body(), "cst_model_queue_windows") < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        server.close();

        assertThat(last.get(30, TimeUnit.SECONDS)).hasSize(2);
        assertThat(server.isAlive()).isFalse();
        assertThat(Files.readString(server.log()))
                .contains("stopped          http://127.0.0.1:" + server.port());
    }
}
