package org.cststream.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.TempFolders;
import org.cststream.kafka.Topics;
import org.cststream.recording.TiffWriter;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.cststream.source.PublisherStats;
import org.cststream.source.camera.AravisCamera;
import org.cststream.source.camera.CameraSettings;
import org.cststream.source.camera.CameraSource;
import org.cststream.source.camera.FakeGigECamera;
import org.cststream.source.folder.WatchFolderSource;
import org.cststream.source.tcp.TcpFrameSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cst bench sources}: the highest frame rate each live source sustains without losing a
 * frame, for 16-bit frames of the sizes asked, through an embedded broker on this machine.
 *
 * <p>Each step runs a source at a target rate for a fixed time: the fake GigE Vision camera set to
 * that frame rate, a writer putting one TIFF file per frame into a watched folder at that rate, or
 * a TCP client sending frame records at that rate. A step passes when every frame was published
 * (none lost, none reported dropped by the camera), the frames were produced at no less than 95% of
 * the target, and Kafka had acknowledged everything within 0.5 s of the last frame. Rates double
 * from the first until a step fails, then the midpoint is tried once. A benchmark prints figures;
 * it never fails on a slow machine.
 */
@Command(
        name = "sources",
        mixinStandardHelpOptions = true,
        description =
                "Print the highest sustained frame rate each live source (camera, folder, tcp)"
                        + " reaches without loss for 16-bit frames of each size, through an"
                        + " embedded broker.")
final class SourcesBench implements Callable<Integer> {
    private static final long MIB = 1024 * 1024;

    @Option(
            names = "--sources",
            split = ",",
            defaultValue = "camera,folder,tcp",
            description = "Sources to measure. Default: ${DEFAULT-VALUE}.")
    List<String> sources;

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "512,2048",
            description = "Square frame sides in pixels. Default: ${DEFAULT-VALUE}.")
    List<Integer> sizes;

    @Option(
            names = "--seconds",
            defaultValue = "3",
            description = "Length of each step, seconds. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(
            names = "--start-fps",
            defaultValue = "10",
            description = "First rate tried, frames/s. Default: ${DEFAULT-VALUE}.")
    double startFps;

    @Option(
            names = "--max-fps",
            defaultValue = "2000",
            description = "Highest rate tried, frames/s. Default: ${DEFAULT-VALUE}.")
    double maxFps;

    /** What one step did. */
    private record Step(
            double target,
            double achieved,
            long frames,
            long published,
            long lost,
            long cameraDrops,
            long spooled,
            long drainMillis,
            String failure) {
        boolean passed() {
            return failure == null;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> rows = new ArrayList<>();
        for (int size : sizes) {
            for (String source : sources) {
                rows.add(measure(source.trim().toLowerCase(Locale.ROOT), size));
            }
        }
        System.out.println();
        System.out.printf(
                "%-8s %-11s %22s %9s  %s%n",
                "source",
                "frame",
                "highest rate, no loss",
                "MiB/s",
                "what failed at the next step");
        rows.forEach(System.out::println);
        System.out.printf(
                "(%d cores; uint16 frames; embedded broker, source and load in one JVM; steps of"
                        + " %.1f s; pass = no frame lost or dropped, >= 95%% of the rate, all"
                        + " acknowledged within 0.5 s)%n",
                Runtime.getRuntime().availableProcessors(), seconds);
        return 0;
    }

    private String measure(String source, int size) throws Exception {
        String frame = size + "x" + size;
        if (source.equals("camera")) {
            Optional<String> reason = FakeGigECamera.unavailableReason();
            if (reason.isPresent()) {
                System.out.println("camera " + frame + ": skipped, " + reason.get());
                return String.format(
                        "%-8s %-11s %22s %9s  %s",
                        source, frame, "-", "-", "skipped: " + reason.get());
            }
        } else if (!source.equals("folder") && !source.equals("tcp")) {
            throw new IllegalArgumentException(
                    "unknown source '" + source + "'; use camera, folder or tcp");
        }
        Step best = null;
        Step failed = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                FakeGigECamera fake =
                        source.equals("camera") ? FakeGigECamera.start("BENCH1") : null) {
            String topic = "bench." + source + "." + size;
            Topics.ensure(broker.bootstrapServers(), Map.of(), List.of(topic), 1, (short) 1);
            double rate = startFps;
            while (rate <= maxFps) {
                Step s = step(source, size, rate, broker, topic);
                report(source, frame, s);
                if (!s.passed()) {
                    failed = s;
                    break;
                }
                best = s;
                rate *= 2;
            }
            if (best != null && failed != null) {
                Step mid = step(source, size, (best.target + failed.target) / 2, broker, topic);
                report(source, frame, mid);
                if (mid.passed()) {
                    best = mid;
                } else {
                    failed = mid;
                }
            }
        }
        double mibPerFrame = 2.0 * size * size / MIB;
        return String.format(
                Locale.ROOT,
                "%-8s %-11s %22s %9s  %s",
                source,
                frame,
                best == null ? "below " + fmt(startFps) : fmt(best.target) + " frames/s",
                best == null ? "-" : String.format(Locale.ROOT, "%.0f", best.target * mibPerFrame),
                failed == null
                        ? "none up to --max-fps " + fmt(maxFps)
                        : fmt(failed.target) + " frames/s: " + failed.failure);
    }

    private static void report(String source, String frame, Step s) {
        System.out.printf(
                Locale.ROOT,
                "%s %s @ %s frames/s: %s (produced %.1f/s, %d published, %d spooled, %d lost,"
                        + " %d camera drops, acknowledged %d ms after the last frame)%n",
                source,
                frame,
                fmt(s.target),
                s.passed() ? "pass" : "FAIL " + s.failure,
                s.achieved,
                s.published,
                s.spooled,
                s.lost,
                s.cameraDrops,
                s.drainMillis);
    }

    private static String fmt(double fps) {
        return fps == Math.rint(fps)
                ? String.valueOf((long) fps)
                : String.format(Locale.ROOT, "%.1f", fps);
    }

    private Step step(
            String source, int size, double rate, EmbeddedKafkaBroker broker, String topic)
            throws Exception {
        Path spool = TempFolders.create("cst-bench-spool-");
        PublisherOptions options =
                PublisherOptions.builder()
                        .bootstrapServers(broker.bootstrapServers())
                        .topic(topic)
                        .sourceName(source)
                        .spoolDir(spool)
                        .stopTimeout(Duration.ofSeconds(60))
                        .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FramePublisher publisher = FramePublisher.start(options, registry);
        String session = "bench-" + source + "-" + size + "-" + fmt(rate);
        long frames = Math.max(5, Math.round(rate * seconds));
        double achieved;
        long producedUntil;
        long cameraDrops = 0;
        String failure = null;
        try {
            switch (source) {
                case "camera":
                    CameraSource.Report r = camera(size, rate, session, publisher, registry);
                    producedUntil = System.nanoTime();
                    // the camera's own clock: startup latency is not a lower frame rate
                    achieved =
                            r.lastTimestampNanos() > r.firstTimestampNanos()
                                    ? (r.lastCounter() - r.firstCounter())
                                            * 1e9
                                            / (r.lastTimestampNanos() - r.firstTimestampNanos())
                                    : 0;
                    cameraDrops = r.cameraDropCount();
                    frames = r.framesPublishedToQueue() + r.framesRefused();
                    if (cameraDrops > 0) {
                        failure = "camera dropped " + cameraDrops + " " + r.cameraDrops();
                    }
                    break;
                case "folder":
                    long[] f = folder(size, rate, frames, session, publisher, registry);
                    achieved = f[0] == 0 ? 0 : (frames - 1) * 1e9 / f[0];
                    producedUntil = f[1];
                    break;
                default:
                    long[] t = tcp(size, rate, frames, session, publisher, registry);
                    achieved = (frames - 1) * 1e9 / t[0];
                    producedUntil = t[1];
            }
            // from the last frame produced to the last acknowledgement: the source's own lag
            // behind the producer counts too
            boolean drained = publisher.awaitIdle(Duration.ofSeconds(60));
            long drainMillis = Math.max(0, (System.nanoTime() - producedUntil) / 1_000_000);
            publisher.close();
            PublisherStats st = publisher.stats();
            if (failure == null && st.lost() > 0) {
                failure = st.lost() + " lost " + st.lostByReason();
            }
            if (failure == null && st.published() < frames) {
                failure = "only " + st.published() + " of " + frames + " frames published";
            }
            if (failure == null && achieved < 0.95 * rate) {
                failure =
                        String.format(
                                Locale.ROOT, "%s produced only %.1f frames/s", source, achieved);
            }
            if (failure == null && (!drained || drainMillis > 500)) {
                failure = "Kafka fell behind (" + drainMillis + " ms to acknowledge the backlog)";
            }
            return new Step(
                    rate,
                    achieved,
                    frames,
                    st.published(),
                    st.lost(),
                    cameraDrops,
                    st.spooled(),
                    drainMillis,
                    failure);
        } finally {
            publisher.close();
            TempFolders.delete(spool);
        }
    }

    private CameraSource.Report camera(
            int size,
            double rate,
            String session,
            FramePublisher publisher,
            SimpleMeterRegistry registry)
            throws Exception {
        try (AravisCamera camera = AravisCamera.open(FakeGigECamera.CAMERA_ID)) {
            new CameraSettings("Mono16", new int[] {0, 0, size, size}, 1000, rate, 8000, 64)
                    .applyTo(camera);
            return new CameraSource(
                            camera,
                            new CameraSource.Options(
                                    session,
                                    "",
                                    470,
                                    "",
                                    0,
                                    Duration.ofMillis((long) (seconds * 1000)),
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(5)),
                            publisher,
                            registry)
                    .run(64, null);
        }
    }

    /** Frames with sensor-like noise, so compression does not flatter the figures. */
    private static List<Frame> frames(int size, String session, int count) {
        List<Frame> out = new ArrayList<>();
        java.util.Random random = new java.util.Random(size);
        for (int k = 0; k < count; k++) {
            ByteBuffer b = ByteBuffer.allocate(2 * size * size).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size * size; i++) {
                b.putShort((short) (1000 + (i % size) + random.nextInt(64)));
            }
            Frame f = new Frame();
            f.sessionId = session;
            f.cameraId = "bench";
            f.width = size;
            f.height = size;
            f.pixelType = PixelType.UINT16;
            f.pixels = b.array();
            out.add(f);
        }
        return out;
    }

    /** Runs the folder step; returns the writer's elapsed ns and when it wrote its last file. */
    private long[] folder(
            int size,
            double rate,
            long count,
            String session,
            FramePublisher publisher,
            SimpleMeterRegistry registry)
            throws Exception {
        Path dir = TempFolders.create("cst-bench-folder-");
        List<byte[]> files = new ArrayList<>();
        for (Frame f : frames(size, session, 4)) {
            files.add(TiffWriter.encode(List.of(f), List.of(header(0, 0))));
        }
        WatchFolderSource watch =
                new WatchFolderSource(
                        new WatchFolderSource.Options(
                                dir,
                                TempFolders.create("cst-bench-state-"),
                                session,
                                "bench",
                                List.of(470),
                                rate,
                                Duration.ofMillis(2),
                                Duration.ofMillis(20),
                                Duration.ofSeconds(30),
                                Duration.ofSeconds(10),
                                count),
                        publisher,
                        registry);
        AtomicLong writerNanos = new AtomicLong();
        AtomicLong writerEnd = new AtomicLong();
        Thread writer =
                new Thread(
                        () -> {
                            long start = System.nanoTime();
                            try {
                                for (int i = 0; i < count; i++) {
                                    LockSupport.parkNanos(
                                            start + (long) (i * 1e9 / rate) - System.nanoTime());
                                    byte[] file = files.get(i % files.size());
                                    stampHeader(file, i, i / rate);
                                    Files.write(
                                            dir.resolve(String.format("frame_%06d.tif", i)), file);
                                }
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                            writerEnd.set(System.nanoTime());
                            writerNanos.set(writerEnd.get() - start);
                        },
                        "cst-bench-writer");
        writer.start();
        try {
            watch.run(null);
            writer.join();
        } finally {
            TempFolders.delete(dir);
        }
        return new long[] {writerNanos.get(), writerEnd.get()};
    }

    /** A Hamamatsu-style header with fixed-width numbers, so it can be rewritten in place. */
    private static String header(long frame, double seconds) {
        return String.format(
                Locale.ROOT,
                "Frame_Number = %010d\r\nTime_From_Start = %016.6f s\r\n",
                frame,
                seconds);
    }

    /** Rewrites the header inside encoded TIFF bytes for the next file. */
    private static void stampHeader(byte[] file, long frame, double seconds) {
        byte[] at = header(0, 0).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] now = header(frame, seconds).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        // the description sits right after the first directory (see TiffWriter)
        int start =
                indexOf(
                        file,
                        "Frame_Number = ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        System.arraycopy(now, 0, file, start, Math.min(now.length, at.length));
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= Math.min(data.length, 4096); i++) {
            for (int k = 0; k < what.length; k++) {
                if (data[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no header in the encoded TIFF");
    }

    /** Runs the TCP step; returns the client's elapsed ns and when it sent its last frame. */
    private long[] tcp(
            int size,
            double rate,
            long count,
            String session,
            FramePublisher publisher,
            SimpleMeterRegistry registry)
            throws Exception {
        List<byte[]> records = new ArrayList<>();
        long counter = 0;
        for (Frame f : frames(size, session, 4)) {
            f.frameCounter = counter++;
            records.add(FrameCodec.encode(f));
        }
        long elapsed;
        long end;
        try (TcpFrameSource server =
                TcpFrameSource.start(
                        new TcpFrameSource.Options(
                                "127.0.0.1",
                                0,
                                org.cststream.kafka.KafkaSettings.MAX_RECORD_BYTES,
                                2,
                                session),
                        publisher,
                        registry)) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSendBufferSize(4 << 20);
                OutputStream out = s.getOutputStream();
                byte[] length = new byte[4];
                long start = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    LockSupport.parkNanos(start + (long) (i * 1e9 / rate) - System.nanoTime());
                    byte[] r = records.get(i % records.size());
                    ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putInt(r.length);
                    out.write(length);
                    out.write(r);
                }
                out.flush();
                end = System.nanoTime();
                elapsed = end - start;
            }
            server.awaitClientsDone(Duration.ofSeconds(60));
        }
        return new long[] {elapsed, end};
    }
}
