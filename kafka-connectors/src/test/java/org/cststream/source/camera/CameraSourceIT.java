package org.cststream.source.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.Topics;
import org.cststream.metrics.MetricNames;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.cststream.source.TopicFrames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aravis's fake GigE Vision camera on loopback, through the camera source, the publisher and a real
 * broker; every frame checked against the fake camera's known image. Skips, saying why, only when
 * libaravis or the fake camera program is not installed (CI installs both).
 */
class CameraSourceIT {
    private static final String SERIAL = "CST01";
    private static final int WIDTH = 256;
    private static final int HEIGHT = 128;
    private static FakeGigECamera fake;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> reason = FakeGigECamera.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> "Aravis is not installed here: " + reason.get());
        fake = FakeGigECamera.start(SERIAL);
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    /** Returns the fake camera's Mono16 pixel (x, y) of frame id f, for exposure 10 ms, gain 0. */
    private static int expectedMono16(long f, int x, int y) {
        return (int) ((256L * (x + y + f)) % 65535);
    }

    private static int pixel(Frame frame, int x, int y) {
        return ByteBuffer.wrap(frame.pixels)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getShort(2 * (y * frame.width + x))
                & 0xFFFF;
    }

    private static FramePublisher publisher(Path tmp, String topic, SimpleMeterRegistry registry)
            throws Exception {
        Topics.ensure(broker.bootstrapServers(), Map.of(), List.of(topic), 1, (short) 1);
        return FramePublisher.start(
                PublisherOptions.builder()
                        .bootstrapServers(broker.bootstrapServers())
                        .topic(topic)
                        .sourceName(CameraSource.SOURCE_NAME)
                        .spoolDir(tmp.resolve("spool"))
                        .build(),
                registry);
    }

    @Test
    void streamsOverAThousandFramesWithCountersTimestampsAndPixelsIntact(@TempDir Path tmp)
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FramePublisher publisher = publisher(tmp, "camera.frames", registry);
        CameraSource.Report report;
        double fps = 200;
        try (AravisCamera camera = AravisCamera.open(FakeGigECamera.CAMERA_ID)) {
            new CameraSettings("Mono16", new int[] {0, 0, WIDTH, HEIGHT}, 10_000, fps, 8000, 32)
                    .applyTo(camera);
            CameraSource source =
                    new CameraSource(
                            camera,
                            new CameraSource.Options(
                                    "cam-it",
                                    "",
                                    470,
                                    "",
                                    1200,
                                    Duration.ZERO,
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(20)),
                            publisher,
                            registry);
            report = source.run(32, null);
        } finally {
            publisher.close();
        }
        long sent = report.framesPublishedToQueue();
        List<Frame> frames =
                TopicFrames.read(
                        broker.bootstrapServers(),
                        "camera.frames",
                        (int) sent + 1,
                        Duration.ofSeconds(60));

        assertThat(sent).isGreaterThanOrEqualTo(1000);
        assertThat(report.framesRefused()).isZero();
        assertThat(publisher.stats().lost()).isZero();
        assertThat(publisher.stats().published()).isEqualTo(sent);
        assertThat(frames).hasSize((int) sent + 1);
        long gaps = 0;
        for (int i = 0; i < sent; i++) {
            Frame f = frames.get(i);
            assertThat(f.sessionId).isEqualTo("cam-it");
            assertThat(f.cameraId).isEqualTo(SERIAL);
            assertThat(f.channelNm).isEqualTo(470);
            assertThat(f.width).isEqualTo(WIDTH);
            assertThat(f.height).isEqualTo(HEIGHT);
            assertThat(f.pixelType).isEqualTo(PixelType.UINT16);
            assertThat(f.hostReceiveNanos).isPositive();
            if (i > 0) {
                Frame prev = frames.get(i - 1);
                assertThat(f.frameCounter)
                        .as("counter after %d", i)
                        .isGreaterThan(prev.frameCounter);
                assertThat(f.acquisitionNanos)
                        .as("time of %d", i)
                        .isGreaterThan(prev.acquisitionNanos);
                gaps += f.frameCounter - prev.frameCounter - 1;
            }
            // the fake camera draws frame id f into every pixel: the counter and the pixels agree
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    int got = pixel(f, x, y);
                    int want = expectedMono16(f.frameCounter, x, y);
                    if (got != want) {
                        throw new AssertionError(
                                "frame "
                                        + f.frameCounter
                                        + " pixel ("
                                        + x
                                        + ","
                                        + y
                                        + ") is "
                                        + got
                                        + ", the fake camera draws "
                                        + want);
                    }
                }
            }
        }
        // a frame the camera lost or sent incomplete is not published: it shows as a gap
        assertThat(gaps)
                .as("counter gaps are the drops the camera reported")
                .isEqualTo(report.cameraDropCount());
        // the fake camera is a process of its own: on a busy machine it falls behind its frame
        // rate, and its timestamps say so. They must run at the host clock's pace (nanoseconds,
        // the camera's clock) and never faster than the rate set.
        Frame first = frames.get(0);
        Frame last = frames.get((int) sent - 1);
        double cameraSpanNanos = last.acquisitionNanos - first.acquisitionNanos;
        double hostSpanNanos = last.hostReceiveNanos - first.hostReceiveNanos;
        double meanPeriodMillis = cameraSpanNanos / 1e6 / (last.frameCounter - first.frameCounter);
        assertThat(cameraSpanNanos / hostSpanNanos)
                .as("camera time over host time across %d frames", sent)
                .isBetween(0.95, 1.05);
        assertThat(meanPeriodMillis).isGreaterThanOrEqualTo(0.8 * 1000 / fps);
        Frame end = frames.get((int) sent);
        assertThat(end.isEndOfSession()).isTrue();
        assertThat(end.frameCounter).isEqualTo(report.lastCounter());
        assertThat(registry.get(MetricNames.SOURCE_ACQUIRED).counter().count()).isEqualTo(sent);
        assertThat(registry.get(MetricNames.SOURCE_PUBLISHED).counter().count()).isEqualTo(sent);
    }

    @Test
    void exposureAndFrameRateReachTheCamera(@TempDir Path tmp) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FramePublisher publisher = publisher(tmp, "camera.exposure", registry);
        try (AravisCamera camera = AravisCamera.open(FakeGigECamera.CAMERA_ID)) {
            new CameraSettings("Mono16", new int[] {0, 0, 64, 32}, 20_000, 50, 0, 8)
                    .applyTo(camera);

            assertThat(camera.exposureMicros()).isEqualTo(20_000);
            assertThat(camera.frameRate()).isCloseTo(50, org.assertj.core.data.Offset.offset(0.01));
            assertThat(camera.region()).containsExactly(0, 0, 64, 32);
            assertThat(camera.pixelFormatName()).isEqualTo("Mono16");
            new CameraSource(
                            camera,
                            new CameraSource.Options(
                                    "cam-exposure",
                                    "rig-a",
                                    0,
                                    "gcamp",
                                    20,
                                    Duration.ZERO,
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(20)),
                            publisher,
                            registry)
                    .run(8, null);
        } finally {
            publisher.close();
        }
        List<Frame> frames =
                TopicFrames.read(
                        broker.bootstrapServers(), "camera.exposure", 21, Duration.ofSeconds(30));

        // a doubled exposure scales the fake camera's ramp by 1 + log10(2)
        double scale = 1 + Math.log10(2.0);
        Frame f = frames.get(0);
        assertThat(f.cameraId).isEqualTo("rig-a");
        assertThat(f.channelName).isEqualTo("gcamp");
        for (int x = 0; x < 64; x += 7) {
            int want = (int) Math.min(65535, expectedMono16(f.frameCounter, x, 3) * scale);
            assertThat(pixel(f, x, 3)).isCloseTo(want, org.assertj.core.data.Offset.offset(1));
        }
    }

    @Test
    void aCameraThatDoesNotAnswerIsNamedInTheError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AravisCamera.open("127.0.0.9"))
                .isInstanceOf(CameraException.class)
                .hasMessageContaining("127.0.0.9")
                .hasMessageContaining("IP address");
    }
}
