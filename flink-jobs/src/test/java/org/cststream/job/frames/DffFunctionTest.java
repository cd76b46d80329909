package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.frame.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DffFunctionTest {
    private KeyedOneInputStreamOperatorTestHarness<String, Frame, DffFrame> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DffFunction(Duration.ofSeconds(1), 2, 1.0),
                        f -> f.sessionId,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void followsTheDocumentedBaselineRule() throws Exception {
        int[] values = {100, 200, 400};
        for (int c = 0; c < values.length; c++) {
            harness.processElement(
                    new StreamRecord<>(TestFrames.uint16("s", c, 1, 1, values[c]), 0L));
        }
        List<DffFrame> out = harness.extractOutputValues();

        // warm-up: F0 = running mean (100, then 150); then weight 1 - exp(-dt / tau)
        double w = -Math.expm1(-33_333_333.0 / 1e9);
        double f0 = 150 + (400 - 150) * w;
        assertThat(out.get(0).values[0]).isZero();
        assertThat(out.get(1).values[0]).isCloseTo((200f - 150f) / 150f, within(1e-6f));
        assertThat(out.get(2).values[0]).isCloseTo((float) ((400 - f0) / f0), within(1e-5f));
    }

    @Test
    void neverYieldsNanOrInfinityForSaturatedOrZeroPixels() throws Exception {
        for (int c = 0; c < 5; c++) {
            harness.processElement(
                    new StreamRecord<>(
                            TestFrames.uint16("s", c, 3, 1, new int[] {0, 65535, 50 + c}), 0L));
        }

        for (DffFrame d : harness.extractOutputValues()) {
            assertThat(d.values)
                    .doesNotContain(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
            assertThat(d.values[0]).isZero();
            assertThat(d.values[1]).isZero();
            assertThat(d.invalidPixels).isEqualTo(2);
        }
        assertThat(harness.extractOutputValues().get(4).values[2]).isPositive();
    }

    @Test
    void keepsOneBaselinePerChannel() throws Exception {
        Frame a = TestFrames.uint16("s", 0, 1, 1, 100);
        Frame b = TestFrames.uint16("s", 1, 1, 1, 1000);
        b.channelNm = 405;
        Frame a2 = TestFrames.uint16("s", 2, 1, 1, 100);

        harness.processElement(new StreamRecord<>(a, 0L));
        harness.processElement(new StreamRecord<>(b, 0L));
        harness.processElement(new StreamRecord<>(a2, 0L));

        assertThat(harness.extractOutputValues())
                .extracting(d -> d.values[0])
                .containsExactly(0f, 0f, 0f);
    }

    @Test
    void anAllSaturatedFrameComesOutAsZerosAndLeavesTheBaselineAlone() throws Exception {
        double before =
                org.cststream.metrics.CstMetrics.registry()
                        .counter(
                                org.cststream.metrics.MetricNames.DFF_INVALID_FRAMES,
                                "session",
                                "sat",
                                "kind",
                                "saturated")
                        .count();
        harness.processElement(new StreamRecord<>(TestFrames.uint16("sat", 0, 2, 2, 100), 0L));
        harness.processElement(new StreamRecord<>(TestFrames.uint16("sat", 1, 2, 2, 65535), 0L));
        harness.processElement(new StreamRecord<>(TestFrames.uint16("sat", 2, 2, 2, 200), 0L));

        List<DffFrame> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(1).values).containsOnly(0f);
        assertThat(out.get(1).invalidPixels).isEqualTo(4);
        // F0 = mean of 100 and 200: the saturated frame took no part (warm-up of 2 frames)
        assertThat(out.get(2).values[0]).isCloseTo((200f - 150f) / 150f, within(1e-6f));
        assertThat(
                        org.cststream.metrics.CstMetrics.registry()
                                .counter(
                                        org.cststream.metrics.MetricNames.DFF_INVALID_FRAMES,
                                        "session",
                                        "sat",
                                        "kind",
                                        "saturated")
                                .count())
                .isEqualTo(before + 1);
    }

    @Test
    void zeroAndNegativeBaselinesGiveZeroNotASignFlipOrInfinity() throws Exception {
        Frame dark = TestFrames.uint16("dark", 0, 2, 1, 0);
        dark.pixelType = org.cststream.frame.PixelType.INT16;
        java.nio.ByteBuffer.wrap(dark.pixels)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putShort(0, (short) -20)
                .putShort(2, (short) 0);
        for (int c = 0; c < 4; c++) {
            Frame f = TestFrames.uint16("dark", c, 2, 1, 0);
            f.pixelType = dark.pixelType;
            f.pixels = dark.pixels.clone();
            harness.processElement(new StreamRecord<>(f, 0L));
        }

        for (DffFrame d : harness.extractOutputValues()) {
            assertThat(d.values).containsOnly(0f);
            assertThat(d.invalidPixels).isEqualTo(2);
        }
    }
}
