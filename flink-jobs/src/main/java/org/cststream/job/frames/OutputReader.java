package org.cststream.job.frames;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.cststream.kafka.KafkaSettings;

/**
 * Reads the job's output topics back (read-committed, from the beginning): what a downstream
 * consumer would see. Used by the launcher's summary and by tests.
 */
public final class OutputReader implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, byte[]> consumer;

    /**
     * @param topics topics to read from offset 0 (every partition)
     */
    public OutputReader(
            String bootstrapServers, Map<String, String> clientProps, List<String> topics) {
        Map<String, String> props = new HashMap<>(clientProps);
        props.put("auto.offset.reset", "earliest");
        consumer =
                new KafkaConsumer<>(
                        KafkaSettings.consumer(
                                bootstrapServers, "cst-output-reader-" + System.nanoTime(), props));
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t, Duration.ofSeconds(30))
                    .forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /**
     * Polls until {@code done} holds for the records read so far or the timeout passes.
     *
     * @return every record read, in partition order
     */
    public List<ConsumerRecord<String, byte[]>> readUntil(
            Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(all) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                all.add(r);
            }
        }
        return all;
    }

    /**
     * Hands each record to {@code sink} as it arrives, until {@code done} is true or the timeout
     * passes.
     */
    public void consume(
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink,
            java.util.function.BooleanSupplier done,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                sink.accept(r);
            }
        }
    }

    /** Returns the event in a record of the events topic. */
    public static SessionEvent event(ConsumerRecord<String, byte[]> r) {
        try {
            return JSON.readValue(r.value(), SessionEvent.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    "events topic holds a record that is not an event" + " at offset " + r.offset(),
                    e);
        }
    }

    /** Returns how many entries repeat an earlier one, e.g. frame counters of one session. */
    public static int duplicates(List<Long> counters) {
        Set<Long> seen = new HashSet<>();
        int dup = 0;
        for (long c : counters) {
            if (!seen.add(c)) {
                dup++;
            }
        }
        return dup;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
