package org.cststream.frame;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** The host's wall clock in nanoseconds since the Unix epoch, the unit of host receive times. */
public final class WallClock {
    private WallClock() {}

    /** Returns the wall clock in ns since the Unix epoch, at microsecond resolution or better. */
    public static long nanos() {
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }
}
