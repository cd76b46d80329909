package org.cststream.metrics;

/**
 * Names and tag keys of every metric the project publishes; one source of truth for code,
 * dashboards and alert rules. Micrometer's Prometheus registry turns {@code cst.frames.received}
 * into {@code cst_frames_received_total} and timers into {@code *_seconds}.
 *
 * <p>Tag values are bounded: sessions, channels, reasons, stages and outputs, never a frame number
 * or a file name.
 */
public final class MetricNames {
    /** Valid frames decoded by the job. Tags: session, channel. */
    public static final String FRAMES_RECEIVED = "cst.frames.received";

    /** Frames found missing (gaps in the camera counter). Tags: session. */
    public static final String FRAMES_DROPPED = "cst.frames.dropped";

    /** Records sent to the dead-letter topic. Tags: reason, stage. */
    public static final String FRAMES_REJECTED = "cst.frames.rejected";

    /** Frames written to an output. Tags: session, channel, output. */
    public static final String FRAMES_WRITTEN = "cst.frames.written";

    /** Gaps in time without a gap in the counter (the camera skipped exposures). Tags: session. */
    public static final String TIME_GAPS = "cst.frames.time.gaps";

    /** Time from host receipt of a frame to its processed output. Tags: stage. */
    public static final String FRAME_LATENCY = "cst.frame.latency";

    /** Pixels whose dF/F was set to 0: saturated or baseline too small. Tags: session, kind. */
    public static final String DFF_INVALID_PIXELS = "cst.dff.invalid.pixels";

    /** Records behind the log end, per partition of the frames topic. Tags: topic, partition. */
    public static final String KAFKA_LAG = "cst.kafka.lag";

    /** Frames the replay source published. Tags: session. */
    public static final String REPLAY_PUBLISHED = "cst.replay.frames.published";

    /** Frames the replay source dropped on purpose (fault injection). Tags: session. */
    public static final String REPLAY_INJECTED_DROPS = "cst.replay.frames.injected.drops";

    /** Sessions that sent their end-of-session marker through the job. Tags: none. */
    public static final String SESSIONS_ENDED = "cst.sessions.ended";

    /** Channel order swaps found and corrected by the channel assignment. Tags: session, kind. */
    public static final String CHANNEL_SWAPS = "cst.channels.swaps";

    /**
     * Frames whose content fitted another channel better than their assigned one, without a swap
     * being confirmed (passed on as assigned). Tags: session.
     */
    public static final String CHANNEL_MISMATCHES = "cst.channels.mismatches";

    /** Calcium frames paired with the isosbestic signal. Tags: session, channel, kind. */
    public static final String HEMO_PAIRS = "cst.hemo.pairs";

    /**
     * Pixels whose hemodynamic coefficients are currently out of the plausible range (gauge). Tags:
     * session, channel, method.
     */
    public static final String HEMO_IMPLAUSIBLE = "cst.hemo.coefficients.implausible";

    /** Bytes held in the hemodynamic correction's keyed state in this JVM (gauge). Tags: method. */
    public static final String HEMO_STATE_BYTES = "cst.hemo.state.bytes";

    /** Time to correct one tile of one frame. Tags: method. */
    public static final String HEMO_TILE_TIME = "cst.hemo.tile.time";

    /** MMSE estimators computed (one per block and update). Tags: method. */
    public static final String HEMO_ESTIMATOR_UPDATES = "cst.hemo.estimator.updates";

    public static final String TAG_SESSION = "session";
    public static final String TAG_CHANNEL = "channel";
    public static final String TAG_REASON = "reason";
    public static final String TAG_STAGE = "stage";
    public static final String TAG_OUTPUT = "output";
    public static final String TAG_KIND = "kind";
    public static final String TAG_TOPIC = "topic";
    public static final String TAG_PARTITION = "partition";
    public static final String TAG_METHOD = "method";

    private MetricNames() {}
}
