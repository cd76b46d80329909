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
import org.cststream.job.frames.SessionEvent;
import org.cststream.model.window.WindowLayout;

/**
 * Adds the CST stage to a job: windows per session and channel, the model through async I/O, the
 * regular frame stream. Its settings are {@link CstOptions}; the window length and (unless set) the
 * grid period come from the model.
 */
public final class CstStage {
    private CstStage() {}

    /**
     * What the stage emits.
     *
     * @param filled one frame per grid time, observed or filled
     * @param events grid times skipped because a gap was too long to fill
     */
    public record Streams(DataStream<FilledFrame> filled, DataStream<SessionEvent> events) {}

    /** Returns the layout saved with the configured model, read from its manifest. */
    public static WindowLayout layout(Configuration c) {
        Path dir = Path.of(c.get(CstOptions.MODEL));
        try {
            return WindowLayout.read(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CST model in " + dir, e);
        }
    }

    /**
     * Adds the stage on {@code tokens} (one or more calcium channels).
     *
     * @param sessionEvents the ordering stage's events: a session's end closes its grids
     */
    public static Streams build(
            DataStream<PatchTokens> tokens,
            DataStream<SessionEvent> sessionEvents,
            Configuration c) {
        WindowLayout layout = layout(c);
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
        return new Streams(filled, windows.getSideOutput(CstWindowFunction.EVENTS));
    }
}
