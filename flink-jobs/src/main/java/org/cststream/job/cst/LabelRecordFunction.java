package org.cststream.job.cst;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.job.frames.DeadLetter;
import org.cststream.job.frames.JobOutputs;
import org.cststream.job.frames.KafkaRecord;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.decoding.Decoder;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.LabelCodec;
import org.cststream.source.labels.StimulusEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the stimulus or behaviour records ({@link LabelCodec}) of the decoder's label source and
 * keeps the decoder's field: a record that is not a label record, or lacks the field, goes to the
 * dead-letter topic with the reason; TTL events on the stimulus topic carry no stimulus field and
 * are passed over.
 */
public class LabelRecordFunction extends ProcessFunction<KafkaRecord, LabelPoint> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LabelRecordFunction.class);
    private static final String STAGE = "labels";

    private final Decoder.LabelSource source;
    private final String field;

    private transient MeterRegistry registry;
    private transient Set<String> warned;

    /**
     * @param source which records to read
     * @param field the behaviour trace or stimulus field the decoder predicts
     */
    public LabelRecordFunction(Decoder.LabelSource source, String field) {
        this.source = source;
        this.field = field;
    }

    @Override
    public void open(OpenContext openContext) {
        registry = CstMetrics.registry();
        warned = new HashSet<>();
    }

    @Override
    public void processElement(KafkaRecord r, Context ctx, Collector<LabelPoint> out) {
        LabelPoint p = new LabelPoint();
        try {
            if (source == Decoder.LabelSource.BEHAVIOUR) {
                BehaviourSample s = LabelCodec.decodeBehaviour(r.value);
                Double v = s.values().get(field);
                if (v == null || !Double.isFinite(v)) {
                    reject(
                            r,
                            "label-without-target",
                            "behaviour sample "
                                    + s.index()
                                    + " of session "
                                    + s.session()
                                    + " has "
                                    + (v == null ? "no trace '" + field + "'" : field + " = " + v)
                                    + " (traces: "
                                    + s.values().keySet()
                                    + "); publish it with --names naming the decoder's trace",
                            ctx);
                    return;
                }
                p.sessionId = s.session();
                p.timeNanos = s.timeNanos();
                p.value = v;
            } else {
                StimulusEvent e = LabelCodec.decodeStimulus(r.value);
                if (!"stimulus".equals(e.kind())) {
                    return;
                }
                p.sessionId = e.session();
                p.timeNanos = e.onsetNanos();
                p.durationNanos = e.durationNanos();
                p.value = LabelTrack.stimulusValue(e, field);
            }
        } catch (IOException e) {
            reject(
                    r,
                    "bad-label",
                    "not a " + source.wireName() + " record: " + e.getMessage(),
                    ctx);
            return;
        } catch (IllegalArgumentException e) {
            reject(r, "label-without-target", e.getMessage(), ctx);
            return;
        }
        out.collect(p);
    }

    private void reject(KafkaRecord r, String reason, String message, Context ctx) {
        Counter.builder(MetricNames.FRAMES_REJECTED)
                .tag(MetricNames.TAG_REASON, reason)
                .tag(MetricNames.TAG_STAGE, STAGE)
                .register(registry)
                .increment();
        if (warned.add(reason)) {
            LOG.warn(
                    "label rejected reason={} {} message=\"{}\" (further ones are counted in {})",
                    reason,
                    r.coordinates(),
                    message,
                    MetricNames.FRAMES_REJECTED);
        }
        ctx.output(
                JobOutputs.DEAD_LETTERS,
                DeadLetter.of(r, STAGE, reason, message + " [" + r.coordinates() + "]"));
    }
}
