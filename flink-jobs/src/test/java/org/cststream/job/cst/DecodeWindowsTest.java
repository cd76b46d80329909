package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintStream;
import org.cststream.frame.PatchTokens;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.window.FrameSequence;
import org.cststream.model.window.WindowLayout;
import org.junit.jupiter.api.Test;

class DecodeWindowsTest {
    @Test
    void spreadsWindowStartsEvenlyOverTheRange() {
        assertThat(DecodeWindows.starts(10, 40, 10, 4)).containsExactly(10, 17, 23, 30);
        assertThat(DecodeWindows.starts(0, 12, 10, 50)).containsExactly(0, 1, 2);
    }

    @Test
    void givesEachWindowItsNewestFrameAttentionOnTheGridAndItsFrames() throws Exception {
        // 2 x 2 patches of 2 pixels, windows of 4 frames, 10 frames at 10 Hz
        WindowLayout layout = new WindowLayout(2, 2, 2, 0.1, 4);
        float[][] frames = new float[10][16];
        double[] times = new double[10];
        for (int i = 0; i < 10; i++) {
            times[i] = 0.1 * i;
            for (int v = 0; v < 16; v++) {
                frames[i][v] = (float) Math.sin(i + 0.3 * v);
            }
        }
        PatchTokens first = new PatchTokens();
        first.gridRows = 2;
        first.gridCols = 2;
        first.patchSize = 2;
        first.frameHeight = 4;
        first.frameWidth = 4;
        PatchSequences.Prepared p =
                new PatchSequences.Prepared(
                        new FrameSequence("test", times, frames),
                        first,
                        new int[10],
                        7_000_000_000L);
        CstConfig c = new CstConfig();
        c.valueDim = 4;
        c.coordDim = 3;
        c.modelDim = 16;
        c.heads = 2;
        c.layers = 1;
        c.feedForwardDim = 32;
        c.observedKeysOnly = true;
        ai.djl.engine.Engine.getInstance().setRandomSeed(4);

        DecodeWindows.Windows w;
        try (CstModel model = CstModel.create(c, Normalisation.identity(4))) {
            w =
                    DecodeWindows.build(
                            p,
                            new int[] {0, 3, 6},
                            model,
                            layout,
                            true,
                            new PrintStream(java.io.OutputStream.nullOutputStream()),
                            "test");
        }

        assertThat(w.size()).isEqualTo(3);
        assertThat(w.newestNanos()).containsExactly(7_300_000_000L, 7_600_000_000L, 7_900_000_000L);
        for (int k = 0; k < 3; k++) {
            assertThat(w.attention()[k]).hasSize(4 * 4 * 4);
            // each of the newest frame's 4 rows is a softmax over the window's 16 tokens
            for (int r = 0; r < 4; r++) {
                double sum = 0;
                for (int i = 0; i < 16; i++) {
                    float a = w.attention()[k][r * 16 + i];
                    assertThat(a).isBetween(0f, 1f);
                    sum += a;
                }
                assertThat(sum).as("window %d row %d", k, r).isCloseTo(1, within(1e-4));
            }
            // the baseline: the window's frames in time order
            assertThat(w.frames()[k]).hasSize(64);
            assertThat(w.frames()[k][16]).isEqualTo(frames[3 * k + 1][0]);
            assertThat(w.frames()[k][63]).isEqualTo(frames[3 * k + 3][15]);
        }
        assertThat(w.select(new int[] {2}).newestNanos()).containsExactly(7_900_000_000L);
    }
}
