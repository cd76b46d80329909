package org.cststream.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the consumer lag of a group on a topic as gauges ({@link MetricNames#KAFKA_LAG}, per
 * partition): log end offset minus the group's committed offset. Flink commits offsets when a
 * checkpoint completes, so the lag seen here includes up to one checkpoint interval of records.
 */
public final class KafkaLagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLagMonitor.class);

    private final Admin admin;
    private final String topic;
    private final String groupId;
    private final MeterRegistry registry;
    private final Map<Integer, AtomicLong> lags = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile boolean warned;

    /**
     * Starts polling every {@code periodMillis}.
     *
     * @param periodMillis poll period in ms (>= 100)
     */
    public KafkaLagMonitor(
            String bootstrapServers,
            Map<String, String> clientProps,
            String topic,
            String groupId,
            MeterRegistry registry,
            long periodMillis) {
        java.util.Properties props = KafkaSettings.admin(bootstrapServers, clientProps);
        props.putIfAbsent("client.id", "cst-lag-monitor-" + groupId);
        this.admin = Admin.create(props);
        this.topic = topic;
        this.groupId = groupId;
        this.registry = registry;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "cst-kafka-lag");
                            t.setDaemon(true);
                            return t;
                        });
        timer.scheduleWithFixedDelay(
                this::poll, 0, Math.max(100, periodMillis), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            TopicDescription d =
                    admin.describeTopics(java.util.List.of(topic))
                            .allTopicNames()
                            .get(10, TimeUnit.SECONDS)
                            .get(topic);
            Map<TopicPartition, OffsetSpec> latest =
                    d.partitions().stream()
                            .collect(
                                    Collectors.toMap(
                                            p -> new TopicPartition(topic, p.partition()),
                                            p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
            for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                long lag = e.getValue().offset() - (c == null ? 0 : c.offset());
                gauge(e.getKey().partition()).set(Math.max(0, lag));
            }
        } catch (Exception e) {
            if (!warned) {
                warned = true;
                LOG.warn(
                        "cannot read consumer lag topic={} group={}: {} (further failures at"
                                + " DEBUG)",
                        topic,
                        groupId,
                        e.toString());
            } else {
                LOG.debug("cannot read consumer lag topic={} group={}", topic, groupId, e);
            }
        }
    }

    private AtomicLong gauge(int partition) {
        return lags.computeIfAbsent(
                partition,
                p -> {
                    AtomicLong v = new AtomicLong();
                    Gauge.builder(MetricNames.KAFKA_LAG, v, AtomicLong::get)
                            .description("records of the frames topic not yet committed by the job")
                            .tag(MetricNames.TAG_TOPIC, topic)
                            .tag(MetricNames.TAG_PARTITION, String.valueOf(p))
                            .register(registry);
                    return v;
                });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
