package org.cststream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerTest {

    @Test
    void carriesAnEightMebibyteFrameThroughARealBroker() throws Exception {
        Frame frame = new Frame();
        frame.sessionId = "s1";
        frame.width = 2048;
        frame.height = 2048;
        frame.pixelType = PixelType.UINT16;
        frame.pixels = new byte[2048 * 2048 * 2];
        for (int i = 0; i < frame.pixels.length; i++) {
            frame.pixels[i] = (byte) (i * 31);
        }
        byte[] record = FrameCodec.encode(frame);

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String servers = broker.bootstrapServers();
            Topics.ensure(servers, Map.of(), List.of("frames"), 1, (short) 1);
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
                producer.send(new ProducerRecord<>("frames", "s1", record)).get();
            }
            ConsumerRecord<String, byte[]> got = null;
            try (KafkaConsumer<String, byte[]> consumer =
                    new KafkaConsumer<>(KafkaSettings.consumer(servers, "t", Map.of()))) {
                consumer.subscribe(List.of("frames"));
                long deadline = System.currentTimeMillis() + 30_000;
                while (got == null && System.currentTimeMillis() < deadline) {
                    ConsumerRecords<String, byte[]> recs = consumer.poll(Duration.ofMillis(500));
                    for (ConsumerRecord<String, byte[]> r : recs) {
                        got = r;
                    }
                }
            }

            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            assertThat(got).isNotNull();
            assertThat(got.key()).isEqualTo("s1");
            assertThat(FrameCodec.decode(got.value())).isEqualTo(frame);
        }
    }
}
