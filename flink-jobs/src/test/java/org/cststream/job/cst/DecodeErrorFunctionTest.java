package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.decoding.Decoder;
import org.junit.jupiter.api.Test;

class DecodeErrorFunctionTest {
    private static final long S = 1_000_000_000L;

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, DecodedValue, LabelPoint, DecodedValue>
            harness(Decoder.LabelSource source, int maxPending) throws Exception {
        var h =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new DecodeErrorFunction(source, maxPending, 100),
                        v -> v.sessionId,
                        p -> p.sessionId,
                        Types.STRING);
        h.open();
        return h;
    }

    private static DecodedValue decoded(String session, double seconds, double value) {
        DecodedValue v = new DecodedValue();
        v.sessionId = session;
        v.channel = "470nm";
        v.target = "t-" + session;
        v.timeNanos = Math.round(seconds * S);
        v.value = value;
        return v;
    }

    private static LabelPoint label(String session, double seconds, double duration, double v) {
        LabelPoint p = new LabelPoint();
        p.sessionId = session;
        p.timeNanos = Math.round(seconds * S);
        p.durationNanos = Math.round(duration * S);
        p.value = v;
        return p;
    }

    @Test
    void matchesDecodedValuesWithTheInterpolatedLabelWhicheverArrivesFirst() throws Exception {
        try (var h = harness(Decoder.LabelSource.BEHAVIOUR, 10)) {
            h.processElement2(new StreamRecord<>(label("a", 1, 0, 10), 0L));
            h.processElement2(new StreamRecord<>(label("a", 2, 0, 20), 0L));
            // covered already: matched at once
            h.processElement1(new StreamRecord<>(decoded("a", 1.5, 16), 0L));
            // not covered yet: waits for the next label
            h.processElement1(new StreamRecord<>(decoded("a", 2.5, 24), 0L));
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processElement2(new StreamRecord<>(label("a", 3, 0, 30), 0L));

            List<DecodedValue> out = h.extractOutputValues();

            assertThat(out).extracting(v -> v.label).containsExactly(15.0, 25.0);
            var summary =
                    CstMetrics.registry()
                            .get(MetricNames.DECODED_SQUARED_ERROR)
                            .tag(MetricNames.TAG_SESSION, "a")
                            .summary();
            assertThat(summary.count()).isEqualTo(2);
            assertThat(summary.totalAmount()).isCloseTo(1 + 1, within(1e-9));
        }
    }

    @Test
    void countsValuesThatNoLabelCanMatchAndKeepsBoundedState() throws Exception {
        try (var h = harness(Decoder.LabelSource.BEHAVIOUR, 2)) {
            h.processElement2(new StreamRecord<>(label("b", 5, 0, 1), 0L));
            // older than every label kept
            h.processElement1(new StreamRecord<>(decoded("b", 1, 0), 0L));
            // three wait; only two may
            h.processElement1(new StreamRecord<>(decoded("b", 6, 0), 0L));
            h.processElement1(new StreamRecord<>(decoded("b", 7, 0), 0L));
            h.processElement1(new StreamRecord<>(decoded("b", 8, 0), 0L));
            h.processElement2(new StreamRecord<>(label("b", 9, 0, 2), 0L));

            assertThat(h.extractOutputValues())
                    .extracting(v -> v.timeNanos)
                    .containsExactly(7 * S, 8 * S);
            assertThat(unmatched("b", "too-old")).isEqualTo(1);
            assertThat(unmatched("b", "no-label")).isEqualTo(1);
        }
    }

    @Test
    void givesAStimulusFieldWhileItShowsAndZeroBetween() throws Exception {
        try (var h = harness(Decoder.LabelSource.STIMULUS, 10)) {
            h.processElement2(new StreamRecord<>(label("c", 3, 2, 0.5), 0L));
            h.processElement1(new StreamRecord<>(decoded("c", 4, 0.4), 0L));
            h.processElement1(new StreamRecord<>(decoded("c", 6, 0.1), 0L));
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processElement2(new StreamRecord<>(label("c", 10, 2, 1.0), 0L));

            assertThat(h.extractOutputValues()).extracting(v -> v.label).containsExactly(0.5, 0.0);
        }
    }

    @Test
    void keepsSessionsApart() throws Exception {
        try (var h = harness(Decoder.LabelSource.BEHAVIOUR, 10)) {
            h.processElement2(new StreamRecord<>(label("d", 0, 0, 1), 0L));
            h.processElement2(new StreamRecord<>(label("d", 2, 0, 1), 0L));
            h.processElement1(new StreamRecord<>(decoded("e", 1, 0), 0L));

            assertThat(h.extractOutputValues()).isEmpty();
        }
    }

    private static double unmatched(String session, String reason) {
        return CstMetrics.registry()
                .get(MetricNames.DECODED_UNMATCHED)
                .tag(MetricNames.TAG_SESSION, session)
                .tag(MetricNames.TAG_REASON, reason)
                .counter()
                .count();
    }
}
