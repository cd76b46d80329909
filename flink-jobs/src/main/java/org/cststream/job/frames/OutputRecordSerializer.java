package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;

/**
 * Turns an output of the job into a Kafka record keyed by session, and counts it as written.
 *
 * @param <T> the output type
 */
public class OutputRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String output;
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, byte[]> value;
    private final SerializableFunction<T, RecordHeaders> headers;
    private final SerializableFunction<T, String> channel;

    /**
     * @param topic destination topic
     * @param output value of the {@code output} tag of {@link MetricNames#FRAMES_WRITTEN}, or null
     *     to count nothing
     * @param key the record key (the session id)
     * @param value the record value
     * @param headers record headers, or null for none
     * @param channel the channel label for the metric, or null
     */
    public OutputRecordSerializer(
            String topic,
            String output,
            SerializableFunction<T, String> key,
            SerializableFunction<T, byte[]> value,
            SerializableFunction<T, RecordHeaders> headers,
            SerializableFunction<T, String> channel) {
        this.topic = topic;
        this.output = output;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.channel = channel;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
        CstMetrics.registry();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        byte[] keyBytes = k == null ? null : k.getBytes(StandardCharsets.UTF_8);
        if (output != null) {
            Counter.builder(MetricNames.FRAMES_WRITTEN)
                    .tag(MetricNames.TAG_SESSION, k == null ? "" : k)
                    .tag(MetricNames.TAG_CHANNEL, channel == null ? "" : channel.apply(element))
                    .tag(MetricNames.TAG_OUTPUT, output)
                    .register(CstMetrics.registry())
                    .increment();
        }
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                keyBytes,
                value.apply(element),
                headers == null ? null : headers.apply(element));
    }
}
