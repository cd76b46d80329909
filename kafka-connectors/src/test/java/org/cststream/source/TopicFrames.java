package org.cststream.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.FrameFormatException;
import org.cststream.kafka.KafkaSettings;

/** Reads frame records back from a topic for tests, in offset order. */
public final class TopicFrames {
    private TopicFrames() {}

    /**
     * Reads records from the start of {@code topic} until {@code expected} were read or the timeout
     * passed, and decodes them.
     */
    public static List<Frame> read(String servers, String topic, int expected, Duration timeout)
            throws FrameFormatException {
        List<ConsumerRecord<String, byte[]>> records =
                readRecords(servers, topic, expected, timeout);
        List<Frame> frames = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Frame f = FrameCodec.decode(r.value());
            if (!r.key().equals(f.sessionId)) {
                throw new AssertionError("key " + r.key() + " differs from session " + f.sessionId);
            }
            frames.add(f);
        }
        return frames;
    }

    /** Reads raw records from the start of {@code topic}, at most until the timeout. */
    public static List<ConsumerRecord<String, byte[]>> readRecords(
            String servers, String topic, int expected, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(
                        KafkaSettings.consumer(servers, "test-" + System.nanoTime(), Map.of()))) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
            // anything beyond the expected count (a duplicate) shows up in a short extra poll
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                out.add(r);
            }
        }
        return out;
    }
}
