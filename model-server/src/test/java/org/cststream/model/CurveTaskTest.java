package org.cststream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CurveTaskTest {

    /** Curves of 10 observed points on a line: value = curve index + time. */
    private static List<Curve> lines(int count) {
        List<Curve> out = new ArrayList<>();
        double[] t = new double[10];
        int[] observed = new int[10];
        for (int i = 0; i < 10; i++) {
            t[i] = i / 9.0;
            observed[i] = i;
        }
        for (int c = 0; c < count; c++) {
            float[][] v = new float[10][1];
            for (int i = 0; i < 10; i++) {
                v[i][0] = (float) (c + t[i]);
            }
            out.add(new Curve(t, v, observed));
        }
        return out;
    }

    private static CstConfig oneValue() {
        CstConfig c = new CstConfig();
        c.valueDim = 1;
        c.modelDim = 8;
        c.heads = 2;
        c.layers = 1;
        c.feedForwardDim = 8;
        c.observedKeysOnly = true;
        return c;
    }

    @Test
    void heldOutPointsBecomeQueriesAtTheirTimesStartingFromTheKeptOnes() {
        List<Curve> curves = lines(4);
        try (CstModel model = CstModel.create(oneValue(), Normalisation.identity(1));
                NDManager m = NDManager.newBaseManager()) {
            CurveTask task =
                    new CurveTask(
                            curves,
                            curves,
                            model,
                            new CurveTask.Settings(12, 0f, 3, new SobolevLoss(2, 1, 0.1f)));
            // draw batches until one holds points out (the count is drawn from 0..3 per batch)
            Random random = new Random(5);
            NDList in;
            float kept;
            do {
                in = task.batch(m, new int[] {0, 1, 2, 3}, random).inputs();
                kept = in.get(2).get("0, :").sum().getFloat();
            } while (kept == 10);

            float[] values = in.get(0).get("2, :, 0").toFloatArray();
            float[] times = in.get(1).get("2, :, 0").toFloatArray();
            float[] mask = in.get(2).get("2, :").toFloatArray();
            int k = (int) kept;
            assertThat(k).isBetween(7, 9);
            assertThat(in.get(0).getShape().get(1)).isEqualTo(22);
            for (int i = 0; i < 22; i++) {
                assertThat(mask[i]).isEqualTo(i < k ? 1f : 0f);
                // a line is its own linear interpolation: every token holds 2 + its time
                assertThat(values[i])
                        .isCloseTo(2 + times[i], org.assertj.core.api.Assertions.within(1e-5f));
            }
            // held-out tokens sit at observation times that are missing from the kept ones
            float[] keptTimes = Arrays.copyOfRange(times, 0, k);
            for (int i = k; i < 10; i++) {
                float t = times[i];
                assertThat(Math.abs(t * 9 - Math.round(t * 9))).isLessThan(1e-4f);
                for (float o : keptTimes) {
                    assertThat(o).isNotEqualTo(t);
                }
            }
        }
    }

    @Test
    void refusesToHoldOutSoManyThatFewerThanTwoObservationsRemain() {
        List<Curve> curves = lines(2);
        try (CstModel model = CstModel.create(oneValue(), Normalisation.identity(1))) {
            assertThatThrownBy(
                            () ->
                                    new CurveTask(
                                            curves,
                                            curves,
                                            model,
                                            new CurveTask.Settings(
                                                    12, 0f, 9, new SobolevLoss(2, 1, 0.1f))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("heldOut = 9")
                    .hasMessageContaining("need heldOut <= 8");
        }
    }
}
