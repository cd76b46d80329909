package org.cststream.model.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cststream.model.window.WindowLayout;
import org.junit.jupiter.api.Test;

class DecoderFeaturesTest {
    /** 1 x 2 patches of 1 pixel, 3 grid times 0.1 s apart. */
    private final WindowLayout layout = new WindowLayout(1, 2, 1, 0.1, 3);

    @Test
    void laysTheNewestFrameAttentionOnTheWindowGridInTimeOrder() {
        // token order newest first: frame at 0.2 s, then 0.0 s, then 0.1 s; 2 patches each
        int[] grid = DecoderFeatures.gridTimes(layout, new double[] {10.2, 10.0, 10.1}, 10.0);
        float[][] rows = {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12}};

        float[] f = DecoderFeatures.attention(layout, rows, grid);

        assertThat(grid).containsExactly(2, 0, 1);
        assertThat(f).hasSize(DecoderFeatures.attentionCount(layout)).hasSize(12);
        // row 0: grid time 0 <- tokens 2,3; 1 <- 4,5; 2 <- 0,1
        assertThat(f).containsExactly(3, 4, 5, 6, 1, 2, 9, 10, 11, 12, 7, 8);
    }

    @Test
    void addsFramesOnTheSameGridTimeAndLeavesEmptyGridTimesZero() {
        // an observation 0.04 s off grid time 1 and the fill of grid time 1; nothing at 0
        int[] grid = DecoderFeatures.gridTimes(layout, new double[] {0.2, 0.14, 0.1}, 0.0);
        float[][] rows = {{1, 1, 2, 2, 3, 3}, {0, 0, 0, 0, 0, 0}};

        float[] f = DecoderFeatures.attention(layout, rows, grid);

        assertThat(grid).containsExactly(2, 1, 1);
        assertThat(f).startsWith(0, 0, 5, 5, 1, 1);
    }

    @Test
    void refusesRowsThatDoNotCoverTheFrames() {
        float[][] rows = {{1, 2, 3}, {4, 5, 6}};

        assertThatThrownBy(() -> DecoderFeatures.attention(layout, rows, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 tokens")
                .hasMessageContaining("need 4");
    }

    @Test
    void concatenatesTheFramesInTimeOrder() {
        float[] f = DecoderFeatures.frames(layout, new float[][] {{1, 2}, {3, 4}, {5, 6}});

        assertThat(f).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(DecoderFeatures.framesCount(layout)).isEqualTo(6);
    }
}
