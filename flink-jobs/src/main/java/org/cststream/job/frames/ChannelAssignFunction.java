package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.Frame;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every frame of a session its excitation channel, after ordering and before dF/F (whose
 * baseline is per channel). Keyed by session.
 *
 * <ul>
 *   <li>A frame that carries a channel (wavelength or name) keeps it: tags come from the
 *       acquisition software with each frame and are trusted. They are checked once per session all
 *       the same: when the first {@code checkFrames} frames of each channel show the channel tagged
 *       isosbestic not to be the dimmest, a {@code channel-check} event and a warning say that the
 *       tags look wrong (the frames keep them).
 *   <li>An untagged frame gets the configured alternation ({@code channels.order}, e.g. 470, 405)
 *       by its camera counter: channel = order[(counter - first counter + shift) mod N]. A dropped
 *       frame leaves a gap in the counter, so the alternation stays in step after it.
 *   <li>At the start of a session the first {@code checkFrames} frames of each channel are held and
 *       their mean brightness compared: the isosbestic channel should be the dimmest (a rig whose
 *       isosbestic LED is dimmed relative to the calcium one, the common case). When another
 *       position of the cycle is clearly dimmer (by {@value #BRIGHTNESS_MARGIN} or more), the
 *       session started on another channel than configured: the order is rotated so that the
 *       dimmest position is the isosbestic channel, and the swap is reported. When no position is
 *       clearly dimmest the configured order is kept and a {@code channel-check} event says so.
 *   <li>After that each frame is compared with every channel's running reference (see {@link
 *       ChannelSignature}). A frame that fits another channel better by {@value #CONTENT_MARGIN} or
 *       more is held as a suspect; when {@code confirmFrames} suspects in a row point to the same
 *       rotation, the alternation has slipped (a frame lost without a counter trace, an LED that
 *       missed a trigger): the order is rotated, the suspects relabelled, and the swap reported. A
 *       suspect followed by a frame that fits is released as assigned and counted in {@link
 *       MetricNames#CHANNEL_MISMATCHES}. So at most {@code confirmFrames - 1} frames wait.
 * </ul>
 *
 * A swap is never silent: a {@link SessionEvent#CHANNEL_SWAP} event on the events topic, {@link
 * MetricNames#CHANNEL_SWAPS}, and a warning (the first {@value #WARNINGS_PER_SESSION} per session;
 * later ones at debug level). Held frames are released when the session has been idle for the idle
 * timeout, and at the end of a bounded input.
 */
public class ChannelAssignFunction extends KeyedProcessFunction<String, Frame, Frame> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChannelAssignFunction.class);

    /** How much dimmer than every other position the isosbestic position must be, as a fraction. */
    static final double BRIGHTNESS_MARGIN = 0.1;

    /** How much better another channel must fit a frame before it is a suspect. */
    static final double CONTENT_MARGIN = 0.1;

    static final int WARNINGS_PER_SESSION = 3;

    /** Weight of a new frame in a channel's reference, once it holds more than 1 / this frames. */
    private static final double REFERENCE_WEIGHT = 0.2;

    private final int[] order;
    private final int isosbesticIndex;
    private final boolean startCheck;
    private final int checkFrames;
    private final int confirmFrames;
    private final long idleTimeoutMillis;

    private transient ValueState<ChannelAssignState> state;
    private transient ValueState<Long> idleTimer;
    private transient MeterRegistry registry;

    /**
     * @param order wavelengths in acquisition order, nm; empty or one: no alternation
     * @param isosbesticNm the isosbestic wavelength, one of {@code order}, or -1 for none
     * @param startCheck whether to check at the start that the isosbestic channel is the dimmest
     * @param checkFrames frames per channel the start check looks at (>= 1)
     * @param confirmFrames suspects in a row that confirm a slipped alternation (>= 1)
     * @param idleTimeout silence after which held frames are released
     */
    public ChannelAssignFunction(
            List<Integer> order,
            int isosbesticNm,
            boolean startCheck,
            int checkFrames,
            int confirmFrames,
            Duration idleTimeout) {
        this.order = order.stream().mapToInt(Integer::intValue).toArray();
        this.isosbesticIndex = order.indexOf(isosbesticNm);
        this.startCheck = startCheck && isosbesticIndex >= 0 && order.size() > 1;
        this.checkFrames = checkFrames;
        this.confirmFrames = confirmFrames;
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "channels", TypeInformation.of(ChannelAssignState.class)));
        idleTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("idle", Types.LONG));
        registry = CstMetrics.registry();
    }

    @Override
    public void processElement(Frame frame, Context ctx, Collector<Frame> out) throws Exception {
        if (frame.channelNm > 0 || !frame.channelName.isEmpty() || order.length == 0) {
            if (startCheck && frame.channelName.isEmpty()) {
                checkTags(frame, ctx);
            }
            out.collect(frame);
            return;
        }
        if (order.length == 1) {
            frame.channelNm = order[0];
            out.collect(frame);
            return;
        }
        ChannelAssignState st = state.value();
        if (st == null) {
            st = new ChannelAssignState();
            st.firstCounter = frame.frameCounter;
            int cells = ChannelSignature.cells(frame.width, frame.height);
            st.references = new float[order.length * cells];
            st.referenceMeans = new double[order.length];
            st.referenceCounts = new int[order.length];
        }
        if (!st.decided) {
            st.pending = append(st.pending, frame);
            if (!startCheck || enoughToDecide(st)) {
                decide(st, ctx, out);
            }
        } else {
            assign(st, frame, ctx, out);
        }
        state.update(st);
        scheduleIdle(st, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Frame> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            Long pending = idleTimer.value();
            if (pending == null || pending != timestamp) {
                return;
            }
            idleTimer.clear();
        }
        ChannelAssignState st = state.value();
        if (st == null) {
            return;
        }
        if (!st.decided) {
            decide(st, ctx, out);
        }
        releaseSuspects(st, ctx, out);
        state.update(st);
    }

    private void scheduleIdle(ChannelAssignState st, Context ctx) throws Exception {
        Long pending = idleTimer.value();
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
            idleTimer.clear();
        }
        if (st.pending.length > 0 || st.suspects.length > 0) {
            long at = ctx.timerService().currentProcessingTime() + idleTimeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            idleTimer.update(at);
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
    }

    private int phase(ChannelAssignState st, long counter) {
        return Math.floorMod(counter - st.firstCounter, order.length);
    }

    private int channelIndex(ChannelAssignState st, long counter, int shift) {
        return Math.floorMod(counter - st.firstCounter + shift, order.length);
    }

    private boolean enoughToDecide(ChannelAssignState st) {
        int[] perPhase = new int[order.length];
        for (Frame f : st.pending) {
            perPhase[phase(st, f.frameCounter)]++;
        }
        boolean all = Arrays.stream(perPhase).allMatch(n -> n >= checkFrames);
        // drops may starve a position; do not hold more than twice the frames asked for
        return all || st.pending.length >= 2 * checkFrames * order.length;
    }

    /** The start-of-session check: which position of the cycle is the isosbestic channel. */
    private void decide(ChannelAssignState st, Context ctx, Collector<Frame> out) {
        if (startCheck) {
            int n = order.length;
            double[] sum = new double[n];
            int[] count = new int[n];
            for (Frame f : st.pending) {
                int p = phase(st, f.frameCounter);
                sum[p] += ChannelSignature.of(f).mean;
                count[p]++;
            }
            double[] mean = new double[n];
            int dimmest = -1;
            boolean complete = true;
            for (int p = 0; p < n; p++) {
                complete &= count[p] > 0;
                mean[p] = count[p] > 0 ? sum[p] / count[p] : Double.NaN;
                if (count[p] > 0 && (dimmest < 0 || mean[p] < mean[dimmest])) {
                    dimmest = p;
                }
            }
            double nextDimmest = Double.MAX_VALUE;
            for (int p = 0; p < n; p++) {
                if (p != dimmest && count[p] > 0) {
                    nextDimmest = Math.min(nextDimmest, mean[p]);
                }
            }
            String brightness = describeBrightness(st, mean);
            if (complete && mean[dimmest] < (1 - BRIGHTNESS_MARGIN) * nextDimmest) {
                int shift = Math.floorMod(isosbesticIndex - dimmest, n);
                if (shift != st.shift) {
                    Frame first = st.pending[0];
                    swap(
                            st,
                            shift,
                            first.frameCounter,
                            "start",
                            "the session started on "
                                    + label(channelIndex(st, first.frameCounter, shift))
                                    + ", not "
                                    + label(channelIndex(st, first.frameCounter, st.shift))
                                    + " as configured (the isosbestic channel is the dimmest:"
                                    + brightness
                                    + ")",
                            ctx);
                } else {
                    LOG.info(
                            "channel order confirmed session={} brightness={}",
                            ctx.getCurrentKey(),
                            brightness.trim());
                }
            } else {
                SessionEvent e = event(SessionEvent.CHANNEL_CHECK, ctx);
                e.fromCounter = st.pending.length > 0 ? st.pending[0].frameCounter : 0;
                e.toCounter = e.fromCounter;
                e.detail =
                        "start check inconclusive: no position of the cycle is clearly the"
                                + " dimmest ("
                                + brightness.trim()
                                + (complete ? "" : "; not every channel seen")
                                + "); kept the configured order";
                ctx.output(JobOutputs.EVENTS, e);
                LOG.warn(
                        "channel order unchecked session={} detail=\"{}\"; set"
                                + " channels.isosbestic-dimmer=false if the channels are equally"
                                + " bright",
                        e.sessionId,
                        e.detail);
            }
        }
        st.decided = true;
        Frame[] held = st.pending;
        st.pending = new Frame[0];
        for (Frame f : held) {
            accept(st, f, channelIndex(st, f.frameCounter, st.shift), ChannelSignature.of(f), out);
        }
    }

    /**
     * The start check for tagged frames: the tags are kept, but if the channel tagged isosbestic is
     * not the dimmest a {@code channel-check} event and a warning say the tags look wrong.
     */
    private void checkTags(Frame frame, Context ctx) throws Exception {
        ChannelAssignState st = state.value();
        if (st == null) {
            st = new ChannelAssignState();
        }
        if (st.tagsChecked) {
            return;
        }
        int index = -1;
        for (int c = 0; c < order.length; c++) {
            if (order[c] == frame.channelNm) {
                index = c;
            }
        }
        if (index < 0) {
            return;
        }
        if (st.tagSums.length != order.length) {
            st.tagSums = new double[order.length];
            st.tagCounts = new int[order.length];
        }
        st.tagSums[index] += ChannelSignature.of(frame).mean;
        st.tagCounts[index]++;
        if (Arrays.stream(st.tagCounts).allMatch(n -> n >= checkFrames)) {
            st.tagsChecked = true;
            double[] mean = new double[order.length];
            int dimmest = 0;
            for (int c = 0; c < order.length; c++) {
                mean[c] = st.tagSums[c] / st.tagCounts[c];
                if (mean[c] < mean[dimmest]) {
                    dimmest = c;
                }
            }
            if (dimmest != isosbesticIndex
                    && mean[dimmest] < (1 - BRIGHTNESS_MARGIN) * mean[isosbesticIndex]) {
                SessionEvent e = event(SessionEvent.CHANNEL_CHECK, ctx);
                e.fromCounter = frame.frameCounter;
                e.toCounter = frame.frameCounter;
                e.channel = label(dimmest);
                StringBuilder b = new StringBuilder();
                for (int c = 0; c < order.length; c++) {
                    b.append(String.format(Locale.ROOT, " %s %.0f counts", label(c), mean[c]));
                }
                e.detail =
                        "the tags look wrong: frames tagged "
                                + label(dimmest)
                                + " are the dimmest, not those tagged "
                                + label(isosbesticIndex)
                                + " (the isosbestic channel):"
                                + b
                                + "; tags are kept, check the source's channel order";
                ctx.output(JobOutputs.EVENTS, e);
                LOG.warn("channel tags suspect session={} detail=\"{}\"", e.sessionId, e.detail);
            }
        }
        state.update(st);
    }

    private String describeBrightness(ChannelAssignState st, double[] mean) {
        StringBuilder s = new StringBuilder();
        for (int p = 0; p < mean.length; p++) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            " position %d (configured %s) %.0f counts%s",
                            p,
                            label(Math.floorMod(p + st.shift, order.length)),
                            mean[p],
                            p < mean.length - 1 ? "," : ""));
        }
        return s.toString();
    }

    /** The continuity check of a frame after the start. */
    private void assign(ChannelAssignState st, Frame frame, Context ctx, Collector<Frame> out) {
        int assigned = channelIndex(st, frame.frameCounter, st.shift);
        ChannelSignature sig = ChannelSignature.of(frame);
        int cells = sig.cells.length;
        boolean ready =
                st.references.length == order.length * cells
                        && Arrays.stream(st.referenceCounts).allMatch(c -> c > 0);
        int best = assigned;
        double assignedDistance = 0;
        double bestDistance = 0;
        if (ready) {
            double[] d = new double[order.length];
            for (int c = 0; c < order.length; c++) {
                d[c] = sig.distance(st.references, c * cells, st.referenceMeans[c]);
            }
            for (int c = 0; c < order.length; c++) {
                if (d[c] < d[best]) {
                    best = c;
                }
            }
            assignedDistance = d[assigned];
            bestDistance = d[best];
        }
        if (best == assigned || assignedDistance - bestDistance < CONTENT_MARGIN) {
            releaseSuspects(st, ctx, out);
            accept(st, frame, assigned, sig, out);
            return;
        }
        int implied = Math.floorMod(best - phase(st, frame.frameCounter), order.length);
        if (st.suspects.length > 0 && st.suspectShift != implied) {
            releaseSuspects(st, ctx, out);
        }
        st.suspectShift = implied;
        st.suspects = append(st.suspects, frame);
        if (st.suspects.length >= confirmFrames) {
            Frame first = st.suspects[0];
            String was = label(assigned);
            swap(
                    st,
                    implied,
                    first.frameCounter,
                    "slip",
                    "the alternation slipped: "
                            + st.suspects.length
                            + " frame(s) in a row fit "
                            + label(best)
                            + " better than "
                            + was
                            + String.format(
                                    Locale.ROOT,
                                    " (distance %.2f vs %.2f)",
                                    bestDistance,
                                    assignedDistance),
                    ctx);
            Frame[] held = st.suspects;
            st.suspects = new Frame[0];
            for (Frame f : held) {
                accept(
                        st,
                        f,
                        channelIndex(st, f.frameCounter, st.shift),
                        ChannelSignature.of(f),
                        out);
            }
        }
    }

    private void releaseSuspects(ChannelAssignState st, Context ctx, Collector<Frame> out) {
        if (st.suspects.length == 0) {
            return;
        }
        Counter.builder(MetricNames.CHANNEL_MISMATCHES)
                .tag(MetricNames.TAG_SESSION, ctx.getCurrentKey())
                .register(registry)
                .increment(st.suspects.length);
        LOG.debug(
                "frames fit another channel, no swap confirmed session={} frames={} first={}",
                ctx.getCurrentKey(),
                st.suspects.length,
                st.suspects[0].frameCounter);
        Frame[] held = st.suspects;
        st.suspects = new Frame[0];
        for (Frame f : held) {
            accept(st, f, channelIndex(st, f.frameCounter, st.shift), ChannelSignature.of(f), out);
        }
    }

    /** Labels a frame with channel {@code index}, learns its content, and passes it on. */
    private void accept(
            ChannelAssignState st,
            Frame frame,
            int index,
            ChannelSignature sig,
            Collector<Frame> out) {
        int cells = sig.cells.length;
        if (st.references.length == order.length * cells) {
            int count = st.referenceCounts[index];
            double w = Math.max(REFERENCE_WEIGHT, 1.0 / (count + 1));
            int off = index * cells;
            for (int i = 0; i < cells; i++) {
                st.references[off + i] += (float) (w * (sig.cells[i] - st.references[off + i]));
            }
            st.referenceMeans[index] += w * (sig.mean - st.referenceMeans[index]);
            st.referenceCounts[index] = count + 1;
        }
        frame.channelNm = order[index];
        out.collect(frame);
    }

    private void swap(
            ChannelAssignState st,
            int shift,
            long fromCounter,
            String kind,
            String detail,
            Context ctx) {
        int previous = st.shift;
        st.shift = shift;
        st.swaps++;
        // the references need no change: they were learned from frames labelled right, and
        // the suspects that fit another channel were held out of them
        int n = order.length;
        SessionEvent e = event(SessionEvent.CHANNEL_SWAP, ctx);
        e.fromCounter = fromCounter;
        e.toCounter = fromCounter;
        e.count = Math.floorMod(shift - previous, n);
        e.channel = label(channelIndex(st, fromCounter, shift));
        e.detail = detail + "; frames from counter " + fromCounter + " relabelled";
        ctx.output(JobOutputs.EVENTS, e);
        Counter.builder(MetricNames.CHANNEL_SWAPS)
                .tag(MetricNames.TAG_SESSION, e.sessionId)
                .tag(MetricNames.TAG_KIND, kind)
                .register(registry)
                .increment();
        if (st.swaps <= WARNINGS_PER_SESSION) {
            LOG.warn(
                    "channel swap corrected session={} kind={} fromCounter={} detail=\"{}\"{}",
                    e.sessionId,
                    kind,
                    fromCounter,
                    e.detail,
                    st.swaps == WARNINGS_PER_SESSION
                            ? " (further swaps of this session are logged at debug level)"
                            : "");
        } else {
            LOG.debug(
                    "channel swap corrected session={} kind={} fromCounter={}",
                    e.sessionId,
                    kind,
                    fromCounter);
        }
    }

    private static SessionEvent event(String type, Context ctx) {
        SessionEvent e = new SessionEvent();
        e.type = type;
        e.sessionId = ctx.getCurrentKey();
        return e;
    }

    private String label(int index) {
        return order[index] + "nm";
    }

    private static Frame[] append(Frame[] frames, Frame f) {
        Frame[] out = Arrays.copyOf(frames, frames.length + 1);
        out[frames.length] = f;
        return out;
    }
}
