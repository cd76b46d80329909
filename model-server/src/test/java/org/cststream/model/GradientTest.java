package org.cststream.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cststream.model.window.FrameSequence;
import org.cststream.model.window.WindowLayout;
import org.cststream.model.window.WindowTask;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GradientTest {

    /** Returns every parameter's gradient after one backward pass, optionally with GCs inside. */
    private static List<float[]> gradients(CstConfig.Attention attention, boolean collect) {
        Engine.getInstance().setRandomSeed(3);
        CstConfig c = CstConfig.widefieldSmall(4);
        c.attention = attention;
        c.landmarks = 16;
        WindowLayout layout = new WindowLayout(6, 6, 4, 0.1, 10);
        Random r = new Random(3);
        double[] times = new double[20];
        float[][] frames = new float[20][layout.frameValues()];
        for (int i = 0; i < times.length; i++) {
            times[i] = i * 0.1;
            for (int j = 0; j < frames[i].length; j++) {
                frames[i][j] = (float) r.nextGaussian();
            }
        }
        List<FrameSequence> seqs = List.of(new FrameSequence("noise", times, frames));
        try (CstModel model = CstModel.create(c, WindowTask.normalisation(seqs, c.valueDim));
                NDManager m = model.djlModel().getNDManager().newSubManager()) {
            new AdamUpdater(model, 1e-3f, 0f); // zeroes the gradient buffers
            WindowTask task =
                    new WindowTask(
                            layout,
                            seqs,
                            seqs,
                            model,
                            new WindowTask.Settings(3, 8, 20, 0f, new SobolevLoss(3, 3, 0.01f)));
            CstTrainer.Batch b = task.batch(m, new int[] {0, 1, 2}, new Random(9));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = model.block().forward(new ParameterStore(m, false), b.inputs(), true);
                NDArray loss = b.loss().apply(out);
                if (collect) {
                    // garbage that reuses freed native memory, then collections
                    for (int i = 0; i < 5; i++) {
                        List<byte[]> junk = new ArrayList<>();
                        for (int k = 0; k < 200; k++) {
                            junk.add(new byte[16 * 1024]);
                        }
                        System.gc();
                        java.nio.ByteBuffer.allocateDirect(1 << 20);
                    }
                }
                gc.backward(loss);
            }
            List<float[]> grads = new ArrayList<>();
            model.block()
                    .getParameters()
                    .values()
                    .forEach(p -> grads.add(p.getArray().getGradient().toFloatArray()));
            return grads;
        }
    }

    @ParameterizedTest
    @EnumSource(CstConfig.Attention.class)
    void gradientsDoNotChangeWhenTheJvmCollectsGarbageBeforeTheBackwardPass(
            CstConfig.Attention attention) {
        List<float[]> quiet = gradients(attention, false);
        List<float[]> collected = gradients(attention, true);

        assertThat(collected).hasSameSizeAs(quiet);
        for (int i = 0; i < quiet.size(); i++) {
            for (float g : collected.get(i)) {
                assertThat(Float.isFinite(g)).as("parameter %d gradient finite", i).isTrue();
            }
            assertThat(collected.get(i)).containsExactly(quiet.get(i));
        }
    }
}
