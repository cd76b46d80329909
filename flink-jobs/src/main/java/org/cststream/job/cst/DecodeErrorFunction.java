package org.cststream.job.cst;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.metrics.CstMetrics;
import org.cststream.model.decoding.Decoder;

/**
 * The live decoding error: per session, each decoded value is matched with the streamed label at
 * its time (the newest observed frame's), and the squared error recorded ({@link DecodeMetrics}).
 *
 * <p>Labels and decoded values arrive in any interleaving. A value whose time the labels do not
 * cover yet waits, at most {@link #maxPending} per session (the oldest gives way, counted as {@code
 * no-label}); a value older than every label kept is counted as {@code too-old}. The session's
 * labels are kept from a little before the oldest value that may still need them, at most {@link
 * #maxLabels} of them. Matched values are emitted with their label (the job discards them; the
 * metrics are the output).
 */
public class DecodeErrorFunction
        extends KeyedCoProcessFunction<String, DecodedValue, LabelPoint, DecodedValue> {
    private static final long serialVersionUID = 1L;

    /**
     * Labels kept before the newest decoded time, ns: channels' windows interleave by this much.
     */
    static final long KEEP_BEFORE_NANOS = 10_000_000_000L;

    private final Decoder.LabelSource source;
    private final int maxPending;
    private final int maxLabels;

    private transient ValueState<LabelTrack> track;
    private transient ListState<DecodedValue> pending;
    private transient ValueState<Long> newest;
    private transient MeterRegistry registry;

    /**
     * @param source the decoder's label source (how labels are read at a time)
     * @param maxPending decoded values per session that may wait for labels, 1 or more
     * @param maxLabels labels kept per session, 2 or more
     */
    public DecodeErrorFunction(Decoder.LabelSource source, int maxPending, int maxLabels) {
        this.source = source;
        this.maxPending = maxPending;
        this.maxLabels = maxLabels;
    }

    @Override
    public void open(OpenContext openContext) {
        track =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "decode-labels", TypeInformation.of(LabelTrack.class)));
        pending =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "decode-pending", TypeInformation.of(DecodedValue.class)));
        newest =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("decode-newest", Types.LONG));
        registry = CstMetrics.registry();
    }

    @Override
    public void processElement1(DecodedValue v, Context ctx, Collector<DecodedValue> out)
            throws Exception {
        LabelTrack t = trackOrNew();
        Long n = newest.value();
        newest.update(n == null ? v.timeNanos : Math.max(n, v.timeNanos));
        OptionalDouble label = t.valueAt(v.timeNanos);
        if (label.isPresent()) {
            match(v, label.getAsDouble(), out);
        } else if (t.isTooOld(v.timeNanos)) {
            DecodeMetrics.unmatched(registry, v, "too-old");
        } else {
            List<DecodedValue> waiting = new ArrayList<>();
            pending.get().forEach(waiting::add);
            waiting.add(v);
            while (waiting.size() > maxPending) {
                DecodeMetrics.unmatched(registry, waiting.remove(0), "no-label");
            }
            pending.update(waiting);
        }
        trim(t);
    }

    @Override
    public void processElement2(LabelPoint p, Context ctx, Collector<DecodedValue> out)
            throws Exception {
        LabelTrack t = trackOrNew();
        t.add(p.timeNanos, p.durationNanos, p.value);
        List<DecodedValue> waiting = new ArrayList<>();
        for (DecodedValue v : pending.get()) {
            OptionalDouble label = t.valueAt(v.timeNanos);
            if (label.isPresent()) {
                match(v, label.getAsDouble(), out);
            } else {
                waiting.add(v);
            }
        }
        pending.update(waiting);
        trim(t);
    }

    private LabelTrack trackOrNew() throws Exception {
        LabelTrack t = track.value();
        return t != null ? t : LabelTrack.streaming(source, maxLabels);
    }

    private void match(DecodedValue v, double label, Collector<DecodedValue> out) {
        v.label = label;
        DecodeMetrics.matched(registry, v);
        out.collect(v);
    }

    /** Drops labels no decoded value can need any more, and stores the track. */
    private void trim(LabelTrack t) throws Exception {
        long keepFrom = Long.MAX_VALUE;
        for (DecodedValue v : pending.get()) {
            keepFrom = Math.min(keepFrom, v.timeNanos);
        }
        Long n = newest.value();
        if (n != null) {
            keepFrom = Math.min(keepFrom, n - KEEP_BEFORE_NANOS);
        }
        if (keepFrom != Long.MAX_VALUE) {
            t.dropBefore(keepFrom);
        }
        track.update(t);
    }
}
