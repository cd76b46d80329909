package org.cststream.source.labels;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes stimulus events and behaviour samples, in the order of their source, either as fast as
 * possible or paced on their own times (for a consumer that should see them as they happened).
 */
public final class LabelSource {
    private static final Logger LOG = LoggerFactory.getLogger(LabelSource.class);

    private final LabelPublisher out;
    private final double speed;
    private volatile boolean stopRequested;
    private long paceStartNanos = -1;
    private long firstTimeNanos;

    /**
     * @param speed pacing factor on the records' times: 1 = real time, 2 = twice as fast, 0 = as
     *     fast as possible
     */
    public LabelSource(LabelPublisher out, double speed) {
        if (speed < 0 || speed > 1000) {
            throw new IllegalArgumentException(
                    "speed must be in [0, 1000] (0 = no pacing), was " + speed);
        }
        this.out = out;
        this.speed = speed;
    }

    /** Makes a running publish return after the current record; safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Publishes behaviour samples.
     *
     * @param progress called about once a second with the samples sent; may be null
     * @return the samples sent
     * @throws IOException if Kafka refused one
     */
    public long publishBehaviour(List<BehaviourSample> samples, Consumer<Long> progress)
            throws IOException, InterruptedException {
        long sent = 0;
        long lastProgress = System.nanoTime();
        for (BehaviourSample s : samples) {
            if (stopRequested) {
                break;
            }
            pace(s.timeNanos());
            out.send(s.session(), LabelCodec.encode(s), "behaviour sample " + s.index());
            sent++;
            if (progress != null && System.nanoTime() - lastProgress > 1_000_000_000L) {
                progress.accept(sent);
                lastProgress = System.nanoTime();
            }
        }
        out.flush();
        return sent;
    }

    /**
     * Publishes the events of a stimulus or TTL log, line by line (following the file if the
     * follower does). A line that does not parse is skipped, logged and counted in {@link
     * MetricNames#SOURCE_REJECTED}.
     *
     * @param header the log's column layout, from its header line
     * @return events sent and lines rejected
     * @throws IOException if the log cannot be read or Kafka refused an event
     */
    public long[] publishStimulus(
            LogFollower lines,
            StimulusLogFactory header,
            MeterRegistry registry,
            Consumer<Long> progress)
            throws IOException, InterruptedException {
        StimulusLog log = null;
        long sent = 0;
        long rejected = 0;
        long lastProgress = System.nanoTime();
        Counter rejects = null;
        String line;
        while (!stopRequested && (line = lines.nextLine()) != null) {
            if (Csv.isSkipped(line)) {
                continue;
            }
            if (log == null) {
                log = header.create(line);
                continue;
            }
            StimulusEvent e;
            try {
                e = log.parse(line, lines.lineNumber(), sent);
            } catch (IllegalArgumentException ex) {
                rejected++;
                if (rejects == null) {
                    rejects =
                            Counter.builder(MetricNames.SOURCE_REJECTED)
                                    .tag(MetricNames.TAG_SOURCE, "stimulus")
                                    .tag(MetricNames.TAG_REASON, "bad-row")
                                    .register(registry);
                    LOG.warn(
                            "stimulus log line skipped: {} (further ones at DEBUG)",
                            ex.getMessage());
                } else {
                    LOG.debug("stimulus log line skipped: {}", ex.getMessage());
                }
                rejects.increment();
                continue;
            }
            pace(e.onsetNanos());
            out.send(e.session(), LabelCodec.encode(e), lines.path() + ":" + lines.lineNumber());
            sent++;
            if (progress != null && System.nanoTime() - lastProgress > 1_000_000_000L) {
                progress.accept(sent);
                lastProgress = System.nanoTime();
            }
        }
        if (log == null) {
            throw new IllegalArgumentException(lines.path() + ": the log has no header line");
        }
        out.flush();
        return new long[] {sent, rejected};
    }

    /** Makes the stimulus log's column layout from its header line. */
    public interface StimulusLogFactory {
        /** Returns the layout; throws IllegalArgumentException if the header lacks an onset. */
        StimulusLog create(String headerLine);
    }

    private void pace(long timeNanos) {
        if (speed == 0) {
            return;
        }
        long now = System.nanoTime();
        if (paceStartNanos < 0) {
            paceStartNanos = now;
            firstTimeNanos = timeNanos;
            return;
        }
        long due = paceStartNanos + (long) ((timeNanos - firstTimeNanos) / speed);
        if (due > now) {
            LockSupport.parkNanos(due - now);
        }
    }
}
