package org.cststream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CstMetricsTest {

    @Test
    void servesPrometheusTextOnLoopbackWithTheDocumentedNames() throws Exception {
        Counter.builder(MetricNames.FRAMES_RECEIVED)
                .tag(MetricNames.TAG_SESSION, "m1")
                .tag(MetricNames.TAG_CHANNEL, "470nm")
                .register(CstMetrics.registry())
                .increment(3);
        CstMetrics.latencyTimer(CstMetrics.registry(), "tokens").record(12, TimeUnit.MILLISECONDS);
        int port = CstMetrics.serve("127.0.0.1", 0);
        try {
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + port
                                                                    + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body())
                    .contains(
                            "cst_frames_received_total{channel=\"470nm\",session=\"m1\"} 3.0",
                            "cst_frame_latency_seconds_bucket{stage=\"tokens\",le=",
                            "cst_frame_latency_seconds_count{stage=\"tokens\"} 1");
        } finally {
            CstMetrics.stopServing();
        }
    }
}
