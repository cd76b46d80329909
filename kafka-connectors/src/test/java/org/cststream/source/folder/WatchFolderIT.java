package org.cststream.source.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cststream.frame.Frame;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.Topics;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.TiffWriter;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.cststream.source.TopicFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 300 real mesoscope frames written as TIFF files into a watched folder while the source runs:
 * single-frame files with Hamamatsu-style headers, one written in two parts with a pause, a stack
 * that grows page by page, and two restarts of the source (between files and inside the stack).
 * Every frame must arrive once, in order, with its pixels and its time.
 */
class WatchFolderIT {
    private static final int FRAMES = 300;
    private static final int SINGLE_FILES = 280;
    private static final int PARTLY_WRITTEN = 100;
    private static final String SESSION = "watch-it";
    private static final String TOPIC = "watch.frames";

    private static List<Frame> realFrames() throws Exception {
        Path dir =
                Paths.get(System.getProperty("cst.shared.dir", "../../shared"))
                        .resolve("data/improv-mesoscope/frames")
                        .toAbsolutePath()
                        .normalize();
        assumeTrue(Files.isDirectory(dir), "shared data absent: " + dir);
        List<Frame> frames = new ArrayList<>();
        try (RecordingReader r = Recordings.open(dir)) {
            for (int i = 0; i < FRAMES; i++) {
                frames.add(r.read(i));
            }
        }
        return frames;
    }

    /** Hamamatsu-style header of frame i: number 5000 + i, time from start i / 30 s. */
    private static String header(int i) {
        long ms = Math.round(i * 1000.0 / 30);
        return String.format(
                "[Camera Info]\r\nCamera = ORCA-Flash4.0\r\nFrame_Number = %d\r\n"
                        + "Time_From_Start = 00:%02d:%02d.%03d\r\n",
                5000 + i, ms / 60_000, ms / 1000 % 60, ms % 1000);
    }

    private static long expectedNanos(int i) {
        return Math.round(i * 1000.0 / 30) * 1_000_000L;
    }

    /** Writes the files the way acquisition software would, while the source runs. */
    private static void writeSession(Path folder, List<Frame> frames) throws Exception {
        Files.writeString(folder.resolve("notes.txt"), "not a frame");
        for (int i = 0; i < SINGLE_FILES; i++) {
            Path file = folder.resolve(String.format("frame_%04d.tif", i));
            byte[] bytes = TiffWriter.encode(List.of(frames.get(i)), List.of(header(i)));
            if (i == PARTLY_WRITTEN) {
                // the software stalls half way through a file, longer than the settle time
                Files.write(file, Arrays.copyOf(bytes, bytes.length * 3 / 5));
                Thread.sleep(1500);
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                    out.write(bytes, bytes.length * 3 / 5, bytes.length - bytes.length * 3 / 5);
                }
            } else {
                Files.write(file, bytes);
            }
            Thread.sleep(8);
        }
        // the last frames go into one stack that grows a page at a time
        List<Frame> stack = frames.subList(SINGLE_FILES, FRAMES);
        List<String> headers = new ArrayList<>();
        for (int i = SINGLE_FILES; i < FRAMES; i++) {
            headers.add(header(i));
        }
        byte[] all = TiffWriter.encode(stack, headers);
        int pageBytes = (all.length - 8) / stack.size();
        Path file = folder.resolve("frame_9999_stack.tif");
        for (int k = 1; k <= stack.size(); k++) {
            Files.write(file, Arrays.copyOf(all, 8 + k * pageBytes));
            Thread.sleep(60);
        }
    }

    private static PublisherOptions publisherOptions(EmbeddedKafkaBroker broker, Path tmp) {
        return PublisherOptions.builder()
                .bootstrapServers(broker.bootstrapServers())
                .topic(TOPIC)
                .sourceName(WatchFolderSource.SOURCE_NAME)
                .spoolDir(tmp.resolve("spool"))
                .build();
    }

    private static WatchFolderSource.Options sourceOptions(Path folder, Path tmp) {
        return new WatchFolderSource.Options(
                folder,
                tmp.resolve("state"),
                SESSION,
                "orca",
                List.of(470),
                30,
                Duration.ofMillis(20),
                Duration.ofMillis(300),
                Duration.ofSeconds(10),
                Duration.ofSeconds(3),
                0);
    }

    /**
     * One run of the source: stopped without ending the session (as for a restart) once it queued
     * {@code stopAt} frames, or, if 0, until the folder stays idle for 3 s.
     */
    private static WatchFolderSource.Report runOnce(
            EmbeddedKafkaBroker broker, Path folder, Path tmp, long stopAt) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FramePublisher publisher = FramePublisher.start(publisherOptions(broker, tmp), registry);
        WatchFolderSource source =
                new WatchFolderSource(sourceOptions(folder, tmp), publisher, registry);
        CompletableFuture<Void> stopper =
                stopAt == 0
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.runAsync(
                                () -> {
                                    while (source.framesQueued() < stopAt) {
                                        try {
                                            Thread.sleep(2);
                                        } catch (InterruptedException e) {
                                            Thread.currentThread().interrupt();
                                            return;
                                        }
                                    }
                                    source.stop(false);
                                });
        WatchFolderSource.Report report;
        try {
            report = source.run(null);
            stopper.get(60, TimeUnit.SECONDS);
        } finally {
            publisher.close();
        }
        source.saveState();
        assertThat(publisher.stats().lost()).isZero();
        return report;
    }

    @Test
    void everyFrameArrivesOnceInOrderAcrossAPartlyWrittenFileAGrowingStackAndRestarts(
            @TempDir Path tmp) throws Exception {
        List<Frame> frames = realFrames();
        Path folder = Files.createDirectory(tmp.resolve("acquisition"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Topics.ensure(broker.bootstrapServers(), Map.of(), List.of(TOPIC), 1, (short) 1);
            CompletableFuture<Void> writer =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    writeSession(folder, frames);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });

            // first run: stopped among the single files; second: stopped inside the stack
            WatchFolderSource.Report first = runOnce(broker, folder, tmp, 150);
            WatchFolderSource.Report second =
                    runOnce(broker, folder, tmp, SINGLE_FILES + 6 - first.framesQueued());
            WatchFolderSource.Report third = runOnce(broker, folder, tmp, 0);
            writer.get(60, TimeUnit.SECONDS);
            WatchFolderSource.Report again = runOnce(broker, folder, tmp, 0);

            List<Frame> got =
                    TopicFrames.read(
                            broker.bootstrapServers(), TOPIC, FRAMES + 1, Duration.ofSeconds(30));

            assertThat(first.framesQueued()).isBetween(150L, (long) SINGLE_FILES);
            assertThat(first.framesQueued() + second.framesQueued())
                    .as("the second run stops inside the growing stack")
                    .isBetween((long) SINGLE_FILES + 6, (long) FRAMES - 1);
            assertThat(first.framesQueued() + second.framesQueued() + third.framesQueued())
                    .isEqualTo(FRAMES);
            assertThat(again.framesQueued()).as("a run after the end resends nothing").isZero();
            assertThat(third.filesSkipped() + first.filesSkipped() + second.filesSkipped())
                    .isZero();
            // one marker, from the third run, which ended the session; the others kept it open
            List<Frame> markers = got.stream().filter(Frame::isEndOfSession).toList();
            List<Frame> data = got.stream().filter(f -> !f.isEndOfSession()).toList();
            assertThat(got).hasSize(FRAMES + 1);
            assertThat(markers).hasSize(1);
            assertThat(data).hasSize(FRAMES);
            for (int i = 0; i < FRAMES; i++) {
                Frame f = data.get(i);
                assertThat(f.frameCounter).as("position %d", i).isEqualTo(5000 + i);
                assertThat(f.acquisitionNanos).as("time of %d", i).isEqualTo(expectedNanos(i));
                assertThat(f.sessionId).isEqualTo(SESSION);
                assertThat(f.cameraId).isEqualTo("orca");
                assertThat(f.width).isEqualTo(256);
                assertThat(f.height).isEqualTo(440);
                assertThat(f.pixelType).isEqualTo(frames.get(i).pixelType);
                assertThat(f.pixels).as("pixels of %d", i).isEqualTo(frames.get(i).pixels);
            }
            assertThat(markers.get(0).frameCounter).isEqualTo(5000 + FRAMES - 1);
            assertThat(got.indexOf(markers.get(0)))
                    .isGreaterThan(got.indexOf(data.get(FRAMES - 1)));
        }
    }
}
