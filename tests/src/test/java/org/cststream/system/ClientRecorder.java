package org.cststream.system;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * A Kafka metrics reporter that only records the settings of each client that loads it. Named in
 * {@code metric.reporters} among the extra client settings, it shows which clients of a run got
 * those settings: a client built without them never loads it.
 */
public final class ClientRecorder implements MetricsReporter {
    /** The settings of every client that loaded this reporter, in order. */
    static final List<Map<String, ?>> CLIENTS = new CopyOnWriteArrayList<>();

    @Override
    public void configure(Map<String, ?> configs) {
        CLIENTS.add(Map.copyOf(configs));
    }

    @Override
    public void init(List<KafkaMetric> metrics) {}

    @Override
    public void metricChange(KafkaMetric metric) {}

    @Override
    public void metricRemoval(KafkaMetric metric) {}

    @Override
    public void close() {}
}
