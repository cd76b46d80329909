package org.cststream.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.frame.WallClock;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.Topics;
import org.cststream.metrics.MetricNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera-paced source keeps acquiring while the real broker is stopped and restarted: nothing is
 * lost, order is kept, memory stays within its bound, and the spool's counters say what happened.
 */
class BrokerOutageIT {
    private static final int FRAMES = 900;
    private static final int SIDE = 128;
    private static final double FPS = 150;

    static Frame frame(String session, long counter) {
        ByteBuffer b = ByteBuffer.allocate(SIDE * SIDE * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < SIDE * SIDE; i++) {
            b.putShort((short) (counter * 7 + i));
        }
        Frame f = new Frame();
        f.sessionId = session;
        f.cameraId = "paced";
        f.frameCounter = counter;
        f.acquisitionNanos = Math.round(counter * 1e9 / FPS);
        f.hostReceiveNanos = WallClock.nanos();
        f.width = SIDE;
        f.height = SIDE;
        f.pixelType = PixelType.UINT16;
        f.pixels = b.array();
        return f;
    }

    @Test
    void brokerStopAndRestartLosesNoFrameAndKeepsOrder(@TempDir Path tmp) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.start(Files.createDirectory(tmp.resolve("kafka")), false, 0)) {
            String servers = broker.bootstrapServers();
            Topics.ensure(servers, Map.of(), List.of("outage.frames"), 1, (short) 1);
            PublisherOptions options =
                    PublisherOptions.builder()
                            .bootstrapServers(servers)
                            .topic("outage.frames")
                            .sourceName("paced")
                            // 512 frames, 3.4 s at 150 frames/s: offer() never waits, so a
                            // router starved for longer than the queue lasts loses frames by
                            // design; the outage's frames still go through the spool
                            .queueBytes(16L * 1024 * 1024)
                            .inFlightBytes(2L * 1024 * 1024)
                            .spoolDir(tmp.resolve("spool"))
                            .spoolSegmentBytes(4L * 1024 * 1024)
                            .stopTimeout(Duration.ofSeconds(60))
                            .build();
            int refused = 0;
            CompletableFuture<Void> stopped = null;
            CompletableFuture<Void> restarted = null;
            long spooledWhileDown;
            FramePublisher publisher = FramePublisher.start(options, registry);
            try {
                long start = System.nanoTime();
                for (int i = 0; i < FRAMES; i++) {
                    LockSupport.parkNanos(start + (long) (i * 1e9 / FPS) - System.nanoTime());
                    if (!publisher.offer(frame("outage", i))) {
                        refused++;
                    }
                    if (i == 150) {
                        stopped = CompletableFuture.runAsync(broker::stop);
                    }
                    if (i == 600) {
                        stopped.get(60, TimeUnit.SECONDS);
                        restarted = CompletableFuture.runAsync(broker::restart);
                    }
                }
                spooledWhileDown = publisher.stats().spooled();
                publisher.endSession("outage", "paced", FRAMES - 1);
                restarted.get(60, TimeUnit.SECONDS);
                publisher.close();
                PublisherStats stats = publisher.stats();

                List<Frame> got =
                        TopicFrames.read(
                                servers, "outage.frames", FRAMES + 1, Duration.ofSeconds(60));

                assertThat(refused).isZero();
                assertThat(stats.lost()).isZero();
                assertThat(stats.acquired()).isEqualTo(FRAMES);
                assertThat(stats.published()).isEqualTo(FRAMES);
                assertThat(stats.leftInSpool()).isZero();
                assertThat(stats.resent()).as("frames sent twice").isZero();
                assertThat(spooledWhileDown).isGreaterThan(0);
                assertThat(stats.sentFromSpool()).isEqualTo(stats.spooled());
                assertThat(stats.peakMemoryBytes())
                        .isLessThanOrEqualTo(options.memoryBoundBytes() + 2L * SIDE * SIDE + 1024);
                assertThat(stats.peakSpoolBytes()).isGreaterThan(0);
                assertThat(got).hasSize(FRAMES + 1);
                for (int i = 0; i < FRAMES; i++) {
                    assertThat(got.get(i).frameCounter).as("position %d", i).isEqualTo(i);
                    assertThat(got.get(i).pixels)
                            .as("frame %d", i)
                            .isEqualTo(frame("outage", i).pixels);
                }
                assertThat(got.get(FRAMES).isEndOfSession()).isTrue();
                assertThat(got.get(FRAMES).frameCounter).isEqualTo(FRAMES - 1);
                assertThat(registry.get(MetricNames.SOURCE_SPOOLED).counter().count())
                        .isEqualTo(stats.spooled());
                assertThat(registry.get(MetricNames.SOURCE_PUBLISHED).counter().count())
                        .isEqualTo(FRAMES);
                assertThat(registry.find(MetricNames.SOURCE_LOST).counters()).isEmpty();
                assertThat(registry.find(MetricNames.SOURCE_RESENT).counters()).isEmpty();
                try (var files = Files.list(tmp.resolve("spool"))) {
                    assertThat(files.filter(p -> p.toString().endsWith(".seg"))).isEmpty();
                }
            } finally {
                publisher.close();
            }
        }
    }
}
