package org.cststream.job.cst;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.cststream.frame.PatchTokens;
import org.cststream.job.frames.DeadLetter;
import org.cststream.job.frames.JobOutputs;
import org.cststream.job.frames.KafkaRecord;
import org.cststream.job.frames.SessionEvent;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.window.WindowLayout;

/**
 * Adds the CST stage to a job: windows per session and channel, the model through async I/O, the
 * regular frame stream and, with a decoder, a decoded value per window and the live error against
 * streamed labels. Its settings are {@link CstOptions}; the window length and (unless set) the grid
 * period come from the model.
 */
public final class CstStage {
    private CstStage() {}

    /** Most decoded values per session that wait for their label. */
    static final int MAX_PENDING_DECODED = 256;

    /** Most streamed labels kept per session for the live error. */
    static final int MAX_LABELS = 10_000;

    /**
     * What the stage emits.
     *
     * @param filled one frame per grid time, observed or filled
     * @param events grid times skipped because a gap was too long to fill
     * @param decoded one decoded value per window; null without a decoder
     * @param matched decoded values matched with a streamed label (their metrics are the output);
     *     null without the live error
     * @param deadLetters label records that could not be read; null without the live error
     */
    public record Streams(
            DataStream<FilledFrame> filled,
            DataStream<SessionEvent> events,
            DataStream<DecodedValue> decoded,
            DataStream<DecodedValue> matched,
            DataStream<DeadLetter> deadLetters) {}

    /** Returns the layout saved with the configured model, read from its manifest. */
    public static WindowLayout layout(Configuration c) {
        Path dir = Path.of(c.get(CstOptions.MODEL));
        try {
            return WindowLayout.read(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the CST model in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the configured decoder after checking that it reads the configured model's windows:
     * CST attention, the same window layout and the same model fingerprint.
     *
     * @throws IllegalArgumentException naming both files and what to do when they do not match
     */
    public static Decoder checkedDecoder(Configuration c) {
        Decoder d = CstOptions.decoder(c);
        Path dir = Path.of(c.get(CstOptions.MODEL));
        WindowLayout model = layout(c);
        String where = CstOptions.DECODER.key() + " " + c.get(CstOptions.DECODER);
        if (d.features().kind() != Decoder.FeatureKind.CST_ATTENTION) {
            throw new IllegalArgumentException(
                    where
                            + " decodes "
                            + d.features().kind().wireName()
                            + "; the stream applies decoders of cst-attention (cst decode)");
        }
        WindowLayout l = d.features().layout();
        if (l.gridRows() != model.gridRows()
                || l.gridCols() != model.gridCols()
                || l.patchSize() != model.patchSize()
                || l.frames() != model.frames()) {
            throw new IllegalArgumentException(
                    where
                            + " was fitted on windows of "
                            + l
                            + "; the model in "
                            + dir
                            + " makes windows of "
                            + model
                            + ": fit it again with cst decode --model "
                            + dir);
        }
        String fingerprint;
        try {
            fingerprint = Decoder.fingerprint(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the CST model in " + dir + ": " + e.getMessage(), e);
        }
        if (!fingerprint.equals(d.features().modelFingerprint())) {
            throw new IllegalArgumentException(
                    where
                            + " was fitted on the attention of another model (fingerprint "
                            + d.features().modelFingerprint()
                            + "; the model in "
                            + dir
                            + " has "
                            + fingerprint
                            + "): fit it again with cst decode --model "
                            + dir);
        }
        return d;
    }

    /**
     * Adds the stage on {@code tokens} (one or more calcium channels).
     *
     * @param sessionEvents the ordering stage's events: a session's end closes its grids
     * @param labels records of the decoder's label topic, for the live error; or null
     */
    public static Streams build(
            DataStream<PatchTokens> tokens,
            DataStream<SessionEvent> sessionEvents,
            DataStream<KafkaRecord> labels,
            Configuration c) {
        WindowLayout layout = layout(c);
        Decoder decoder = CstOptions.hasDecoder(c) ? checkedDecoder(c) : null;
        long periodNanos =
                c.getOptional(CstOptions.FRAME_PERIOD)
                        .map(d -> d.toNanos())
                        .orElse(Math.round(layout.periodSeconds() * 1e9));
        int capacity = 4 * c.get(CstOptions.BATCH_SIZE);
        SingleOutputStreamOperator<WindowRequest> windows =
                tokens.keyBy(t -> t.sessionId)
                        .connect(
                                sessionEvents
                                        .filter(e -> SessionEvent.SESSION_END.equals(e.type))
                                        .uid("cst-session-ends")
                                        .name("cst-session-ends")
                                        .keyBy(e -> e.sessionId))
                        .process(
                                new CstWindowFunction(
                                        layout.frames(),
                                        Math.min(c.get(CstOptions.WINDOW_STEP), layout.frames()),
                                        periodNanos,
                                        c.get(CstOptions.GRID_TOLERANCE),
                                        c.get(CstOptions.WINDOW_TIMEOUT).toMillis(),
                                        c.get(CstOptions.MAX_GAP),
                                        layout.gridRows(),
                                        layout.gridCols(),
                                        layout.patchSize()))
                        .uid("cst-windows")
                        .name("cst-windows");
        // results come back in the order the windows went in, so each session's grid stays in
        // order without another keyed stage
        DataStream<WindowResult> results =
                AsyncDataStream.orderedWait(
                                windows,
                                new CstInferenceFunction(
                                        c.get(CstOptions.MODEL),
                                        c.get(CstOptions.INFERENCE),
                                        c.get(CstOptions.SERVER_URL),
                                        c.get(CstOptions.BATCH_SIZE),
                                        c.get(CstOptions.BATCH_DELAY),
                                        capacity,
                                        c.get(CstOptions.INFERENCE_TIMEOUT)),
                                c.get(CstOptions.INFERENCE_TIMEOUT).toMillis(),
                                TimeUnit.MILLISECONDS,
                                capacity)
                        .uid("cst-inference")
                        .name("cst-inference");
        DataStream<FilledFrame> filled =
                results.process(new CstOutputFunction()).uid("cst-output").name("cst-output");
        DataStream<DecodedValue> decoded = null;
        DataStream<DecodedValue> matched = null;
        DataStream<DeadLetter> deadLetters = null;
        if (decoder != null) {
            decoded =
                    results.process(new CstDecodeFunction(c.get(CstOptions.DECODER)))
                            .uid("cst-decode")
                            .name("cst-decode");
            if (labels != null) {
                // the live error: decoded values meet the streamed labels, keyed by session
                SingleOutputStreamOperator<LabelPoint> points =
                        labels.process(
                                        new LabelRecordFunction(
                                                decoder.target().source(),
                                                decoder.target().field()))
                                .uid("cst-labels")
                                .name("cst-labels");
                matched =
                        decoded.keyBy(v -> v.sessionId)
                                .connect(points.keyBy(p -> p.sessionId))
                                .process(
                                        new DecodeErrorFunction(
                                                decoder.target().source(),
                                                MAX_PENDING_DECODED,
                                                MAX_LABELS))
                                .uid("cst-decode-error")
                                .name("cst-decode-error");
                deadLetters = points.getSideOutput(JobOutputs.DEAD_LETTERS);
            }
        }
        return new Streams(
                filled,
                windows.getSideOutput(CstWindowFunction.EVENTS),
                decoded,
                matched,
                deadLetters);
    }
}
