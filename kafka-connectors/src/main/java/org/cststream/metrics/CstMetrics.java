package org.cststream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide Micrometer registry and its Prometheus endpoint.
 *
 * <p>Sources, Flink operators and the model server of one JVM share one registry, so a local run
 * (embedded broker, MiniCluster and replay in one process) serves every metric from one port. On a
 * Flink cluster each TaskManager serves its own operators' metrics on its own port.
 */
public final class CstMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(CstMetrics.class);
    private static final PrometheusMeterRegistry REGISTRY =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static HTTPServer server;

    private CstMetrics() {}

    /** Returns the registry every component of this JVM records into. */
    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /**
     * Starts the Prometheus endpoint ({@code /metrics}) once per JVM; later calls return the port
     * already bound.
     *
     * @param host address to bind; {@code 127.0.0.1} unless metrics must be scraped remotely
     * @param port TCP port, or 0 for a free one
     * @return the bound port
     */
    public static synchronized int serve(String host, int port) {
        if (server != null) {
            return server.getPort();
        }
        try {
            server =
                    HTTPServer.builder()
                            .hostname(host)
                            .port(port)
                            .registry(REGISTRY.getPrometheusRegistry())
                            .buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve metrics on "
                            + host
                            + ":"
                            + port
                            + "; choose another --metrics-port or 0 for a free one",
                    e);
        }
        LOG.info("metrics endpoint started url=http://{}:{}/metrics", host, server.getPort());
        return server.getPort();
    }

    /** Returns true if this JVM serves its metrics. */
    public static synchronized boolean isServing() {
        return server != null;
    }

    /** Stops the endpoint if it runs. */
    public static synchronized void stopServing() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Returns the frame latency timer for a stage, with a histogram and p50/p99. */
    public static Timer latencyTimer(MeterRegistry registry, String stage) {
        return Timer.builder(MetricNames.FRAME_LATENCY)
                .description("time from host receipt of a frame to its processed output")
                .tag(MetricNames.TAG_STAGE, stage)
                .publishPercentileHistogram()
                .publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .distributionStatisticExpiry(Duration.ofMinutes(10))
                .register(registry);
    }

    /** Returns the sum of every counter with the given name, over all tag values. */
    public static double total(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
}
