package org.cststream.source.labels;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cststream.kafka.KafkaSettings;
import org.cststream.metrics.MetricNames;

/**
 * Sends label records (stimulus events, behaviour samples) to their topic, keyed by session, with
 * the project's producer settings and no delivery deadline, so an outage delays them in order.
 * Their source is a file, so nothing needs a spool: a failure stops the command with the record
 * that failed, and the file can be sent again.
 */
public final class LabelPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final String sourceName;
    private final MeterRegistry registry;
    private final AtomicLong published = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param sourceName metric tag: {@code stimulus} or {@code behaviour}
     */
    public LabelPublisher(
            String bootstrapServers,
            Map<String, String> kafkaProperties,
            String topic,
            String sourceName,
            MeterRegistry registry) {
        this(bootstrapServers, kafkaProperties, topic, sourceName, registry, KafkaProducer::new);
    }

    /** As the public constructor, with the producer made by a factory (tests). */
    LabelPublisher(
            String bootstrapServers,
            Map<String, String> kafkaProperties,
            String topic,
            String sourceName,
            MeterRegistry registry,
            Function<Properties, Producer<String, byte[]>> factory) {
        Properties p = KafkaSettings.producer(bootstrapServers, Map.of());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Integer.MAX_VALUE));
        p.putAll(kafkaProperties);
        this.producer = factory.apply(p);
        this.topic = topic;
        this.sourceName = sourceName;
        this.registry = registry;
    }

    /**
     * Sends one record.
     *
     * @param what the record's place, e.g. {@code log.csv:12}, for the error of a failed send
     * @throws IOException if an earlier record was refused by Kafka (the message says which)
     */
    public void send(String session, byte[] json, String what) throws IOException {
        checkFailure();
        producer.send(
                new ProducerRecord<>(topic, session, json),
                (meta, e) -> {
                    if (e == null) {
                        published.incrementAndGet();
                        counter(session).increment();
                    } else {
                        failure.compareAndSet(
                                null,
                                "Kafka refused "
                                        + what
                                        + " on topic "
                                        + topic
                                        + ": "
                                        + e.getMessage());
                    }
                });
    }

    private Counter counter(String session) {
        return counters.computeIfAbsent(
                session,
                s ->
                        Counter.builder(MetricNames.SOURCE_LABELS_PUBLISHED)
                                .description("stimulus, TTL and behaviour records published")
                                .tag(MetricNames.TAG_SOURCE, sourceName)
                                .tag(MetricNames.TAG_SESSION, s)
                                .register(registry));
    }

    private void checkFailure() throws IOException {
        String f = failure.get();
        if (f != null) {
            throw new IOException(f);
        }
    }

    /** Returns the records Kafka acknowledged. */
    public long published() {
        return published.get();
    }

    /**
     * Waits for every record sent to be acknowledged.
     *
     * @throws IOException if one was refused
     */
    public void flush() throws IOException {
        producer.flush();
        checkFailure();
    }

    /** Sends what is pending and closes the producer. */
    @Override
    public void close() {
        producer.close();
    }
}
