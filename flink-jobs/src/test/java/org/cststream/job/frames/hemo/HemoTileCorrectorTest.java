package org.cststream.job.frames.hemo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.cststream.job.frames.hemo.TileGeometry.Rect;
import org.junit.jupiter.api.Test;

class HemoTileCorrectorTest {
    private static final long FRAME_NANOS = 100_000_000L;

    /**
     * A 12x10 field: a neural signal x smooth in space, a hemodynamic signal h seen by the calcium
     * channel with gain 0.8 and by the isosbestic one with gain 1, and white noise.
     */
    private static final class Mixture {
        final int width = 12;
        final int height = 10;
        final float[][] y1;
        final float[][] y2;
        final float[][] x;

        Mixture(int frames, double noise, double beta, long seed) {
            Random r = new Random(seed);
            int n = width * height;
            y1 = new float[frames][n];
            y2 = new float[frames][n];
            x = new float[frames][n];
            for (int t = 0; t < frames; t++) {
                double a = r.nextGaussian();
                double b = r.nextGaussian();
                double h = r.nextGaussian();
                for (int p = 0; p < n; p++) {
                    int col = p % width;
                    double xs = 0.01 * (a * col / width + b * (1 - col / (double) width));
                    double hs = 0.02 * h * (1 + 0.3 * (p / width) / height);
                    x[t][p] = (float) xs;
                    y1[t][p] = (float) (xs + beta * hs + noise * r.nextGaussian());
                    y2[t][p] = (float) (hs + noise * r.nextGaussian());
                }
            }
        }
    }

    private static HemoSettings plain(HemoMethod method) {
        return plain(method, 1);
    }

    /** No band-limiting, no adaptation (every frame weighs the same), estimators every k frames. */
    private static HemoSettings plain(HemoMethod method, int k) {
        return new HemoSettings(
                method, 8, 50, Long.MAX_VALUE / 4, 0, 0, 0, 4, 2, 1, k, 600_000_000_000L);
    }

    private static float[][] stream(HemoSettings s, Mixture m) {
        TileGeometry g = new TileGeometry(m.width, m.height, s.tileSize(), s.tileMargin());
        HemoTileCorrector c = new HemoTileCorrector(s);
        HemoTileState[] st = new HemoTileState[g.count()];
        for (int i = 0; i < st.length; i++) {
            st[i] = new HemoTileState();
        }
        float[][] out = new float[m.y1.length][m.width * m.height];
        for (int t = 0; t < m.y1.length; t++) {
            for (int i = 0; i < g.count(); i++) {
                Rect w = g.window(i);
                Rect in = g.interior(i);
                HemoTileCorrector.Result r =
                        c.process(
                                st[i],
                                w,
                                in,
                                TileGeometry.cut(m.y1[t], m.width, w),
                                TileGeometry.cut(m.y2[t], m.width, w),
                                true,
                                t * FRAME_NANOS);
                TileGeometry.paste(r.corrected, in, out[t], m.width);
                for (float z : r.z) {
                    assertThat(Float.isFinite(z)).isTrue();
                }
            }
        }
        return out;
    }

    private static double quality(float[][] estimate, float[][] truth, int from) {
        boolean[] all = new boolean[truth[0].length];
        java.util.Arrays.fill(all, true);
        PixelQuality q = new PixelQuality(all);
        for (int t = from; t < truth.length; t++) {
            q.add(estimate[t], truth[t]);
        }
        return q.summary().medianCorrelation();
    }

    @Test
    void regressionRemovesTheHemodynamicPart() {
        Mixture m = new Mixture(400, 0.001, 0.8, 1);

        float[][] out = stream(plain(HemoMethod.REGRESSION), m);

        assertThat(quality(m.y1, m.x, 100)).isLessThan(0.6);
        assertThat(quality(out, m.x, 100)).isGreaterThan(0.97);
    }

    @Test
    void mmsePoolsTheNeighbourhoodAndBeatsRegressionInNoise() {
        Mixture m = new Mixture(600, 0.006, 0.8, 2);

        double regression = quality(stream(plain(HemoMethod.REGRESSION), m), m.x, 200);
        double mmse = quality(stream(plain(HemoMethod.MMSE, 25), m), m.x, 200);

        assertThat(mmse).isGreaterThan(regression + 0.05);
    }

    @Test
    void streamingWithoutAdaptationEqualsTheBatchReference() {
        Mixture m = new Mixture(300, 0.004, 0.8, 3);
        for (HemoMethod method : new HemoMethod[] {HemoMethod.REGRESSION, HemoMethod.MMSE}) {
            HemoSettings s = plain(method);
            float[][] streamed = stream(s, m);
            BatchCorrection batch = new BatchCorrection(s, m.width, m.height);
            for (int t = 0; t < m.y1.length; t++) {
                batch.accumulate(m.y1[t], m.y2[t], t * FRAME_NANOS);
            }
            batch.solve();
            float[] last = null;
            for (int t = 0; t < m.y1.length; t++) {
                last = batch.apply(m.y1[t], m.y2[t], t * FRAME_NANOS);
            }

            // the last frame: both have seen every frame, and MMSE recomputes every frame here
            for (int p = 0; p < last.length; p++) {
                assertThat(streamed[m.y1.length - 1][p])
                        .as("%s pixel %d", method, p)
                        .isCloseTo(last[p], within(2e-5f));
            }
        }
    }

    @Test
    void neverYieldsNanOrInfinityForDeadPixelsOrPairsWithoutIsosbestic() {
        HemoSettings s = plain(HemoMethod.MMSE, 10);
        TileGeometry g = new TileGeometry(6, 5, 4, 1);
        HemoTileCorrector c = new HemoTileCorrector(s);
        HemoTileState st = new HemoTileState();
        Random r = new Random(4);
        for (int t = 0; t < 120; t++) {
            float[] y1 = new float[30];
            float[] y2 = new float[30];
            for (int p = 0; p < 30; p++) {
                // pixel 0 saturated or without baseline: dF/F held at 0 by the dF/F stage
                y1[p] = p == 0 ? 0f : (float) (0.01 * r.nextGaussian());
                y2[p] = p < 6 ? 0f : (float) (0.01 * r.nextGaussian());
            }
            boolean iso = t % 7 != 3;
            HemoTileCorrector.Result res =
                    c.process(
                            st,
                            g.window(0),
                            g.interior(0),
                            cutOf(y1, g),
                            cutOf(y2, g),
                            iso,
                            t * FRAME_NANOS);

            for (int i = 0; i < res.z.length; i++) {
                assertThat(Float.isFinite(res.z[i])).isTrue();
                assertThat(Float.isFinite(res.corrected[i])).isTrue();
            }
            assertThat(res.z[0]).isZero();
        }
    }

    private static float[] cutOf(float[] frame, TileGeometry g) {
        return TileGeometry.cut(frame, 6, g.window(0));
    }

    @Test
    void flagsCoefficientsOutsideThePlausibleRange() {
        // an anti-correlated isosbestic channel: what a swapped or wrong channel gives
        Mixture m = new Mixture(200, 0.001, -0.8, 5);
        HemoSettings s = plain(HemoMethod.REGRESSION);
        HemoTileCorrector c = new HemoTileCorrector(s);
        HemoTileState st = new HemoTileState();
        TileGeometry g = new TileGeometry(m.width, m.height, 16, 0);
        HemoTileCorrector.Result last = null;

        for (int t = 0; t < m.y1.length; t++) {
            last =
                    c.process(
                            st,
                            g.window(0),
                            g.interior(0),
                            m.y1[t],
                            m.y2[t],
                            true,
                            t * FRAME_NANOS);
        }

        assertThat(last.implausible).isEqualTo(m.width * m.height);
        assertThat(last.calibrated).isTrue();
    }

    @Test
    void theBandLimitingMatchesTheFrameHighPass() {
        HemoSettings s = HemoSettings.defaults(HemoMethod.REGRESSION);
        FrameHighPass hp = new FrameHighPass(1, s.highpassHz());
        double[] low1 = new double[1];
        double[] low2 = new double[1];
        double[] smooth = new double[1];
        double[] f1 = new double[1];
        double[] f2 = new double[1];
        for (int t = 0; t < 50; t++) {
            float v = (float) Math.sin(t * 0.3) + t * 0.01f;
            HemoTileCorrector.bandLimit(
                    s,
                    t == 0,
                    low1,
                    low2,
                    smooth,
                    new float[] {v},
                    new float[] {v},
                    true,
                    0.1,
                    f1,
                    f2);

            assertThat(hp.apply(new float[] {v}, t * FRAME_NANOS)[0])
                    .isCloseTo((float) f1[0], within(1e-5f));
        }
    }
}
