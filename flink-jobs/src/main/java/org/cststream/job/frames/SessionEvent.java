package org.cststream.job.frames;

/**
 * Something that happened to a session's stream: a gap in the frame counter, a gap in time, or the
 * session's end. Written as JSON to the events topic.
 */
public class SessionEvent {
    /** Frames missing between two received frames (counter gap). */
    public static final String GAP = "gap";

    /** Consecutive counters whose acquisition times are further apart than the frame period. */
    public static final String TIME_GAP = "time-gap";

    /** The source ended the session and every frame of it has left the ordering stage. */
    public static final String SESSION_END = "session-end";

    /**
     * The channel assignment found frames labelled with the wrong channel (a swapped order at the
     * start, or an alternation that slipped) and relabelled them from {@code fromCounter} on.
     */
    public static final String CHANNEL_SWAP = "channel-swap";

    /**
     * The start-of-session check of the channel order could not decide (the order was kept), or
     * found the channel tags of tagged frames suspect (the tags were kept).
     */
    public static final String CHANNEL_CHECK = "channel-check";

    /**
     * The camera clock went backwards: frame {@code fromCounter} was acquired before the frame
     * ordered just before it ({@code beforeNanos}, {@code afterNanos}); it is passed on in counter
     * order.
     */
    public static final String TIME_BACKWARDS = "time-backwards";

    /** The hemodynamic correction of a channel finished calibrating at {@code fromCounter}. */
    public static final String HEMO_CALIBRATED = "hemo-calibrated";

    public String type = "";
    public String sessionId = "";

    /** The channel concerned (channel and correction events), else empty. */
    public String channel = "";

    /** First missing counter (gap), or the counter after the time gap. */
    public long fromCounter;

    /** Last missing counter (gap); equal to fromCounter for a time gap. */
    public long toCounter;

    /** Frames missing (gap), or frame periods skipped (time gap). */
    public long count;

    /** Acquisition time of the last frame before the event, ns (camera clock). */
    public long beforeNanos;

    /** Acquisition time of the first frame after the event, ns (camera clock). */
    public long afterNanos;

    /** Session totals, on session-end: frames released in order. */
    public long framesOrdered;

    /** Session totals, on session-end: frames found missing. */
    public long framesMissing;

    public String detail = "";

    public SessionEvent() {}
}
