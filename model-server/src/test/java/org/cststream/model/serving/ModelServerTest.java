package org.cststream.model.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cststream.metrics.MetricNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server in this JVM: back-pressure and a model that cannot load. */
class ModelServerTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir Path dir;

    private static ModelServerOptions options(
            Path model, int maxBatch, long delayMillis, int maxQueued, int maxWindows) {
        return new ModelServerOptions(
                model,
                "127.0.0.1",
                0,
                maxBatch,
                Duration.ofMillis(delayMillis),
                maxQueued,
                new RequestLimits(1 << 20, maxWindows, 512),
                2,
                32,
                null);
    }

    private static HttpRequest post(ModelServer server, int seed) {
        return HttpRequest.newBuilder(server.uri().resolve(ModelServer.PREDICT_PATH))
                .timeout(Duration.ofSeconds(60))
                .POST(
                        HttpRequest.BodyPublishers.ofByteArray(
                                WindowCodec.encodeRequest(
                                        List.of(TinyModels.window(seed, 16, 12)), null)))
                .build();
    }

    @Test
    void aRequestThatFindsTheQueueFullGets503WithRetryAfter() throws Exception {
        Path model = TinyModels.save(dir.resolve("model"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // one window may wait; it waits 3 s for a second one to batch with
        try (ModelServer server = ModelServer.start(options(model, 2, 3000, 1, 1), registry)) {
            server.ready().get(60, TimeUnit.SECONDS);
            CompletableFuture<HttpResponse<byte[]>> first =
                    HTTP.sendAsync(post(server, 1), HttpResponse.BodyHandlers.ofByteArray());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.get(MetricNames.MODEL_QUEUE_WINDOWS).gauge().value() < 1
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }

            HttpResponse<String> second =
                    HTTP.send(post(server, 2), HttpResponse.BodyHandlers.ofString());

            assertThat(second.statusCode()).isEqualTo(503);
            assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(second.body())
                    .contains("busy: 1 windows wait for the model (limit 1")
                    .contains("--max-queued-windows");
            HttpResponse<byte[]> answered = first.get(30, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(WindowCodec.decodeResponse(answered.body())).hasSize(1);
            assertThat(
                            registry.get(MetricNames.MODEL_REQUESTS)
                                    .tag(MetricNames.TAG_OUTCOME, "overloaded")
                                    .counter()
                                    .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void aModelThatCannotLoadLeavesTheServerUnreadyAndSaysWhy() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ModelServer server =
                ModelServer.start(options(dir.resolve("missing"), 4, 0, 8, 8), registry)) {

            assertThatThrownBy(() -> server.ready().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("cst-model.json is missing");
            HttpResponse<String> ready =
                    HTTP.send(
                            HttpRequest.newBuilder(server.uri().resolve("/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> predict =
                    HTTP.send(post(server, 3), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> health =
                    HTTP.send(
                            HttpRequest.newBuilder(server.uri().resolve("/health")).build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body())
                    .contains("the model failed to load")
                    .contains("cst-model.json is missing");
            assertThat(predict.statusCode()).isEqualTo(503);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(server.isReady()).isFalse();
        }
    }

    @Test
    void theFlagsDefaultsAreTheOptionsDefaults() {
        ModelServer.Main main = new ModelServer.Main();
        new picocli.CommandLine(main).parseArgs("--model", "some/model");

        assertThat(main.args.toOptions())
                .isEqualTo(ModelServerOptions.defaults(Path.of("some/model")));
    }

    @Test
    void optionsNameTheFlagAndItsBound() {
        assertThatThrownBy(() -> options(dir, 4, 0, 4, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "--max-queued-windows (4) must be at least --max-windows (8)");
        assertThatThrownBy(() -> options(dir, 0, 0, 8, 8))
                .hasMessageContaining("--max-batch must be >= 1 window, was 0");
        assertThatThrownBy(() -> options(dir, 4, 20_000, 8, 8))
                .hasMessageContaining("--batch-delay-ms must be 0..10000 ms, was 20000");
    }
}
