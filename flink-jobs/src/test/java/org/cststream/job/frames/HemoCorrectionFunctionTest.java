package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.job.frames.hemo.HemoMethod;
import org.cststream.job.frames.hemo.HemoSettings;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.junit.jupiter.api.Test;

class HemoCorrectionFunctionTest {
    private static final HemoSettings MMSE =
            HemoSettings.defaults(HemoMethod.MMSE).withTileSize(8).withCalibrationFrames(20);

    private static KeyedOneInputStreamOperatorTestHarness<String, HemoTile, CorrectedTile> harness(
            HemoSettings s) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new HemoCorrectionFunction(s), HemoTile::stateKey, Types.STRING);
    }

    /** A harness not yet initialised, so that it can start from a snapshot. */
    private static KeyedOneInputStreamOperatorTestHarness<String, HemoTile, CorrectedTile> fresh(
            HemoSettings s) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new HemoCorrectionFunction(s)),
                HemoTile::stateKey,
                Types.STRING);
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, HemoTile, CorrectedTile> h,
            String session,
            long from,
            long to,
            double beta,
            Random r)
            throws Exception {
        for (long c = from; c < to; c++) {
            for (HemoTile t : tiles(session, c, beta, r)) {
                h.processElement(new StreamRecord<>(t, 0L));
            }
        }
    }

    /** The tiles of a 12x10 frame pair with a hemodynamic signal in both channels. */
    private static List<HemoTile> tiles(String session, long counter, double beta, Random r) {
        FramePair p = new FramePair();
        p.calcium.sessionId = session;
        p.calcium.frameCounter = counter;
        p.calcium.channelNm = 470;
        p.calcium.acquisitionNanos = counter * 100_000_000L;
        p.calcium.width = 12;
        p.calcium.height = 10;
        p.calcium.values = new float[120];
        p.isosbestic = new float[120];
        p.kind = FramePair.INTERPOLATED;
        double x = r.nextGaussian();
        double h = r.nextGaussian();
        for (int i = 0; i < 120; i++) {
            p.calcium.values[i] = (float) (0.01 * x + beta * 0.02 * h + 0.002 * r.nextGaussian());
            p.isosbestic[i] = (float) (0.02 * h + 0.002 * r.nextGaussian());
        }
        return HemoTileSplitFunction.split(p, 8, MMSE.tileMargin());
    }

    @Test
    void stateSurvivesACheckpointAndRestore() throws Exception {
        var straight = harness(MMSE);
        feed(straight, "s", 0, 60, 0.8, new Random(1));
        List<CorrectedTile> expected = new ArrayList<>(straight.extractOutputValues());
        straight.close();

        Random r = new Random(1);
        var first = harness(MMSE);
        feed(first, "s", 0, 30, 0.8, r);
        List<CorrectedTile> resumed = new ArrayList<>(first.extractOutputValues());
        OperatorSubtaskState snapshot = first.snapshot(1L, 0L);
        first.close();
        var second = fresh(MMSE);
        second.initializeState(snapshot);
        second.open();
        feed(second, "s", 30, 60, 0.8, r);
        resumed.addAll(second.extractOutputValues());
        second.close();

        assertThat(resumed).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(resumed.get(i).values).containsExactly(expected.get(i).values);
            assertThat(resumed.get(i).calibrated).isEqualTo(expected.get(i).calibrated);
        }
        assertThat(expected.get(expected.size() - 1).calibrated).isTrue();
        assertThat(expected.get(0).calibrated).isFalse();
    }

    @Test
    void keepsOneStatePerTileAndReportsItsSize() throws Exception {
        var h = harness(MMSE);
        feed(h, "s-size", 0, 1, 0.8, new Random(2));

        assertThat(h.numKeyedStateEntries()).isEqualTo(4);
        assertThat(HemoMetrics.stateBytes("mmse")).isPositive();
        assertThat(h.extractOutputValues())
                .extracting(t -> t.tileIndex)
                .containsExactly(0, 1, 2, 3);
        h.close();
    }

    @Test
    void flagsImplausibleCoefficientsInTheGauge() throws Exception {
        var h = harness(MMSE.withMethod(HemoMethod.REGRESSION));
        feed(h, "s-bad", 0, 40, -0.8, new Random(3));

        double flagged =
                CstMetrics.registry()
                        .find(MetricNames.HEMO_IMPLAUSIBLE)
                        .tag("session", "s-bad")
                        .gauge()
                        .value();
        List<CorrectedTile> out = h.extractOutputValues();
        assertThat(flagged).isEqualTo(120.0);
        assertThat(out.get(out.size() - 1).implausible).isPositive();
        h.close();
    }
}
