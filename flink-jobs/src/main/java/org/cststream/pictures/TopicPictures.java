package org.cststream.pictures;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.FrameFormatException;
import org.cststream.frame.PixelConversion;
import org.cststream.kafka.KafkaSettings;
import org.cststream.pictures.LatestPictures.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link LatestPictures} registry from the job's output topics (dF/F, corrected, the CST
 * stage's regular output), so that a job running elsewhere, on a cluster, can be watched from any
 * machine that reaches Kafka. Reads from the end of each partition: only frames that arrive after
 * the start. The attention is not on a topic; it is served only where the CST stage runs.
 */
public final class TopicPictures implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicPictures.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Kind> topics;
    private final LatestPictures pictures;
    private final Thread reader;
    private final AtomicLong frames = new AtomicLong();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TopicPictures(
            KafkaConsumer<String, byte[]> consumer,
            Map<String, Kind> topics,
            LatestPictures pictures) {
        this.consumer = consumer;
        this.topics = topics;
        this.pictures = pictures;
        this.reader = new Thread(this::run, "cst-topic-pictures");
        reader.setDaemon(true);
    }

    /**
     * Starts reading.
     *
     * @param topics topic to the kind its frames are shown as; topics that do not exist are skipped
     *     (a job without the CST stage has no regular-output topic)
     * @throws IllegalArgumentException if none of the topics exists
     */
    public static TopicPictures start(
            String bootstrapServers,
            Map<String, String> kafkaProperties,
            Map<String, Kind> topics,
            LatestPictures pictures) {
        Map<String, String> props = new HashMap<>(kafkaProperties);
        props.put("auto.offset.reset", "latest");
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(
                        KafkaSettings.consumer(
                                bootstrapServers, "cst-pictures-" + System.nanoTime(), props));
        try {
            List<TopicPartition> parts = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            Set<String> existing = consumer.listTopics(Duration.ofSeconds(30)).keySet();
            for (String t : topics.keySet()) {
                if (!existing.contains(t)) {
                    missing.add(t);
                    continue;
                }
                consumer.partitionsFor(t, Duration.ofSeconds(30))
                        .forEach(p -> parts.add(new TopicPartition(t, p.partition())));
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException(
                        "none of the topics "
                                + topics.keySet()
                                + " exists on "
                                + bootstrapServers
                                + "; start the frame job first (it creates its topics), or give"
                                + " its --topic-prefix");
            }
            if (!missing.isEmpty()) {
                // e.g. no CST stage: no regular-output topic
                LOG.info("picture topics not present, skipped topics={}", missing);
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        TopicPictures t = new TopicPictures(consumer, Map.copyOf(topics), pictures);
        t.reader.start();
        LOG.info("reading pictures from topics={} bootstrap={}", topics.keySet(), bootstrapServers);
        return t;
    }

    /** Returns the frames handed to the registry so far. */
    public long frames() {
        return frames.get();
    }

    private void run() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    offer(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("picture reader stopped: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private void offer(ConsumerRecord<String, byte[]> r) {
        Frame f;
        try {
            f = FrameCodec.decode(r.value());
        } catch (FrameFormatException e) {
            if (warned.add(r.topic())) {
                LOG.warn(
                        "not a frame record topic={} partition={} offset={}: {} (further ones"
                                + " skipped silently)",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        e.getMessage());
            }
            return;
        }
        if (f.isEndOfSession()) {
            return;
        }
        pictures.offerFrame(
                topics.get(r.topic()),
                f.sessionId,
                f.channelLabel(),
                f.frameCounter,
                f.acquisitionNanos,
                (f.flags & Frame.FLAG_FILLED) != 0,
                f.width,
                f.height,
                PixelConversion.toFloats(f));
        frames.incrementAndGet();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        reader.join(5000);
    }
}
