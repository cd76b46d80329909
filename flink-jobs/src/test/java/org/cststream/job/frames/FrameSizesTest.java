package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import org.cststream.frame.PatchTokens;
import org.cststream.frame.TokenCodec;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Frames whose sides are not a multiple of the patch, the bin or the correction's tile (1023x1023,
 * 767x767, 440x256 rows x columns), and a frame smaller than one patch: every stage keeps each
 * pixel it should, once.
 */
class FrameSizesTest {
    private static DffFrame frame(int width, int height) {
        DffFrame d = new DffFrame();
        d.sessionId = "s";
        d.width = width;
        d.height = height;
        d.values = new float[width * height];
        for (int i = 0; i < d.values.length; i++) {
            d.values[i] = i + 1;
        }
        return d;
    }

    /** Returns the first index where the arrays differ, or -1 (AssertJ's diff is quadratic). */
    private static int firstDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            return Math.min(a.length, b.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.compare(a[i], b[i]) != 0) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest(name = "{0}x{1} (columns x rows)")
    @CsvSource({"1023, 1023", "767, 767", "256, 440", "8, 8"})
    void paddedPatchesReassembleToTheFrameAfterTheirRecordRoundTrip(int width, int height)
            throws Exception {
        DffFrame d = frame(width, height);

        PatchTokens t =
                TokenCodec.decode(TokenCodec.encode(PatchFunction.cut(d, 16, EdgeMode.PAD)));
        float[] back = PatchTokens.toFrame(t.values, 16, t.gridCols, height, width);

        assertThat(t.gridRows).isEqualTo((height + 15) / 16);
        assertThat(t.gridCols).isEqualTo((width + 15) / 16);
        assertThat(firstDifference(back, d.values)).as("first pixel that differs").isEqualTo(-1);
        // the padding is zeros, never a copy of an edge pixel
        assertThat(t.valueAt(t.gridRows * 16 - 1, t.gridCols * 16 - 1))
                .isEqualTo(
                        height % 16 == 0 && width % 16 == 0 ? d.values[d.values.length - 1] : 0f);
    }

    @ParameterizedTest(name = "{0}x{1} (columns x rows)")
    @CsvSource({"1023, 1023, 63, 63", "767, 767, 47, 47", "256, 440, 27, 16"})
    void croppedPatchesKeepEveryWholePatchAndNothingElse(
            int width, int height, int rows, int cols) {
        DffFrame d = frame(width, height);

        PatchTokens t = PatchFunction.cut(d, 16, EdgeMode.CROP);

        assertThat(t.gridRows).isEqualTo(rows);
        assertThat(t.gridCols).isEqualTo(cols);
        assertThat(t.values).hasSize(rows * cols * 256);
        int y = rows * 16 - 1;
        int x = cols * 16 - 1;
        assertThat(t.valueAt(y, x)).isEqualTo(d.values[y * width + x]);
    }

    @ParameterizedTest(name = "{0}x{1} (columns x rows)")
    @CsvSource({"1023, 1023", "767, 767", "256, 440"})
    void binningByTwoAveragesThePartialEdgeBlocksItKeeps(int width, int height) {
        DffFrame d = frame(width, height);

        DffFrame b = new BinningFunction(2, EdgeMode.PAD).map(d);

        assertThat(b.width).isEqualTo((width + 1) / 2);
        assertThat(b.height).isEqualTo((height + 1) / 2);
        // the bottom-right block of an odd frame holds one pixel: its average is that pixel
        float last = d.values[d.values.length - 1];
        if (width % 2 == 1 && height % 2 == 1) {
            assertThat(b.values[b.values.length - 1]).isEqualTo(last);
        }
        assertThat(PatchFunction.cut(b, 16, EdgeMode.PAD).gridCols).isEqualTo((b.width + 15) / 16);
    }

    @ParameterizedTest(name = "{0}x{1} (columns x rows)")
    @CsvSource({"1023, 1023", "767, 767", "256, 440", "8, 8"})
    void correctionTilesCoverEveryPixelExactlyOnce(int width, int height) {
        FramePair pair = new FramePair();
        pair.calcium = frame(width, height);
        pair.isosbestic = frame(width, height).values;

        int[] covered = new int[width * height];
        for (HemoTile tile : HemoTileSplitFunction.split(pair, 32, 1)) {
            for (int y = tile.interiorY; y < tile.interiorY + tile.interiorHeight; y++) {
                for (int x = tile.interiorX; x < tile.interiorX + tile.interiorWidth; x++) {
                    covered[y * width + x]++;
                }
            }
        }

        for (int i = 0; i < covered.length; i++) {
            if (covered[i] != 1) {
                throw new AssertionError(
                        "pixel " + i + " is in " + covered[i] + " tile interiors, not 1");
            }
        }
    }
}
