package org.cststream.job.frames;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps each Kafka record whole, with its coordinates, so that decoding happens in an operator that
 * can route a bad record to the dead-letter topic instead of failing the source.
 */
public class KafkaRecordDeserializer implements KafkaRecordDeserializationSchema<KafkaRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaRecord> out) {
        KafkaRecord r = new KafkaRecord();
        r.topic = record.topic();
        r.partition = record.partition();
        r.offset = record.offset();
        r.timestampMillis = record.timestamp();
        r.key =
                record.key() == null
                        ? null
                        : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        r.value = record.value();
        out.collect(r);
    }

    @Override
    public TypeInformation<KafkaRecord> getProducedType() {
        return TypeInformation.of(KafkaRecord.class);
    }
}
