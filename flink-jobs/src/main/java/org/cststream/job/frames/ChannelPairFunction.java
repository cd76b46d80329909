package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs each calcium frame of a session with the isosbestic signal at its own time (see {@link
 * ChannelPairer} for the rules, the bound on waiting, and what happens at drops and at the end of a
 * session). Keyed by session. Frames of other channels leave unchanged on {@link #UNPAIRED}.
 *
 * <p>A session that has sent nothing for the idle timeout has its waiting frames paired with what
 * is there (a processing-time timer), as is every session at the end of a bounded input. Each pair
 * is counted in {@link MetricNames#HEMO_PAIRS} by kind; the first pair of a session without any
 * isosbestic frame in reach is logged as a warning.
 */
public class ChannelPairFunction extends KeyedProcessFunction<String, DffFrame, FramePair> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChannelPairFunction.class);

    /** Frames of channels that are not paired, on their way to the patches uncorrected. */
    public static final OutputTag<DffFrame> UNPAIRED = new OutputTag<>("unpaired") {};

    private final ChannelPairer pairer;
    private final long idleTimeoutMillis;
    private transient ValueState<ChannelPairState> state;
    private transient ValueState<Long> idleTimer;
    private transient ValueState<Boolean> warned;
    private transient MeterRegistry registry;

    /**
     * @param isosbesticLabel label of the isosbestic channel, e.g. {@code 405nm}
     * @param calciumLabels labels of the channels to pair
     * @param maxWait counters a calcium frame may be from an isosbestic frame it uses (>= 1)
     * @param idleTimeout silence after which a session's waiting frames are paired as they are
     */
    public ChannelPairFunction(
            String isosbesticLabel, Set<String> calciumLabels, int maxWait, Duration idleTimeout) {
        this.pairer = new ChannelPairer(isosbesticLabel, calciumLabels, maxWait);
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "pairing", TypeInformation.of(ChannelPairState.class)));
        idleTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("idle", Types.LONG));
        warned = getRuntimeContext().getState(new ValueStateDescriptor<>("warned", Types.BOOLEAN));
        registry = CstMetrics.registry();
    }

    @Override
    public void processElement(DffFrame frame, Context ctx, Collector<FramePair> out)
            throws Exception {
        ChannelPairState st = state.value();
        if (st == null) {
            st = new ChannelPairState();
        }
        pairer.accept(st, frame, p -> emit(p, out), f -> ctx.output(UNPAIRED, f));
        state.update(st);
        Long pending = idleTimer.value();
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
            idleTimer.clear();
        }
        if (st.waiting.length > 0) {
            long at = ctx.timerService().currentProcessingTime() + idleTimeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            idleTimer.update(at);
            // at the end of a bounded input the final watermark flushes the session
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FramePair> out)
            throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            Long pending = idleTimer.value();
            if (pending == null || pending != timestamp) {
                return;
            }
            idleTimer.clear();
        }
        ChannelPairState st = state.value();
        if (st == null || st.waiting.length == 0) {
            return;
        }
        LOG.debug(
                "session idle, pairing waiting frames session={} waiting={}",
                ctx.getCurrentKey(),
                st.waiting.length);
        pairer.flush(st, p -> emit(p, out));
        state.update(st);
    }

    private void emit(FramePair p, Collector<FramePair> out) {
        Counter.builder(MetricNames.HEMO_PAIRS)
                .tag(MetricNames.TAG_SESSION, p.calcium.sessionId)
                .tag(MetricNames.TAG_CHANNEL, p.calcium.channelLabel())
                .tag(MetricNames.TAG_KIND, p.kind)
                .register(registry)
                .increment();
        if (!p.hasIsosbestic()) {
            try {
                if (warned.value() == null) {
                    warned.update(true);
                    LOG.warn(
                            "no isosbestic frame within reach, calcium frame corrected without one"
                                    + " session={} frame={} channel={} isosbestic={}; check"
                                    + " channels.order and that the {} frames arrive (further"
                                    + " cases are counted in {})",
                            p.calcium.sessionId,
                            p.calcium.frameCounter,
                            p.calcium.channelLabel(),
                            pairer.isosbesticLabel(),
                            pairer.isosbesticLabel(),
                            MetricNames.HEMO_PAIRS);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        out.collect(p);
    }
}
