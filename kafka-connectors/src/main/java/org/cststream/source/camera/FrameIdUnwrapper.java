package org.cststream.source.camera;

/**
 * Turns the camera's frame (block) ids into a counter that never wraps, and counts the ids that
 * never arrived.
 *
 * <p>GigE Vision 1.x block ids are 16 bits and skip 0: after 65535 comes 1. Ids of 2.0 devices (and
 * USB3 Vision) are 64 bits and do not wrap in practice. An id that goes back by less than half the
 * 16-bit range is taken as a camera that restarted its numbering: the counter continues at the next
 * value and the event is reported.
 */
final class FrameIdUnwrapper {
    /** Period of 16-bit GigE Vision block ids, which run 1..65535. */
    static final long GEV1_PERIOD = 65_535;

    private long lastRaw = -1;
    private long counter = -1;
    private long missed;
    private long resets;

    /**
     * Returns the counter of a frame with id {@code raw}.
     *
     * @param raw the id the camera gave the frame (success or not)
     */
    long next(long raw) {
        if (lastRaw < 0) {
            lastRaw = raw;
            counter = raw;
            return counter;
        }
        long delta;
        if (raw > lastRaw) {
            delta = raw - lastRaw;
        } else if (lastRaw <= GEV1_PERIOD && lastRaw - raw > GEV1_PERIOD / 2) {
            delta = raw + GEV1_PERIOD - lastRaw;
        } else {
            // the camera restarted its ids (or repeated one): continue, and say so
            resets++;
            delta = 1;
        }
        missed += delta - 1;
        lastRaw = raw;
        counter += delta;
        return counter;
    }

    /** Returns the ids skipped so far: frames the camera made that never arrived. */
    long missed() {
        return missed;
    }

    /** Returns how often the camera's ids went backwards without a wrap. */
    long resets() {
        return resets;
    }

    /** Returns the last counter handed out, or -1 before the first frame. */
    long last() {
        return counter;
    }
}
