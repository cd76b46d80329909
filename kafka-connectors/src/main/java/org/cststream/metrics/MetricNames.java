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

    /**
     * Frames acquired before the frame ordered just before them (the camera clock went backwards).
     * Tags: session.
     */
    public static final String TIME_BACKWARDS = "cst.frames.time.backwards";

    /**
     * Frames whose every pixel was saturated or had too small a baseline (their dF/F is all 0).
     * Tags: session, kind (saturated, low-baseline).
     */
    public static final String DFF_INVALID_FRAMES = "cst.dff.invalid.frames";

    /**
     * Frames the CST stage left out. Tags: session, reason ({@code layout}: the frames' patch grid
     * is not the model's).
     */
    public static final String FILL_IGNORED = "cst.fill.frames.ignored";

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

    /** Grid times the CST stage emitted. Tags: session, kind (observed, filled). */
    public static final String FILL_FRAMES = "cst.fill.frames";

    /** Grid times the CST stage could not fill (a gap longer than cst.max-gap). Tags: session. */
    public static final String FILL_SKIPPED = "cst.fill.skipped";

    /**
     * Time of one model call of the stream's CST stage, as the job sees it (in the task, or the
     * round trip to the model server). Tags: mode (local, server).
     */
    public static final String FILL_INFERENCE = "cst.fill.inference";

    /** Windows per model call of the stream's CST stage. Tags: mode. */
    public static final String FILL_BATCH = "cst.fill.batch.windows";

    /**
     * The latest value decoded from a window's attention (gauge). Tags: session, channel, target.
     */
    public static final String DECODED_VALUE = "cst.decoded.value";

    /**
     * The streamed label at the latest window matched with one (gauge). Tags: session, channel,
     * target.
     */
    public static final String DECODED_LABEL = "cst.decoded.label";

    /**
     * Squared error of each decoded window against its streamed label (summary: sum / count is the
     * live MSE). Tags: session, channel, target.
     */
    public static final String DECODED_SQUARED_ERROR = "cst.decoded.squared.error";

    /**
     * Decoded windows no streamed label was matched to. Tags: session, target, reason ({@code
     * no-label}: none came while the window waited; {@code too-old}: older than every label kept).
     */
    public static final String DECODED_UNMATCHED = "cst.decoded.unmatched";

    /** Frames a live source took from its camera, folder or connection. Tags: source, session. */
    public static final String SOURCE_ACQUIRED = "cst.source.frames.acquired";

    /** Frames a live source had acknowledged by Kafka. Tags: source, session. */
    public static final String SOURCE_PUBLISHED = "cst.source.frames.published";

    /**
     * Frames a live source wrote to its disk spool while Kafka was slow or down. Tags: source,
     * session.
     */
    public static final String SOURCE_SPOOLED = "cst.source.frames.spooled";

    /**
     * Frames a live source sent to Kafka a second time, or kept in its spool for the next run to
     * send again, because no answer to the first sending came (its producer was replaced, or a stop
     * timed out with Kafka away). Each may appear twice on the topic: this bounds the duplicates.
     * Tags: source, session.
     */
    public static final String SOURCE_RESENT = "cst.source.frames.resent";

    /** Frames a live source could not keep (queue or spool full). Tags: source, session, reason. */
    public static final String SOURCE_LOST = "cst.source.frames.lost";

    /** Frames the camera itself reports lost or incomplete. Tags: source, session, kind. */
    public static final String SOURCE_CAMERA_DROPS = "cst.source.camera.drops";

    /** Records a live source refused (bad framing, bad frame record). Tags: source, reason. */
    public static final String SOURCE_REJECTED = "cst.source.records.rejected";

    /** Bytes a live source holds in memory (queue and unacknowledged sends). Tags: source. */
    public static final String SOURCE_MEMORY = "cst.source.memory";

    /** Bytes in a live source's disk spool. Tags: source. */
    public static final String SOURCE_SPOOL = "cst.source.spool";

    /** Stimulus, TTL and behaviour records published. Tags: source, session. */
    public static final String SOURCE_LABELS_PUBLISHED = "cst.source.labels.published";

    /** Requests the model server answered, by outcome (ok, bad-request, ...). Tags: outcome. */
    public static final String MODEL_REQUESTS = "cst.model.requests";

    /** Time of one model call on a batch of windows, in the model server. Tags: device. */
    public static final String MODEL_INFERENCE = "cst.model.inference";

    /** Windows run together in one model call (the batch size). Tags: none. */
    public static final String MODEL_BATCH_WINDOWS = "cst.model.batch.windows";

    /** Windows waiting for the model in the server's queue. Tags: none. */
    public static final String MODEL_QUEUE_WINDOWS = "cst.model.queue.windows";

    /** Time from a decoded request to its answer: queueing plus inference. Tags: none. */
    public static final String MODEL_REQUEST_LATENCY = "cst.model.request.latency";

    /** Trainable values of the served model. Tags: device. */
    public static final String MODEL_PARAMETERS = "cst.model.parameters";

    /** 1 once the model is loaded and warmed up, else 0. Tags: none. */
    public static final String MODEL_READY = "cst.model.ready";

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
    public static final String TAG_MODE = "mode";
    public static final String TAG_TARGET = "target";
    public static final String TAG_SOURCE = "source";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_DEVICE = "device";
    public static final String TAG_METHOD = "method";

    private MetricNames() {}
}
