package org.cststream.replay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.WallClock;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.RecordingReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a recorded session to Kafka as if a camera were acquiring it: frame by frame, keyed by
 * session, at the recording's pace (scaled by a speed factor) or as fast as possible, with the
 * faults of a {@link FaultPlan} injected.
 *
 * <p>The acquisition time of a frame is the recording's own timestamp when the format has one, or
 * {@code index / fps}; the host receive time is the wall clock when the frame is sent.
 */
public final class ReplaySource {
    private static final Logger LOG = LoggerFactory.getLogger(ReplaySource.class);

    private final RecordingReader reader;
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final ReplayOptions options;
    private final MeterRegistry registry;

    /**
     * @param reader the recording; not closed by this class
     * @param producer a producer with {@code KafkaSettings} applied; not closed by this class
     * @param topic the frames topic
     */
    public ReplaySource(
            RecordingReader reader,
            Producer<String, byte[]> producer,
            String topic,
            ReplayOptions options,
            MeterRegistry registry) {
        this.reader = reader;
        this.producer = producer;
        this.topic = topic;
        this.options = options;
        this.registry = registry;
    }

    /**
     * Sends every planned frame, then the end-of-session marker, and waits for all
     * acknowledgements.
     *
     * @throws IOException if a frame cannot be read, or Kafka refused one (the message says which
     *     frame and why)
     */
    /**
     * Checks that the options fit the recording: a recording of several interleaved channels needs
     * one wavelength per channel.
     *
     * @throws IllegalArgumentException saying what to pass instead
     */
    public static void check(RecordingReader reader, ReplayOptions options) {
        int channels = reader.channels();
        // a recording that tags its own frames needs no wavelengths from the caller
        if (channels > 1
                && reader.channelWavelengths().isEmpty()
                && options.channelsNm.size() != channels) {
            throw new IllegalArgumentException(
                    "the recording interleaves "
                            + channels
                            + " channels but "
                            + options.channelsNm.size()
                            + " wavelength(s) were given ("
                            + options.channelsNm
                            + "); give one per channel in recording order, e.g. --channels "
                            + (channels == 2 ? "470,405" : "470,405,575"));
        }
        for (int nm : options.channelsNm) {
            if (nm <= 0 || nm > 2000) {
                throw new IllegalArgumentException(
                        "channel wavelength " + nm + " nm is outside 1..2000 nm");
            }
        }
    }

    public ReplayResult run() throws IOException {
        check(reader, options);
        int frameCount =
                options.limit > 0
                        ? Math.min(options.limit, reader.frameCount())
                        : reader.frameCount();
        FaultPlan plan = FaultPlan.plan(frameCount, options);
        Counter published =
                Counter.builder(MetricNames.REPLAY_PUBLISHED)
                        .tag(MetricNames.TAG_SESSION, options.sessionId)
                        .register(registry);
        Counter.builder(MetricNames.REPLAY_INJECTED_DROPS)
                .tag(MetricNames.TAG_SESSION, options.sessionId)
                .register(registry)
                .increment(plan.dropped().size());
        LOG.info(
                "replay started session={} topic={} frames={} dropped={} reorderedPairs={}"
                        + " pace={}",
                options.sessionId,
                topic,
                frameCount,
                plan.dropped().size(),
                plan.reorderedPairs(),
                options.asFastAsPossible ? "max" : options.speed + "x at " + options.fps + " fps");
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long firstAcquisition = acquisitionNanos(reader.read(0), 0);
        List<Integer> order = plan.sendOrder();
        try (ProgressBar bar = progressBar(order.size())) {
            for (int index : order) {
                Exception failed = failure.get();
                if (failed != null) {
                    throw new IOException(
                            "Kafka refused a frame of session "
                                    + options.sessionId
                                    + ": "
                                    + failed.getMessage(),
                            failed);
                }
                Frame frame = reader.read(index);
                long acquisition = acquisitionNanos(frame, index);
                if (!options.asFastAsPossible) {
                    long due = start + (long) ((acquisition - firstAcquisition) / options.speed);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                stamp(frame, index, acquisition + plan.jitterNanos(index));
                producer.send(
                        new ProducerRecord<>(topic, options.sessionId, FrameCodec.encode(frame)),
                        (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                acked.incrementAndGet();
                                published.increment();
                            }
                        });
                if (bar != null) {
                    bar.step();
                }
            }
            if (options.sendEndOfSession) {
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                options.sessionId,
                                FrameCodec.encode(
                                        Frame.endOfSession(
                                                options.sessionId,
                                                options.cameraId,
                                                frameCount - 1,
                                                WallClock.nanos()))));
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IOException(
                    "Kafka refused a frame of session "
                            + options.sessionId
                            + ": "
                            + failure.get().getMessage(),
                    failure.get());
        }
        long elapsed = System.nanoTime() - start;
        ReplayResult result =
                new ReplayResult(
                        frameCount, acked.get(), plan.dropped(), plan.reorderedPairs(), elapsed);
        LOG.info(
                "replay finished session={} published={} seconds={} fps={}",
                options.sessionId,
                result.framesPublished(),
                String.format("%.2f", elapsed / 1e9),
                String.format("%.1f", result.framesPerSecond()));
        return result;
    }

    private long acquisitionNanos(Frame frame, int index) {
        if (frame.acquisitionNanos >= 0) {
            return frame.acquisitionNanos;
        }
        return Math.round(index * 1e9 / options.fps);
    }

    private void stamp(Frame frame, int index, long acquisition) {
        frame.sessionId = options.sessionId;
        frame.cameraId = options.cameraId;
        frame.frameCounter = index;
        if (options.untagged) {
            // as a camera without excitation metadata: the job assigns channels
            frame.channelNm = 0;
            frame.channelName = "";
        } else if (frame.channelNm <= 0 && frame.channelName.isEmpty()) {
            int channels = reader.channels() > 1 ? reader.channels() : options.channelsNm.size();
            frame.channelNm =
                    options.channelsNm.get((index % channels) % options.channelsNm.size());
        }
        frame.acquisitionNanos = acquisition;
        frame.hostReceiveNanos = WallClock.nanos();
    }

    private ProgressBar progressBar(int total) {
        if (!options.showProgress) {
            return null;
        }
        return new ProgressBarBuilder()
                .setTaskName("replay " + options.sessionId)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" frames", 1)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .build();
    }
}
