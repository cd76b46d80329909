package org.cststream.cli;

import java.util.function.LongSupplier;
import org.cststream.source.PublisherStats;

/**
 * The progress line of a running source: frames acquired, published, spooled and lost, and the
 * rate. On a terminal it is redrawn in place every second; otherwise one line every ten seconds.
 */
final class SourceStatus {
    private final String label;
    private final PublisherStats stats;
    private final LongSupplier extraCount;
    private final String extraName;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private long lastPrint = start;
    private long lastAcquired;
    private long lastAt = start;

    /**
     * @param label e.g. {@code camera mouse1-day3}
     * @param extraName name of a source-specific count shown after the others (or null)
     */
    SourceStatus(String label, PublisherStats stats, String extraName, LongSupplier extraCount) {
        this.label = label;
        this.stats = stats;
        this.extraName = extraName;
        this.extraCount = extraCount;
    }

    /** Prints the line if it is due. */
    void tick() {
        long now = System.nanoTime();
        long every = terminal ? 1_000_000_000L : 10_000_000_000L;
        if (now - lastPrint < every) {
            return;
        }
        lastPrint = now;
        String line = line(now);
        if (terminal) {
            System.out.print("\r" + line + "   ");
        } else {
            System.out.println(line);
        }
        System.out.flush();
    }

    /** Ends the in-place line on a terminal. */
    void finish() {
        if (terminal && lastPrint != start) {
            System.out.println();
        }
    }

    private String line(long now) {
        long acquired = stats.acquired();
        double rate = (acquired - lastAcquired) * 1e9 / Math.max(1, now - lastAt);
        lastAcquired = acquired;
        lastAt = now;
        return String.format(
                "%s: %d acquired, %d published, %d spooled, %d lost%s, %.1f frames/s",
                label,
                acquired,
                stats.published(),
                stats.spooled(),
                stats.lost(),
                extraName == null ? "" : ", " + extraCount.getAsLong() + " " + extraName,
                rate);
    }

    /** Returns the summary lines common to every source. */
    static String summary(PublisherStats s, String spoolDir) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        "frames           %d acquired, %d published, %d spooled (%d sent from the"
                                + " spool), %d lost%s%n",
                        s.acquired(),
                        s.published(),
                        s.spooled(),
                        s.sentFromSpool(),
                        s.lost(),
                        s.lost() == 0 ? "" : " " + s.lostByReason()));
        b.append(
                String.format(
                        "memory           peak %.1f MiB held; spool peak %.1f MiB%n",
                        s.peakMemoryBytes() / 1048576.0, s.peakSpoolBytes() / 1048576.0));
        if (s.resent() > 0) {
            b.append(
                    String.format(
                            "resent           %d frame(s) sent again with no answer to the first"
                                    + " sending; each may appear twice on the topic (the job drops"
                                    + " the copy)%n",
                            s.resent()));
        }
        if (s.leftInSpool() > 0) {
            b.append(
                    String.format(
                            "spool            %d record(s) wait in %s: Kafka did not take them"
                                    + " before the stop timeout; they are sent first by the next"
                                    + " run with this --spool-dir%n",
                            s.leftInSpool(), spoolDir));
        }
        return b.toString();
    }
}
