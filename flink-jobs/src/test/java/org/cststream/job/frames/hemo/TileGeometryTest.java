package org.cststream.job.frames.hemo;

import static org.assertj.core.api.Assertions.assertThat;

import org.cststream.job.frames.hemo.TileGeometry.Rect;
import org.junit.jupiter.api.Test;

class TileGeometryTest {
    @Test
    void coversAFrameThatIsNotAMultipleOfTheTileExactlyOnce() {
        TileGeometry g = new TileGeometry(37, 23, 16, 2);
        int[] covered = new int[37 * 23];

        for (int t = 0; t < g.count(); t++) {
            Rect in = g.interior(t);
            for (int y = in.y(); y < in.y() + in.height(); y++) {
                for (int x = in.x(); x < in.x() + in.width(); x++) {
                    covered[y * 37 + x]++;
                }
            }
        }

        assertThat(g.count()).isEqualTo(3 * 2);
        assertThat(covered).containsOnly(1);
        assertThat(g.interior(5)).isEqualTo(new Rect(32, 16, 5, 7));
        assertThat(g.window(5)).isEqualTo(new Rect(30, 14, 7, 9));
        assertThat(g.window(0)).isEqualTo(new Rect(0, 0, 18, 18));
    }

    @Test
    void cutAndPasteRoundTrip() {
        float[] frame = new float[7 * 5];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = i;
        }
        Rect r = new Rect(2, 1, 3, 2);

        float[] piece = TileGeometry.cut(frame, 7, r);
        float[] back = new float[frame.length];
        TileGeometry.paste(piece, r, back, 7);

        assertThat(piece).containsExactly(9, 10, 11, 16, 17, 18);
        assertThat(back[17]).isEqualTo(17f);
        assertThat(back[0]).isZero();
    }
}
