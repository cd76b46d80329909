package org.cststream.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import picocli.CommandLine.Option;

/** Options of a command that publishes to Kafka: the servers, client settings and metrics. */
public class KafkaClientArgs {
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(KafkaClientArgs.class);

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka to publish to (e.g. the one of 'cst broker').")
    String bootstrapServers;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka client setting (e.g. security.protocol=SSL); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            defaultValue = "9464",
            description =
                    "Prometheus endpoint port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(
            names = "--metrics-host",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description = "Address the metrics endpoint binds to. Default: ${DEFAULT-VALUE}.")
    String metricsHost;

    /**
     * Creates the topic if Kafka answers; if not, says so and goes on: records wait until Kafka is
     * back, and the topic must exist by then.
     */
    void ensureTopic(String topic) {
        try {
            Topics.ensure(bootstrapServers, kafkaProperties, List.of(topic), 1, (short) 1);
        } catch (IllegalStateException e) {
            LOG.warn("cannot create topic {} now: {}", topic, e.getMessage());
            System.out.println(
                    "warning          Kafka at "
                            + bootstrapServers
                            + " did not answer; records wait (frames on disk) until it does, and"
                            + " the topic "
                            + topic
                            + " must exist by then");
        }
    }

    /** Starts the metrics endpoint and returns its URL. */
    String serveMetrics() {
        int port = CstMetrics.serve(metricsHost, metricsPort);
        return "http://" + metricsHost + ":" + port + "/metrics";
    }
}
