package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import org.cststream.frame.PatchTokens;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.junit.jupiter.api.Test;

class PatchFunctionTest {

    private static DffFrame frame(int width, int height) {
        DffFrame d = new DffFrame();
        d.width = width;
        d.height = height;
        d.values = new float[width * height];
        for (int i = 0; i < d.values.length; i++) {
            d.values[i] = i + 1;
        }
        return d;
    }

    @Test
    void padsAFrameThatIsNotAMultipleOfThePatchWithoutLosingPixels() {
        DffFrame d = frame(256, 440);

        PatchTokens t = PatchFunction.cut(d, 16, EdgeMode.PAD);

        assertThat(t.gridRows).isEqualTo(28);
        assertThat(t.gridCols).isEqualTo(16);
        for (int y = 0; y < 440; y++) {
            for (int x = 0; x < 256; x++) {
                assertThat(t.valueAt(y, x)).isEqualTo(d.values[y * 256 + x]);
            }
        }
        assertThat(t.valueAt(447, 0)).isZero();
    }

    @Test
    void cropsToWholePatchesWhenAsked() {
        PatchTokens t = PatchFunction.cut(frame(767, 767), 32, EdgeMode.CROP);

        assertThat(t.gridRows).isEqualTo(23);
        assertThat(t.gridCols).isEqualTo(23);
        assertThat(t.values).hasSize(23 * 23 * 32 * 32);
        assertThat(t.valueAt(735, 735)).isEqualTo(735 * 767 + 735 + 1);
    }

    @Test
    void binsBlocksAndAveragesPartialEdgeBlocks() {
        DffFrame d = frame(3, 2);

        DffFrame b = new BinningFunction(2, EdgeMode.PAD).map(d);

        assertThat(b.width).isEqualTo(2);
        assertThat(b.height).isEqualTo(1);
        assertThat(b.values).containsExactly((1 + 2 + 4 + 5) / 4f, (3 + 6) / 2f);
        assertThat(b.binning).isEqualTo(2);
    }
}
