package org.cststream.job.cst;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.cststream.frame.PatchTokens;
import org.cststream.job.frames.SessionEvent;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts each session's channel into windows for the CST, on a regular output grid.
 *
 * <p>The grid starts at the session's first frame and steps by the nominal period. A frame within
 * {@code tolerance} periods of a grid time is that grid time's observed frame; a frame further off
 * is an observation at its true time, and its grid time is filled. A window spans {@code T} grid
 * times and emits its {@code S} newest; the {@code T - S} before them are context. Frames arrive in
 * counter order (the ordering stage comes first), so a window is complete once a frame past its
 * last grid time arrives; a session that sends nothing for {@code timeout} has what it sent so far
 * emitted, so a stalled camera holds nothing back. Windows hold the observed frames at their true
 * times and the grid times to fill.
 *
 * <p>A run of more than {@code maxGap} grid times without a frame is not filled: its grid times are
 * skipped, counted ({@link MetricNames#FILL_SKIPPED}) and reported as a {@code fill-skipped} event,
 * and the next window starts at the next frame.
 */
public class CstWindowFunction
        extends KeyedCoProcessFunction<String, PatchTokens, SessionEvent, WindowRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CstWindowFunction.class);

    /** Side output of skipped grid times. */
    public static final OutputTag<SessionEvent> EVENTS =
            new OutputTag<>("cst-events", TypeInformation.of(SessionEvent.class));

    /**
     * Event type: a session ended and its channel's grid is closed; {@code count} grid times were
     * emitted (the last is {@code toCounter}), {@code detail} names the channel.
     */
    public static final String FILL_END = "fill-end";

    /** Event type: grid times {@code fromCounter..toCounter} were too long a gap to fill. */
    public static final String FILL_SKIPPED = "fill-skipped";

    private final int windowFrames;
    private final int step;
    private final long periodNanos;
    private final double tolerance;
    private final long timeoutMillis;
    private final int maxGap;
    private final int modelGridRows;
    private final int modelGridCols;
    private final int modelPatchSize;

    /** Per channel of the session. */
    private transient MapState<String, CstWindowState> channels;

    /** Set once the session's end has been seen; its grids close after the timeout. */
    private transient ValueState<Boolean> ending;

    private transient ValueState<Long> lastArrival;

    /** Set once the session's grids are closed after its end; later frames are ignored. */
    private transient ValueState<Boolean> closed;

    private transient java.util.Set<String> warnedClosed;

    private transient MeterRegistry registry;

    /** Sessions already warned about, by kind, in this task. */
    private transient java.util.Set<String> warned;

    /**
     * @param windowFrames grid times per window T (the model's), 2 or more
     * @param step grid times each window emits S, 1 to T
     * @param periodNanos grid period, ns, above 0
     * @param tolerance fraction of a period within which a frame is on the grid, in (0, 0.5)
     * @param timeoutMillis silence after which a session's open window is emitted, ms
     * @param maxGap longest run of missing grid times that is filled
     */
    public CstWindowFunction(
            int windowFrames,
            int step,
            long periodNanos,
            double tolerance,
            long timeoutMillis,
            int maxGap) {
        this(windowFrames, step, periodNanos, tolerance, timeoutMillis, maxGap, 0, 0, 0);
    }

    /**
     * As the other constructor, for a model trained on frames of {@code modelGridRows x
     * modelGridCols} patches of {@code modelPatchSize} pixels: frames of another patch grid are
     * left out of the stage (counted, reported once per session) instead of failing the model call.
     *
     * @param modelGridRows the model's patch rows, or 0 to take every frame
     * @param modelGridCols the model's patch columns, or 0 to take every frame
     * @param modelPatchSize the model's patch side in pixels, or 0 to take every frame
     */
    public CstWindowFunction(
            int windowFrames,
            int step,
            long periodNanos,
            double tolerance,
            long timeoutMillis,
            int maxGap,
            int modelGridRows,
            int modelGridCols,
            int modelPatchSize) {
        if (windowFrames < 2 || step < 1 || step > windowFrames) {
            throw new IllegalArgumentException(
                    "window of "
                            + windowFrames
                            + " grid times emitting "
                            + step
                            + "; need T >= 2 and 1 <= S <= T");
        }
        this.windowFrames = windowFrames;
        this.step = step;
        this.periodNanos = periodNanos;
        this.tolerance = tolerance;
        this.timeoutMillis = timeoutMillis;
        this.maxGap = maxGap;
        this.modelGridRows = modelGridRows;
        this.modelGridCols = modelGridCols;
        this.modelPatchSize = modelPatchSize;
    }

    /** Returns a frame's channel, the key of its grid within the session. */
    static String channelOf(PatchTokens t) {
        return org.cststream.frame.Frame.channelLabel(t.channelName, t.channelNm);
    }

    @Override
    public void open(OpenContext openContext) {
        channels =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "cst-windows",
                                        Types.STRING,
                                        TypeInformation.of(CstWindowState.class)));
        ending =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("cst-ending", Types.BOOLEAN));
        lastArrival =
                getRuntimeContext().getState(new ValueStateDescriptor<>("cst-arrival", Types.LONG));
        closed =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("cst-closed", Types.BOOLEAN));
        registry = CstMetrics.registry();
        warned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        warnedClosed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    }

    @Override
    public void processElement1(PatchTokens t, Context ctx, Collector<WindowRequest> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (!fitsTheModel(t)) {
            return;
        }
        if (Boolean.TRUE.equals(closed.value())) {
            if (warnedClosed.add(t.sessionId)) {
                LOG.warn(
                        "frames after their session's end are ignored by the CST stage session={}"
                                + " counter={} (a session id used again after its end: give each"
                                + " recording its own --session; further frames of this session"
                                + " are not logged)",
                        t.sessionId,
                        t.frameCounter);
            }
            return;
        }
        String channel = channelOf(t);
        CstWindowState s = channels.get(channel);
        if (s != null
                && (s.gridRows != t.gridRows
                        || s.gridCols != t.gridCols
                        || s.patchSize != t.patchSize)) {
            LOG.warn(
                    "frame size changed, CST grid restarted session={} counter={} from={}x{}"
                            + " to={}x{} patches",
                    t.sessionId,
                    t.frameCounter,
                    s.gridRows,
                    s.gridCols,
                    t.gridRows,
                    t.gridCols);
            s = restartGrid(s, t, ctx, out);
        }
        if (s == null) {
            s = start(t);
        }
        double position = (double) (t.acquisitionNanos - s.originNanos) / periodNanos;
        long nearest = Math.round(position);
        if (nearest < s.nextSlot - windowFrames) {
            // frames arrive in counter order, so a frame older than every window still to come
            // means the camera clock went backwards: the grid goes on from this frame
            if (warned.add("clock|" + t.sessionId)) {
                LOG.warn(
                        "camera clock went backwards, CST grid restarted session={} counter={}"
                                + " stepMs={} nextGridTime={}",
                        t.sessionId,
                        t.frameCounter,
                        String.format(
                                "%.1f",
                                (t.acquisitionNanos - s.originNanos - s.nextSlot * periodNanos)
                                        / 1e6),
                        s.nextSlot);
            }
            s = restartGrid(s, t, ctx, out);
            position = (double) (t.acquisitionNanos - s.originNanos) / periodNanos;
            nearest = Math.round(position);
        }
        long gapFrom = Math.max(s.lastSlot + 1, s.nextSlot);
        if (nearest - gapFrom > maxGap) {
            // too long to fill: emit what is open, then skip the gap's grid times
            emitUpTo(s, s.lastSlot + 1, ctx, out);
            long skipped = nearest - s.nextSlot;
            if (skipped > 0) {
                skip(s, s.nextSlot, nearest, ctx);
            }
            s.nextSlot = nearest;
            s.frames.clear();
        }
        CstWindowState.BufferedFrame f = new CstWindowState.BufferedFrame();
        f.nanos = t.acquisitionNanos;
        f.counter = t.frameCounter;
        f.nearest = nearest;
        f.slot = Math.abs(position - nearest) <= tolerance && nearest >= s.nextSlot ? nearest : -1;
        f.hostReceiveNanos = t.hostReceiveNanos;
        f.values = t.values;
        s.frames.add(f);
        s.lastSlot = Math.max(s.lastSlot, nearest);
        s.lastArrivalMillis = now;
        // a window is complete once a frame past its newest grid time has arrived
        while (s.nextSlot + step <= s.lastSlot) {
            emitWindow(s, s.nextSlot + step, out);
        }
        channels.put(channel, s);
        lastArrival.update(now);
        ctx.timerService().registerProcessingTimeTimer(now + timeoutMillis);
    }

    /**
     * The session's end, from the ordering stage. Its last frames may still be on their way through
     * the stages before this one, so the session's grids are closed once it has been silent for the
     * timeout; a {@value #FILL_END} event per channel then says how many grid times it emitted.
     */
    @Override
    public void processElement2(SessionEvent e, Context ctx, Collector<WindowRequest> out)
            throws Exception {
        if (!SessionEvent.SESSION_END.equals(e.type)) {
            return;
        }
        ending.update(true);
        long now = ctx.timerService().currentProcessingTime();
        Long last = lastArrival.value();
        ctx.timerService()
                .registerProcessingTimeTimer(
                        Math.max(now, last == null ? now : last) + timeoutMillis);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowRequest> out)
            throws Exception {
        Long last = lastArrival.value();
        if (last != null && timestamp < last + timeoutMillis) {
            return;
        }
        boolean ended = Boolean.TRUE.equals(ending.value());
        List<String> done = new ArrayList<>();
        for (java.util.Map.Entry<String, CstWindowState> entry : channels.entries()) {
            CstWindowState s = entry.getValue();
            if (s.nextSlot <= s.lastSlot) {
                LOG.debug(
                        "session silent, CST windows emitted session={} channel={}"
                                + " gridTimes={}..{}",
                        s.sessionId,
                        entry.getKey(),
                        s.nextSlot,
                        s.lastSlot);
                emitUpTo(s, s.lastSlot + 1, ctx, out);
            }
            if (ended) {
                SessionEvent e = new SessionEvent();
                e.type = FILL_END;
                e.sessionId = s.sessionId;
                e.count = s.emitted;
                e.toCounter = s.lastSlot;
                e.detail = entry.getKey();
                ctx.output(EVENTS, e);
                done.add(entry.getKey());
            } else {
                channels.put(entry.getKey(), s);
            }
        }
        if (ended) {
            for (String c : done) {
                channels.remove(c);
            }
            // keep the end mark so that stragglers of the session are not taken for a new one
            lastArrival.clear();
            closed.update(true);
        }
    }

    /**
     * Emits what the grid holds, then starts a grid at frame {@code t} that goes on from the old
     * one's next index, so no index is used twice and none is skipped.
     */
    private CstWindowState restartGrid(
            CstWindowState s, PatchTokens t, Context ctx, Collector<WindowRequest> out) {
        emitUpTo(s, s.lastSlot + 1, ctx, out);
        CstWindowState next = start(t);
        next.originNanos = t.acquisitionNanos - (s.lastSlot + 1) * periodNanos;
        next.nextSlot = s.lastSlot + 1;
        next.lastSlot = s.lastSlot;
        next.emitted = s.emitted;
        return next;
    }

    /**
     * Returns whether the frame's patch grid is the model's; a frame that is not is counted and its
     * session warned about once, and the stage leaves it out.
     */
    private boolean fitsTheModel(PatchTokens t) {
        if (modelGridRows <= 0
                || (t.gridRows == modelGridRows
                        && t.gridCols == modelGridCols
                        && t.patchSize == modelPatchSize)) {
            return true;
        }
        Counter.builder(MetricNames.FILL_IGNORED)
                .tag(MetricNames.TAG_SESSION, t.sessionId)
                .tag(MetricNames.TAG_REASON, "layout")
                .register(registry)
                .increment();
        if (warned.add("layout|" + t.sessionId)) {
            LOG.warn(
                    "frames the CST model cannot take session={} counter={} frame={}x{} patches"
                            + " of {}x{}x{} pixels, the model's {}x{}x{}: the CST stage leaves"
                            + " them out (dF/F, corrected frames and tokens are still written);"
                            + " use the binning, patch size and frame size the model was trained"
                            + " on, or train a model for this rig (further frames counted in {})",
                    t.sessionId,
                    t.frameCounter,
                    t.frameHeight,
                    t.frameWidth,
                    t.gridRows,
                    t.gridCols,
                    t.patchSize,
                    modelGridRows,
                    modelGridCols,
                    modelPatchSize,
                    MetricNames.FILL_IGNORED);
        }
        return false;
    }

    private CstWindowState start(PatchTokens t) {
        CstWindowState s = new CstWindowState();
        s.originNanos = t.acquisitionNanos;
        s.sessionId = t.sessionId;
        s.cameraId = t.cameraId;
        s.channelName = t.channelName;
        s.channelNm = t.channelNm;
        s.gridRows = t.gridRows;
        s.gridCols = t.gridCols;
        s.patchSize = t.patchSize;
        s.frameHeight = t.frameHeight;
        s.frameWidth = t.frameWidth;
        s.binning = t.binning;
        return s;
    }

    /** Emits windows until every grid time before {@code end} is emitted. */
    private void emitUpTo(CstWindowState s, long end, Context ctx, Collector<WindowRequest> out) {
        while (s.nextSlot < end) {
            emitWindow(s, Math.min(end, s.nextSlot + step), out);
        }
    }

    /** Emits the window whose emitted grid times are {@code s.nextSlot} to {@code to - 1}. */
    private void emitWindow(CstWindowState s, long to, Collector<WindowRequest> out) {
        long from = s.nextSlot;
        long first = Math.max(0, to - windowFrames);
        List<CstWindowState.BufferedFrame> observed = new ArrayList<>();
        boolean[] covered = new boolean[(int) (to - from)];
        long host = 0;
        for (CstWindowState.BufferedFrame f : s.frames) {
            // a frame belongs to the window when its nearest grid time does, on the grid or not
            if (f.nearest >= first && f.nearest < to) {
                observed.add(f);
                host = Math.max(host, f.hostReceiveNanos);
                if (f.slot >= from && f.slot < to) {
                    covered[(int) (f.slot - from)] = true;
                }
            }
        }
        s.nextSlot = to;
        s.emitted += observed.isEmpty() ? 0 : to - from;
        // keep what the next window's context needs
        long keepFrom = to + step - windowFrames;
        s.frames.removeIf(f -> f.nearest < keepFrom - 1);
        if (observed.isEmpty()) {
            // nothing to fill from: cannot happen for a complete window, only at a gap's edge
            return;
        }
        WindowRequest r = new WindowRequest();
        r.key =
                s.sessionId
                        + "|"
                        + org.cststream.frame.Frame.channelLabel(s.channelName, s.channelNm);
        r.sessionId = s.sessionId;
        r.cameraId = s.cameraId;
        r.channelName = s.channelName;
        r.channelNm = s.channelNm;
        r.originNanos = s.originNanos;
        r.periodNanos = periodNanos;
        r.firstSlot = first;
        r.emitFrom = from;
        r.emitTo = to;
        r.gridRows = s.gridRows;
        r.gridCols = s.gridCols;
        r.patchSize = s.patchSize;
        r.frameHeight = s.frameHeight;
        r.frameWidth = s.frameWidth;
        r.binning = s.binning;
        int n = observed.size();
        r.observedNanos = new long[n];
        r.observedCounters = new long[n];
        r.observedSlots = new long[n];
        r.observedValues = new float[n][];
        for (int i = 0; i < n; i++) {
            CstWindowState.BufferedFrame f = observed.get(i);
            r.observedNanos[i] = f.nanos;
            r.observedCounters[i] = f.counter;
            r.observedSlots[i] = f.slot >= from && f.slot < to ? f.slot : -1;
            r.observedValues[i] = f.values;
        }
        int queries = 0;
        for (boolean c : covered) {
            queries += c ? 0 : 1;
        }
        r.querySlots = new long[queries];
        for (int i = 0, q = 0; i < covered.length; i++) {
            if (!covered[i]) {
                r.querySlots[q++] = from + i;
            }
        }
        r.hostReceiveNanos = host;
        out.collect(r);
    }

    private void skip(CstWindowState s, long from, long to, Context ctx) {
        Counter.builder(MetricNames.FILL_SKIPPED)
                .tag(MetricNames.TAG_SESSION, s.sessionId)
                .register(registry)
                .increment(to - from);
        LOG.warn(
                "gap too long to fill, grid times skipped session={} gridTimes={}..{} maxGap={}"
                        + " (raise cst.max-gap to fill longer gaps)",
                s.sessionId,
                from,
                to - 1,
                maxGap);
        SessionEvent e = new SessionEvent();
        e.type = FILL_SKIPPED;
        e.sessionId = s.sessionId;
        e.fromCounter = from;
        e.toCounter = to - 1;
        e.count = to - from;
        ctx.output(EVENTS, e);
    }
}
