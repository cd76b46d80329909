package org.cststream.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Client and topic settings that carry camera frames: one source of truth for record size limits,
 * compression and delivery settings, used by every producer, consumer and topic of the project.
 *
 * <p>A 2048x2048 uint16 frame is 8 MiB; Kafka's defaults (1 MiB per request and per record) reject
 * it. {@link #MAX_RECORD_BYTES} leaves room for 4096x4096 uint16 frames and their header.
 */
public final class KafkaSettings {
    /** Largest record the topics, producers and consumers accept: 64 MiB. */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private KafkaSettings() {}

    /**
     * Returns producer properties for frame records: idempotent, acks=all, lz4 compression, request
     * and buffer sizes for {@link #MAX_RECORD_BYTES} records.
     *
     * @param bootstrapServers comma-separated host:port list
     * @param extra further client properties (e.g. security settings); they override defaults
     */
    public static Properties producer(String bootstrapServers, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(producerTuning());
        p.putAll(extra);
        return p;
    }

    /** Returns the producer settings for large frames, without serialisers or servers. */
    public static Map<String, String> producerTuning() {
        Map<String, String> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(4L * MAX_RECORD_BYTES));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1024 * 1024));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        return p;
    }

    /**
     * Returns consumer properties for frame records: read-committed, no auto-commit, fetch sizes
     * for {@link #MAX_RECORD_BYTES} records.
     */
    public static Properties consumer(
            String bootstrapServers, String groupId, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(consumerTuning());
        p.putAll(extra);
        return p;
    }

    /** Returns the consumer settings for large frames, without deserialisers or servers. */
    public static Map<String, String> consumerTuning() {
        Map<String, String> p = new HashMap<>();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(2 * MAX_RECORD_BYTES));
        p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, String.valueOf(4 * 1024 * 1024));
        return p;
    }

    /** Returns the per-topic configuration for topics that hold frames or tokens. */
    public static Map<String, String> frameTopicConfig() {
        Map<String, String> t = new HashMap<>();
        t.put("max.message.bytes", String.valueOf(MAX_RECORD_BYTES));
        t.put("compression.type", "producer");
        return t;
    }

    /** Returns admin client properties for the given servers plus extra settings. */
    public static Properties admin(String bootstrapServers, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(extra);
        return p;
    }
}
