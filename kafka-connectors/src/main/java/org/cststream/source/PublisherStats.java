package org.cststream.source;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link FramePublisher} did, for summaries and tests: frames acquired, published, spooled
 * and lost (by reason), and the memory it held. The same figures are published as metrics.
 *
 * <p>After a clean stop, {@code acquired = published + lost + leftInSpool}.
 */
public final class PublisherStats {
    final AtomicLong acquired = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong spooled = new AtomicLong();
    final AtomicLong markersPublished = new AtomicLong();
    final Map<String, AtomicLong> lost = new ConcurrentHashMap<>();
    final AtomicLong memoryBytes = new AtomicLong();
    final AtomicLong peakMemoryBytes = new AtomicLong();
    final AtomicLong spoolBytes = new AtomicLong();
    final AtomicLong peakSpoolBytes = new AtomicLong();
    final AtomicLong leftInSpool = new AtomicLong();
    final AtomicLong resentFromSpool = new AtomicLong();
    final AtomicLong resent = new AtomicLong();

    /** Returns the frames handed to the publisher, kept or not. */
    public long acquired() {
        return acquired.get();
    }

    /** Returns the frames Kafka acknowledged. */
    public long published() {
        return published.get();
    }

    /** Returns the frames written to the disk spool (each counted once). */
    public long spooled() {
        return spooled.get();
    }

    /** Returns the frames read back from the spool and sent. */
    public long sentFromSpool() {
        return resentFromSpool.get();
    }

    /**
     * Returns the frames sent again (or kept in the spool to be sent again by the next run)
     * although an earlier sending may have reached Kafka: its answer never came, because the
     * producer had to be replaced or a stop timed out. Each may appear twice on the topic; zero
     * means the topic holds no duplicate made by this publisher.
     */
    public long resent() {
        return resent.get();
    }

    /** Returns the end-of-session markers Kafka acknowledged. */
    public long markersPublished() {
        return markersPublished.get();
    }

    /** Returns all frames lost, over every reason. */
    public long lost() {
        return lost.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Returns frames lost by reason ({@code queue-full}, {@code spool-full}, ...). */
    public Map<String, Long> lostByReason() {
        Map<String, Long> m = new TreeMap<>();
        lost.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Returns the bytes of frames held in memory now (queue plus unacknowledged sends). */
    public long memoryBytes() {
        return memoryBytes.get();
    }

    /** Returns the most bytes of frames held in memory at any time. */
    public long peakMemoryBytes() {
        return peakMemoryBytes.get();
    }

    /** Returns the bytes of the disk spool now. */
    public long spoolBytes() {
        return spoolBytes.get();
    }

    /** Returns the most bytes the disk spool held at any time. */
    public long peakSpoolBytes() {
        return peakSpoolBytes.get();
    }

    /** Returns the frames still in the spool after the stop (sent by the next run). */
    public long leftInSpool() {
        return leftInSpool.get();
    }

    void addMemory(long delta) {
        long now = memoryBytes.addAndGet(delta);
        peakMemoryBytes.accumulateAndGet(now, Math::max);
    }

    void setSpoolBytes(long bytes) {
        spoolBytes.set(bytes);
        peakSpoolBytes.accumulateAndGet(bytes, Math::max);
    }

    long lostCounter(String reason, long n) {
        return lost.computeIfAbsent(reason, r -> new AtomicLong()).addAndGet(n);
    }

    @Override
    public String toString() {
        return "acquired="
                + acquired()
                + " published="
                + published()
                + " spooled="
                + spooled()
                + " lost="
                + lost()
                + (lost.isEmpty() ? "" : " " + lostByReason())
                + " leftInSpool="
                + leftInSpool()
                + (resent() == 0 ? "" : " resent=" + resent());
    }
}
