package org.cststream.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.metrics.MetricNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher's routing, spooling and stop, against Kafka's mock producer. */
class FramePublisherTest {
    private static final long MIB = 1024 * 1024;

    private static PublisherOptions.Builder options(Path spool) {
        return PublisherOptions.builder()
                .bootstrapServers("127.0.0.1:1")
                .topic("t")
                .sourceName("test")
                .queueBytes(8 * MIB)
                .inFlightBytes(MIB)
                .spoolDir(spool)
                .stopTimeout(Duration.ofMillis(300));
    }

    private static MockProducer<String, byte[]> mock(boolean autoComplete) {
        return new MockProducer<>(
                autoComplete, null, new StringSerializer(), new ByteArraySerializer());
    }

    /** A 128x128 uint16 frame: 32 KiB of pixels. */
    private static Frame frame(long counter) {
        return BrokerOutageIT.frame("s", counter);
    }

    private static List<Long> counters(List<ProducerRecord<String, byte[]>> sent) throws Exception {
        List<Long> out = new java.util.ArrayList<>();
        for (ProducerRecord<String, byte[]> r : sent) {
            Frame f = FrameCodec.decode(r.value());
            out.add(f.isEndOfSession() ? -1 - f.frameCounter : f.frameCounter);
        }
        return out;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void framesBeyondTheInFlightLimitWaitInTheSpoolAndGoOutInOrder(@TempDir Path dir)
            throws Exception {
        MockProducer<String, byte[]> kafka = mock(false);
        FramePublisher p =
                FramePublisher.start(
                        options(dir).build(), new SimpleMeterRegistry(), props -> kafka);
        for (int i = 0; i < 100; i++) {
            assertThat(p.offer(frame(i))).isTrue();
        }
        await(() -> p.stats().spooled() + kafka.history().size() == 100);
        int sentBeforeAcks = kafka.history().size();

        while (!p.isIdle()) {
            while (kafka.completeNext()) {
                // acknowledge everything sent so far; the spool refills the window
            }
            Thread.sleep(5);
        }
        p.close();

        assertThat(sentBeforeAcks).isLessThan(40);
        assertThat(p.stats().spooled()).isEqualTo(100 - sentBeforeAcks);
        assertThat(p.stats().published()).isEqualTo(100);
        assertThat(p.stats().lost()).isZero();
        assertThat(counters(kafka.history())).containsExactlyElementsOf(range(0, 100));
        assertThat(p.stats().peakMemoryBytes()).isLessThanOrEqualTo(9 * MIB + 40_000);
    }

    /**
     * Kafka's producer refuses a record in {@code send()} itself when it has no metadata in time
     * (the broker is away): it calls the callback with a TimeoutException on the calling thread and
     * keeps nothing. This mock does the same while {@link #away} is set.
     */
    private static final class AwayProducer extends MockProducer<String, byte[]> {
        volatile boolean away = true;
        final AtomicInteger refusals = new AtomicInteger();

        AwayProducer() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(
                ProducerRecord<String, byte[]> record, Callback callback) {
            if (away) {
                refusals.incrementAndGet();
                TimeoutException e =
                        new TimeoutException("Topic t not present in metadata after 2000 ms.");
                callback.onCompletion(null, e);
                return CompletableFuture.failedFuture(e);
            }
            return super.send(record, callback);
        }
    }

    @Test
    void aSendRefusedWhileKafkaIsAwayIsTriedAgainOnTheSameProducerAndWritesNothingTwice(
            @TempDir Path dir) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<AwayProducer> producers = new CopyOnWriteArrayList<>();
        FramePublisher p =
                FramePublisher.start(
                        options(dir).build(),
                        registry,
                        props -> {
                            AwayProducer made = new AwayProducer();
                            producers.add(made);
                            return made;
                        });
        for (int i = 0; i < 60; i++) {
            p.offer(frame(i));
        }
        await(
                () ->
                        producers.stream().mapToInt(k -> k.refusals.get()).sum() >= 3
                                && p.stats().spooled() > 0);
        producers.forEach(k -> k.away = false);
        assertThat(p.awaitIdle(Duration.ofSeconds(10))).isTrue();
        p.close();

        assertThat(producers).as("producers made").hasSize(1);
        assertThat(counters(producers.get(0).history())).containsExactlyElementsOf(range(0, 60));
        assertThat(p.stats().published()).isEqualTo(60);
        assertThat(p.stats().resent()).isZero();
        assertThat(registry.find(MetricNames.SOURCE_RESENT).counters()).isEmpty();
    }

    @Test
    void aReplacedProducerResendsOnlyWhatKafkaDidNotAcknowledgeAndCountsIt(@TempDir Path dir)
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MockProducer<String, byte[]> failing = mock(false);
        MockProducer<String, byte[]> fresh = mock(true);
        List<MockProducer<String, byte[]>> made = new CopyOnWriteArrayList<>();
        FramePublisher p =
                FramePublisher.start(
                        options(dir).build(),
                        registry,
                        props -> {
                            MockProducer<String, byte[]> next = made.isEmpty() ? failing : fresh;
                            made.add(next);
                            return next;
                        });
        for (int i = 0; i < 10; i++) {
            p.offer(frame(i));
        }
        await(() -> failing.history().size() == 10);
        for (int i = 0; i < 4; i++) {
            failing.completeNext();
        }
        failing.errorNext(new UnknownServerException("the broker failed the batch"));
        assertThat(p.awaitIdle(Duration.ofSeconds(10))).isTrue();
        p.close();

        assertThat(made).hasSize(2);
        assertThat(counters(fresh.history())).containsExactlyElementsOf(range(4, 10));
        assertThat(p.stats().published()).isEqualTo(10);
        assertThat(p.stats().resent()).isEqualTo(6);
        assertThat(registry.get(MetricNames.SOURCE_RESENT).counter().count()).isEqualTo(6);
    }

    @Test
    void aStopWithKafkaAwayKeepsEverythingForTheNextRunInOrder(@TempDir Path dir) throws Exception {
        MockProducer<String, byte[]> away = mock(false);
        FramePublisher first =
                FramePublisher.start(
                        options(dir).build(), new SimpleMeterRegistry(), props -> away);
        for (int i = 0; i < 60; i++) {
            first.offer(frame(i));
        }
        first.endSession("s", "c", 59);
        first.close();

        assertThat(first.stats().published()).isZero();
        assertThat(first.stats().lost()).isZero();
        assertThat(first.stats().leftInSpool()).isEqualTo(61);

        MockProducer<String, byte[]> back = mock(true);
        FramePublisher second =
                FramePublisher.start(
                        options(dir).build(), new SimpleMeterRegistry(), props -> back);
        for (int i = 60; i < 70; i++) {
            second.offer(frame(i));
        }
        second.endSession("s", "c", 69);
        second.close();

        List<Long> expected = range(0, 60);
        expected.add(-1 - 59L);
        expected.addAll(range(60, 70));
        expected.add(-1 - 69L);
        assertThat(counters(back.history())).containsExactlyElementsOf(expected);
        assertThat(second.stats().published()).isEqualTo(70);
        assertThat(second.stats().leftInSpool()).isZero();
    }

    @Test
    void withoutSpoolRoomFramesAreCountedLostNeverSilentlyDropped(@TempDir Path dir)
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MockProducer<String, byte[]> away = mock(false);
        FramePublisher p =
                FramePublisher.start(
                        options(dir).spoolMaxBytes(0).build(), registry, props -> away);
        for (int i = 0; i < 100; i++) {
            p.offer(frame(i));
        }
        await(() -> p.stats().lost() + away.history().size() == 100);
        p.close();

        assertThat(p.stats().lostByReason()).containsOnlyKeys("spool-full");
        assertThat(p.stats().lost()).isEqualTo(100 - away.history().size());
        assertThat(
                        registry.get(MetricNames.SOURCE_LOST)
                                .tag(MetricNames.TAG_REASON, "spool-full")
                                .counter()
                                .count())
                .isEqualTo(p.stats().lost());
    }

    @Test
    void aFullQueueCountsTheFrameLostWithoutWaiting(@TempDir Path dir) throws Exception {
        MockProducer<String, byte[]> kafka = mock(true);
        FramePublisher p =
                FramePublisher.start(
                        options(dir).stopTimeout(Duration.ofSeconds(30)).build(),
                        new SimpleMeterRegistry(),
                        props -> kafka);
        Frame big = frame(0);
        big.width = 2048;
        big.height = 2048;
        big.pixels = new byte[8 * 1024 * 1024];
        long refused = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            big.frameCounter = i;
            if (!p.offer(big)) {
                refused++;
            }
        }
        long micros = (System.nanoTime() - start) / 1000;
        p.close();

        assertThat(refused).as("frames the full queue refused").isPositive();
        assertThat(refused).isEqualTo(p.stats().lostByReason().getOrDefault("queue-full", 0L));
        assertThat(p.stats().published() + p.stats().lost()).isEqualTo(20);
        assertThat(p.stats().leftInSpool()).isZero();
        assertThat(micros).as("20 offers never wait").isLessThan(2_000_000);
    }

    @Test
    void refusesFramesOnceClosing(@TempDir Path dir) throws Exception {
        FramePublisher p =
                FramePublisher.start(
                        options(dir).build(), new SimpleMeterRegistry(), props -> mock(true));
        p.close();

        assertThatThrownBy(() -> p.offer(frame(0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closing");
    }

    @Test
    void optionsNameTheValueOutOfRange() {
        assertThatThrownBy(() -> options(Path.of("x")).inFlightBytes(10).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in-flight limit must be at least 1 MiB");
        assertThatThrownBy(() -> options(Path.of("x")).sourceName("Bad Name").build())
                .hasMessageContaining("source name");
        assertThatThrownBy(() -> options(Path.of("x")).bootstrapServers("").build())
                .hasMessageContaining("bootstrap servers");
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new java.util.ArrayList<>();
        for (long i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }

    @Test
    void securitySettingsReachTheProducerAndOverrideItsDefaults(@TempDir Path dir) {
        PublisherOptions o =
                PublisherOptions.builder()
                        .bootstrapServers("127.0.0.1:9093")
                        .spoolDir(dir)
                        .kafkaProperties(
                                java.util.Map.of(
                                        "security.protocol", "SSL",
                                        "ssl.truststore.location", "/etc/cst/truststore.p12",
                                        "compression.type", "zstd"))
                        .build();

        java.util.Properties p = FramePublisher.producerProperties(o);

        assertThat(p)
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/cst/truststore.p12")
                .containsEntry("compression.type", "zstd")
                .containsEntry("bootstrap.servers", "127.0.0.1:9093");
    }
}
