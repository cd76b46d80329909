package org.cststream.source.camera;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.metrics.MetricNames;
import org.cststream.source.FramePublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GenICam camera source: acquires from an {@link AravisCamera} and hands each complete buffer
 * to a {@link FramePublisher} as a frame record, with the camera's frame counter (unwrapped, see
 * {@link FrameIdUnwrapper}) and its timestamp as acquisition time.
 *
 * <p>The acquisition thread only copies pixels and offers them to the publisher, which never
 * blocks; it holds a camera buffer for the length of one copy. Frames the camera reports lost
 * (skipped ids) or incomplete (a buffer status other than success) are counted in {@link
 * MetricNames#SOURCE_CAMERA_DROPS} by kind and not published, so the job sees a counter gap. A
 * camera that falls silent is reported once per silence, and optionally ends the session.
 */
public final class CameraSource {
    private static final Logger LOG = LoggerFactory.getLogger(CameraSource.class);

    /** Metric tag of this source. */
    public static final String SOURCE_NAME = "camera";

    private final AravisCamera camera;
    private final Options options;
    private final FramePublisher publisher;
    private final MeterRegistry registry;
    private final FrameIdUnwrapper ids = new FrameIdUnwrapper();
    private final Map<String, Long> drops = new ConcurrentHashMap<>();
    private final Map<String, Counter> dropCounters = new ConcurrentHashMap<>();
    private volatile boolean stopRequested;
    private long offered;
    private long refused;

    /**
     * How the source runs.
     *
     * @param sessionId session id of every frame (the Kafka key)
     * @param cameraId camera id written into frames; empty for the camera's serial number
     * @param channelNm excitation wavelength in nm (0 if unknown)
     * @param channelName channel name, may be empty
     * @param maxFrames stop after this many frames (0 = no limit)
     * @param maxDuration stop after this long (zero = no limit)
     * @param frameTimeout silence after which the source warns that no frame arrives
     * @param stopAfterSilence silence after which the source ends the session (zero = wait on)
     */
    public record Options(
            String sessionId,
            String cameraId,
            int channelNm,
            String channelName,
            long maxFrames,
            Duration maxDuration,
            Duration frameTimeout,
            Duration stopAfterSilence) {
        /** Checks the values; the message names the one out of range. */
        public Options {
            if (sessionId == null || sessionId.isBlank()) {
                throw new IllegalArgumentException("session id must not be empty");
            }
            java.util.Objects.requireNonNull(maxDuration, "maxDuration (zero = no limit)");
            java.util.Objects.requireNonNull(frameTimeout, "frameTimeout");
            java.util.Objects.requireNonNull(stopAfterSilence, "stopAfterSilence (zero = wait on)");
            if (maxFrames < 0) {
                throw new IllegalArgumentException(
                        "frame limit must be >= 0 (0 = none), was " + maxFrames);
            }
            if (frameTimeout.isNegative() || frameTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "frame timeout must be > 0 ms, was " + frameTimeout.toMillis() + " ms");
            }
            cameraId = cameraId == null ? "" : cameraId;
            channelName = channelName == null ? "" : channelName;
        }
    }

    /**
     * What an acquisition did.
     *
     * @param framesPublishedToQueue complete frames handed to the publisher
     * @param framesRefused frames the publisher's full queue refused (counted lost there)
     * @param firstCounter counter of the first frame, -1 if none
     * @param lastCounter counter of the last frame, -1 if none
     * @param cameraDrops frames the camera reported lost or incomplete, by kind
     * @param streamStatistics Aravis's own counters: completed, failed, underruns
     * @param elapsedNanos acquisition time, ns
     * @param firstTimestampNanos camera timestamp of the first frame, ns
     * @param lastTimestampNanos camera timestamp of the last frame, ns
     */
    public record Report(
            long framesPublishedToQueue,
            long framesRefused,
            long firstCounter,
            long lastCounter,
            Map<String, Long> cameraDrops,
            long[] streamStatistics,
            long elapsedNanos,
            long firstTimestampNanos,
            long lastTimestampNanos) {
        /** Returns all frames the camera reported lost or incomplete. */
        public long cameraDropCount() {
            return cameraDrops.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Returns frames handed to the publisher per second of acquisition. */
        public double framesPerSecond() {
            return elapsedNanos == 0 ? 0 : framesPublishedToQueue * 1e9 / elapsedNanos;
        }
    }

    /**
     * @param camera an open camera, already configured; not closed here
     * @param publisher where frames go; not closed here
     */
    public CameraSource(
            AravisCamera camera,
            Options options,
            FramePublisher publisher,
            MeterRegistry registry) {
        this.camera = camera;
        this.options = options;
        this.publisher = publisher;
        this.registry = registry;
    }

    /** Returns the frames the camera reported lost or incomplete so far; safe from any thread. */
    public long cameraDrops() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Asks {@link #run(int, Consumer)} to stop at the next buffer; safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Acquires until stopped, the frame limit or the duration is reached, or the camera stays
     * silent for {@link Options#stopAfterSilence()}; then takes the frames Aravis still holds and
     * queues the end-of-session marker.
     *
     * @param buffers image buffers for Aravis (2 or more)
     * @param progress called about once a second with the frames taken so far; may be null
     * @throws CameraException if the camera cannot start or stop
     */
    public Report run(int buffers, Consumer<Long> progress)
            throws CameraException, InterruptedException {
        String cameraId = options.cameraId.isEmpty() ? camera.serialNumber() : options.cameraId;
        camera.start(buffers);
        long start = System.nanoTime();
        long deadline =
                options.maxDuration.isZero()
                        ? Long.MAX_VALUE
                        : start + options.maxDuration.toNanos();
        long lastFrameAt = start;
        long lastProgress = start;
        boolean silenceReported = false;
        long firstTs = -1;
        long lastTs = -1;
        long first = -1;
        try {
            while (!stopRequested
                    && (options.maxFrames == 0 || offered + refused < options.maxFrames)
                    && System.nanoTime() < deadline) {
                AravisCamera.Grab g = camera.grab(100_000);
                long now = System.nanoTime();
                if (progress != null && now - lastProgress > 1_000_000_000L) {
                    progress.accept(offered);
                    lastProgress = now;
                }
                if (g == null) {
                    long silent = now - lastFrameAt;
                    if (!silenceReported && silent > options.frameTimeout.toNanos()) {
                        silenceReported = true;
                        LOG.warn(
                                "no frame from the camera for {} ms camera={} session={}"
                                        + " framesSoFar={}; check its trigger, cable and frame"
                                        + " rate",
                                silent / 1_000_000,
                                camera.id(),
                                options.sessionId,
                                offered);
                    }
                    if (!options.stopAfterSilence.isZero()
                            && silent > options.stopAfterSilence.toNanos()) {
                        LOG.warn(
                                "camera silent for {} s, ending the session camera={}"
                                        + " session={}",
                                silent / 1_000_000_000L,
                                camera.id(),
                                options.sessionId);
                        break;
                    }
                    continue;
                }
                lastFrameAt = now;
                silenceReported = false;
                long counter = take(g, cameraId);
                if (g.isComplete()) {
                    if (first < 0) {
                        first = counter;
                        firstTs = g.timestampNanos();
                    }
                    lastTs = g.timestampNanos();
                }
            }
        } finally {
            camera.stop();
        }
        if (stopRequested) {
            // frames already received when the stop came are kept, not thrown away
            AravisCamera.Grab g;
            while ((g = camera.tryGrab()) != null) {
                take(g, cameraId);
                if (g.isComplete()) {
                    lastTs = g.timestampNanos();
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        if (ids.last() >= 0) {
            publisher.endSession(options.sessionId, cameraId, ids.last());
        }
        Report report =
                new Report(
                        offered,
                        refused,
                        first,
                        ids.last(),
                        new TreeMap<>(drops),
                        camera.statistics(),
                        elapsed,
                        firstTs,
                        lastTs);
        LOG.info(
                "camera acquisition ended camera={} session={} frames={} refused={}"
                        + " cameraDrops={} aravisStats(completed,failed,underruns)={} fps={}",
                camera.id(),
                options.sessionId,
                offered,
                refused,
                report.cameraDrops(),
                java.util.Arrays.toString(report.streamStatistics()),
                String.format("%.1f", report.framesPerSecond()));
        return report;
    }

    /** Counts, converts and offers one buffer; returns its counter. */
    private long take(AravisCamera.Grab g, String cameraId) {
        long missedBefore = ids.missed();
        long resetsBefore = ids.resets();
        long counter = ids.next(g.frameId());
        if (ids.missed() > missedBefore) {
            drop("missed", ids.missed() - missedBefore);
        }
        if (ids.resets() > resetsBefore) {
            LOG.warn(
                    "camera frame ids went backwards camera={} id={} counter={}; counting on",
                    camera.id(),
                    g.frameId(),
                    counter);
        }
        if (!g.isComplete()) {
            drop(AravisCamera.statusName(g.status()), 1);
            return counter;
        }
        PixelType type = AravisCamera.pixelTypeOrNull(g.pixelFormat());
        Frame f = new Frame();
        f.sessionId = options.sessionId;
        f.cameraId = cameraId;
        f.frameCounter = counter;
        f.channelNm = options.channelNm;
        f.channelName = options.channelName;
        f.acquisitionNanos = g.timestampNanos();
        f.hostReceiveNanos = g.hostNanos();
        f.width = g.width();
        f.height = g.height();
        f.pixelType = type;
        f.littleEndian = true;
        f.pixels = g.pixels();
        if (publisher.offer(f)) {
            offered++;
        } else {
            refused++;
        }
        return counter;
    }

    private void drop(String kind, long n) {
        drops.merge(kind, n, Long::sum);
        dropCounters
                .computeIfAbsent(
                        kind,
                        k ->
                                Counter.builder(MetricNames.SOURCE_CAMERA_DROPS)
                                        .description(
                                                "frames the camera reported lost or incomplete")
                                        .tag(MetricNames.TAG_SOURCE, SOURCE_NAME)
                                        .tag(MetricNames.TAG_SESSION, options.sessionId)
                                        .tag(MetricNames.TAG_KIND, k)
                                        .register(registry))
                .increment(n);
    }
}
