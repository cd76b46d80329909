package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.decoding.DecoderFeatures;
import org.cststream.model.window.WindowLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CstDecodeFunctionTest {
    private static final long PERIOD = 100_000_000L;

    /** 1 x 2 patches of 1 pixel, windows of 4 grid times. */
    private static final WindowLayout LAYOUT = new WindowLayout(1, 2, 1, 0.1, 4);

    @TempDir Path dir;

    /**
     * A window over grid times 4-7 emitting 6-7: frames observed at 4, 5 (0.03 s late) and 7; grid
     * time 6 filled.
     */
    private static WindowRequest request() {
        WindowRequest r = new WindowRequest();
        r.sessionId = "s1";
        r.channelNm = 470;
        r.originNanos = 1_000_000_000L;
        r.periodNanos = PERIOD;
        r.firstSlot = 4;
        r.emitFrom = 6;
        r.emitTo = 8;
        r.gridRows = 1;
        r.gridCols = 2;
        r.patchSize = 1;
        r.observedNanos = new long[] {r.slotNanos(4), r.slotNanos(5) + 30_000_000L, r.slotNanos(7)};
        r.observedCounters = new long[] {4, 5, 7};
        r.observedSlots = new long[] {-1, -1, 7};
        r.observedValues = new float[][] {{1, 2}, {3, 4}, {5, 6}};
        r.querySlots = new long[] {6};
        return r;
    }

    @Test
    void laysTheStreamedAttentionOnTheWindowGrid() {
        // tokens: newest (grid 7), then grid 4, grid 5, then the query at grid 6
        float[][] attention = {{1, 2, 3, 4, 5, 6, 7, 8}, {0, 0, 0, 0, 0, 0, 0, 0}};

        float[] f = CstDecodeFunction.features(request(), attention, LAYOUT);

        // row 0 on grid times 0..3 of the window (4..7): tokens 2-3, 4-5, 6-7, 0-1
        assertThat(f).startsWith(3, 4, 5, 6, 7, 8, 1, 2).hasSize(16);
    }

    @Test
    void emitsTheDecodersValueStampedWithTheNewestObservedFrame() throws Exception {
        Random random = new Random(1);
        float[][] x = new float[12][DecoderFeatures.attentionCount(LAYOUT)];
        double[] y = new double[12];
        for (int i = 0; i < 12; i++) {
            y[i] = i;
            for (int f = 0; f < x[i].length; f++) {
                x[i][f] = (float) (random.nextDouble() + (f == 3 ? i : 0));
            }
        }
        Decoder decoder =
                Decoder.fit(
                        x,
                        null,
                        y,
                        new Decoder.Target("pupil", Decoder.LabelSource.BEHAVIOUR, "pupil"),
                        new Decoder.Features(Decoder.FeatureKind.CST_ATTENTION, LAYOUT, "f"),
                        3,
                        3,
                        null);
        Path file = dir.resolve("pupil.decoder");
        decoder.save(file);
        WindowResult result = new WindowResult();
        result.request = request();
        result.attention = new float[][] {{1, 2, 3, 4, 5, 6, 7, 8}, {8, 7, 6, 5, 4, 3, 2, 1}};
        float[] expected = CstDecodeFunction.features(result.request, result.attention, LAYOUT);

        List<DecodedValue> out;
        try (OneInputStreamOperatorTestHarness<WindowResult, DecodedValue> h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new CstDecodeFunction(file.toString())))) {
            h.open();
            h.processElement(new StreamRecord<>(result, 0L));
            out = h.extractOutputValues();
        }

        assertThat(out).hasSize(1);
        DecodedValue v = out.get(0);
        assertThat(v.value).isEqualTo(decoder.predict(expected));
        assertThat(v.timeNanos).isEqualTo(1_700_000_000L);
        assertThat(v.gridFrom).isEqualTo(6);
        assertThat(v.gridTo).isEqualTo(7);
        assertThat(v.target).isEqualTo("pupil");
        assertThat(v.channel).isEqualTo("470nm");
        assertThat(
                        CstMetrics.registry()
                                .get(MetricNames.DECODED_VALUE)
                                .tag(MetricNames.TAG_SESSION, "s1")
                                .gauge()
                                .value())
                .isEqualTo(v.value);
    }
}
