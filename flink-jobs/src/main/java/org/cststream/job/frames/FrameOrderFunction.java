package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts each session's frames back in camera-counter order and detects dropped frames.
 *
 * <p>Keyed by session. Frames wait in keyed state until every lower counter has arrived. A missing
 * counter is declared dropped, and a gap event emitted, as soon as more than {@code maxOutOfOrder}
 * later frames are waiting, when the session has been silent for the idle timeout (a
 * processing-time timer, so a stalled camera holds nothing back and other sessions are unaffected),
 * or when the session's end-of-session marker arrives (which also reveals frames lost at the end).
 * A frame whose counter was already passed is a duplicate or too late; it goes to the dead-letter
 * output, so no frame comes out twice.
 *
 * <p>This is the session's own watermark: it advances with the session's counters and camera clock,
 * independent of every other session on the same partition.
 */
public class FrameOrderFunction extends KeyedProcessFunction<String, SourcedFrame, Frame> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FrameOrderFunction.class);
    static final String STAGE = "order";

    private final int maxOutOfOrder;
    private final long idleTimeoutMillis;
    private final double timeGapFactor;

    private transient MapState<Long, SourcedFrame> buffer;
    private transient ValueState<Long> nextCounter;
    private transient ValueState<Integer> buffered;
    private transient ValueState<Long> idleTimer;
    private transient ValueState<Long> lastAcquisition;
    private transient ValueState<Double> periodNanos;
    private transient ValueState<Long> ordered;
    private transient ValueState<Long> missing;
    private transient MeterRegistry registry;

    /** What was already logged at WARN by this task: rejection reasons, sessions. */
    private transient Set<String> warned;

    /**
     * @param maxOutOfOrder frames that may wait for a missing one (0..1024)
     * @param idleTimeout silence after which a session's waiting frames are released
     * @param timeGapFactor a step between consecutive counters above this many frame periods is a
     *     time gap (> 1)
     */
    public FrameOrderFunction(int maxOutOfOrder, Duration idleTimeout, double timeGapFactor) {
        this.maxOutOfOrder = maxOutOfOrder;
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.timeGapFactor = timeGapFactor;
    }

    @Override
    public void open(OpenContext openContext) {
        buffer =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "buffer",
                                        Types.LONG,
                                        TypeInformation.of(SourcedFrame.class)));
        nextCounter = value("next-counter", Types.LONG);
        buffered = value("buffered", Types.INT);
        idleTimer = value("idle-timer", Types.LONG);
        lastAcquisition = value("last-acquisition", Types.LONG);
        periodNanos = value("period-nanos", Types.DOUBLE);
        ordered = value("ordered", Types.LONG);
        missing = value("missing", Types.LONG);
        registry = CstMetrics.registry();
        warned = ConcurrentHashMap.newKeySet();
    }

    private <T> ValueState<T> value(String name, TypeInformation<T> type) {
        return getRuntimeContext().getState(new ValueStateDescriptor<>(name, type));
    }

    @Override
    public void processElement(SourcedFrame in, Context ctx, Collector<Frame> out)
            throws Exception {
        Frame frame = in.frame;
        if (frame.isEndOfSession()) {
            endSession(frame.frameCounter, ctx, out);
            return;
        }
        long counter = frame.frameCounter;
        Long next = nextCounter.value();
        if (next != null && counter < next) {
            reject(
                    in,
                    "late-or-duplicate",
                    frame.describe()
                            + ": counter "
                            + counter
                            + " was already passed (next expected "
                            + next
                            + "); it is a duplicate, or"
                            + " arrived after "
                            + maxOutOfOrder
                            + " later frames or the idle timeout;"
                            + " raise "
                            + FrameJobOptions.MAX_OUT_OF_ORDER_FRAMES.key()
                            + " if the source reorders this much",
                    ctx);
            return;
        }
        if (buffer.contains(counter)) {
            reject(
                    in,
                    "duplicate",
                    frame.describe()
                            + ": counter "
                            + counter
                            + " arrived twice; the second copy is set aside",
                    ctx);
            return;
        }
        buffer.put(counter, in);
        buffered.update(count() + 1);
        release(false, ctx, out);
        // at the end of a bounded input the final watermark fires this and flushes the session
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        scheduleIdleTimer(ctx);
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
        if (count() > 0) {
            LOG.debug(
                    "session idle, releasing frames session={} buffered={}",
                    ctx.getCurrentKey(),
                    count());
            release(true, ctx, out);
        }
    }

    private void release(boolean flush, Context ctx, Collector<Frame> out) throws Exception {
        Long next = nextCounter.value();
        if (next == null) {
            // wait for a few frames before fixing the first counter: the first frame sent may
            // not be the first to arrive
            if (!flush && count() <= maxOutOfOrder) {
                return;
            }
            next = lowestBuffered();
        }
        while (count() > 0) {
            SourcedFrame f = buffer.get(next);
            if (f != null) {
                buffer.remove(next);
                buffered.update(count() - 1);
                emit(f.frame, ctx, out);
                next++;
                continue;
            }
            if (!flush && count() <= maxOutOfOrder) {
                break;
            }
            long lowest = lowestBuffered();
            gap(ctx, next, lowest - 1);
            next = lowest;
        }
        nextCounter.update(next);
    }

    private void endSession(long lastCounter, Context ctx, Collector<Frame> out) throws Exception {
        release(true, ctx, out);
        Long next = nextCounter.value();
        if (next != null && next <= lastCounter) {
            gap(ctx, next, lastCounter);
        }
        SessionEvent e = new SessionEvent();
        e.type = SessionEvent.SESSION_END;
        e.sessionId = ctx.getCurrentKey();
        e.fromCounter = lastCounter;
        e.toCounter = lastCounter;
        e.framesOrdered = orZero(ordered.value());
        e.framesMissing = orZero(missing.value());
        e.detail = "source ended the session";
        ctx.output(JobOutputs.EVENTS, e);
        Counter.builder(MetricNames.SESSIONS_ENDED).register(registry).increment();
        LOG.info(
                "session ended session={} framesOrdered={} framesMissing={}",
                e.sessionId,
                e.framesOrdered,
                e.framesMissing);
        Long pending = idleTimer.value();
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
        }
        buffer.clear();
        buffered.clear();
        idleTimer.clear();
        nextCounter.clear();
        lastAcquisition.clear();
        periodNanos.clear();
        ordered.clear();
        missing.clear();
    }

    private void emit(Frame frame, Context ctx, Collector<Frame> out) throws Exception {
        Long last = lastAcquisition.value();
        if (last != null) {
            long step = frame.acquisitionNanos - last;
            Double period = periodNanos.value();
            if (period != null && step > timeGapFactor * period) {
                SessionEvent e = new SessionEvent();
                e.type = SessionEvent.TIME_GAP;
                e.sessionId = frame.sessionId;
                e.fromCounter = frame.frameCounter;
                e.toCounter = frame.frameCounter;
                e.count = Math.round(step / period) - 1;
                e.beforeNanos = last;
                e.afterNanos = frame.acquisitionNanos;
                e.detail =
                        String.format(
                                "%.1f ms between frames, expected %.1f ms",
                                step / 1e6, period / 1e6);
                ctx.output(JobOutputs.EVENTS, e);
                Counter.builder(MetricNames.TIME_GAPS)
                        .tag(MetricNames.TAG_SESSION, frame.sessionId)
                        .register(registry)
                        .increment();
            } else if (step > 0) {
                // the period follows the typical step, not the gaps
                periodNanos.update(period == null ? step : 0.9 * period + 0.1 * step);
            } else if (step < 0) {
                timeBackwards(frame, last, ctx);
            }
        }
        lastAcquisition.update(frame.acquisitionNanos);
        ordered.update(orZero(ordered.value()) + 1);
        out.collect(frame);
    }

    /**
     * Reports a frame acquired before the one ordered just before it: counters decide the order, so
     * it is passed on; dF/F gives it no weight in the baseline (a negative time step).
     */
    private void timeBackwards(Frame frame, long previousNanos, Context ctx) {
        SessionEvent e = new SessionEvent();
        e.type = SessionEvent.TIME_BACKWARDS;
        e.sessionId = frame.sessionId;
        e.fromCounter = frame.frameCounter;
        e.toCounter = frame.frameCounter;
        e.beforeNanos = previousNanos;
        e.afterNanos = frame.acquisitionNanos;
        e.detail =
                String.format(
                        "acquired %.1f ms before the frame ordered before it",
                        (previousNanos - frame.acquisitionNanos) / 1e6);
        ctx.output(JobOutputs.EVENTS, e);
        Counter.builder(MetricNames.TIME_BACKWARDS)
                .tag(MetricNames.TAG_SESSION, frame.sessionId)
                .register(registry)
                .increment();
        if (warned.add("time-backwards|" + frame.sessionId)) {
            LOG.warn(
                    "camera clock went backwards session={} counter={} stepMs={}; the frame is"
                            + " kept in counter order (check the camera's timestamp source; further"
                            + " steps back are counted in {})",
                    frame.sessionId,
                    frame.frameCounter,
                    String.format("%.1f", (frame.acquisitionNanos - previousNanos) / 1e6),
                    MetricNames.TIME_BACKWARDS);
        }
    }

    private void gap(Context ctx, long from, long to) throws Exception {
        long n = to - from + 1;
        SessionEvent e = new SessionEvent();
        e.type = SessionEvent.GAP;
        e.sessionId = ctx.getCurrentKey();
        e.fromCounter = from;
        e.toCounter = to;
        e.count = n;
        Long last = lastAcquisition.value();
        e.beforeNanos = last == null ? -1 : last;
        e.detail = n + " frame(s) missing";
        ctx.output(JobOutputs.EVENTS, e);
        missing.update(orZero(missing.value()) + n);
        Counter.builder(MetricNames.FRAMES_DROPPED)
                .tag(MetricNames.TAG_SESSION, e.sessionId)
                .register(registry)
                .increment(n);
        LOG.debug("frames missing session={} from={} to={}", e.sessionId, from, to);
        // the counter step includes the missing frames, so it says nothing about the period
        lastAcquisition.clear();
    }

    private void reject(SourcedFrame in, String reason, String message, Context ctx) {
        Counter.builder(MetricNames.FRAMES_REJECTED)
                .tag(MetricNames.TAG_REASON, reason)
                .tag(MetricNames.TAG_STAGE, STAGE)
                .register(registry)
                .increment();
        if (warned.add(reason)) {
            LOG.warn(
                    "frame rejected reason={} {} message=\"{}\" (further rejections for this"
                            + " reason are logged at DEBUG and counted in {})",
                    reason,
                    in.coordinates(),
                    message,
                    MetricNames.FRAMES_REJECTED);
        } else {
            LOG.debug(
                    "frame rejected reason={} {} message=\"{}\"",
                    reason,
                    in.coordinates(),
                    message);
        }
        DeadLetter d = new DeadLetter();
        d.topic = in.topic;
        d.partition = in.partition;
        d.offset = in.offset;
        d.key = in.frame.sessionId;
        d.value = FrameCodec.encode(in.frame);
        d.timestampMillis = in.frame.hostReceiveNanos / 1_000_000;
        d.stage = STAGE;
        d.reason = reason;
        d.message = message + " [" + in.coordinates() + "]";
        ctx.output(JobOutputs.DEAD_LETTERS, d);
    }

    private void scheduleIdleTimer(Context ctx) throws Exception {
        Long pending = idleTimer.value();
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
        }
        if (count() > 0) {
            long at = ctx.timerService().currentProcessingTime() + idleTimeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            idleTimer.update(at);
        } else {
            idleTimer.clear();
        }
    }

    private long lowestBuffered() throws Exception {
        long lowest = Long.MAX_VALUE;
        for (Long k : buffer.keys()) {
            lowest = Math.min(lowest, k);
        }
        return lowest;
    }

    private int count() throws Exception {
        Integer n = buffered.value();
        return n == null ? 0 : n;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }
}
