package org.cststream.job.frames.hemo;

import org.cststream.job.frames.hemo.TileGeometry.Rect;

/**
 * The offline reference of both corrections: coefficients from the whole recording at once (plain
 * averages over every pair), then applied to every pair. It uses the streaming correction's
 * band-limiting, tiles, blocks and estimator formula, so the difference between the two is what
 * streaming changes (calibration, adaptation), nothing else.
 *
 * <p>Two passes over the same pairs in the same order: {@link #accumulate} each, {@link #solve},
 * then {@link #apply} each. Not thread-safe.
 */
public final class BatchCorrection {
    private final HemoSettings settings;
    private final int width;
    private final TileGeometry geometry;
    private final BlockLayout[] layouts;
    private final double[] calciumLow;
    private final double[] isosbesticLow;
    private final double[] isosbesticSmooth;
    private final double[] f1;
    private final double[] f2;
    private boolean first = true;
    private long lastNanos;
    private long count;

    // regression sums per pixel
    private final double[] s1;
    private final double[] s2;
    private final double[] s11;
    private final double[] s12;
    private final double[] s22;
    private double[] beta;
    private double[] mean1;
    private double[] mean2;

    // MMSE sums per tile and block
    private final double[][] blockSum;
    private final double[][] blockProducts;
    private final float[][] estimators;
    private final double[][] blockMeans;
    private int implausible;

    /**
     * @param settings the correction (regression or MMSE)
     * @param width frame columns
     * @param height frame rows
     */
    public BatchCorrection(HemoSettings settings, int width, int height) {
        if (settings.method() == HemoMethod.NONE) {
            throw new IllegalArgumentException("the batch reference needs regression or MMSE");
        }
        this.settings = settings;
        this.width = width;
        int n = width * height;
        this.geometry = new TileGeometry(width, height, settings.tileSize(), settings.tileMargin());
        calciumLow = new double[n];
        isosbesticLow = new double[n];
        isosbesticSmooth = new double[n];
        f1 = new double[n];
        f2 = new double[n];
        s1 = new double[n];
        s2 = new double[n];
        s11 = new double[n];
        s12 = new double[n];
        s22 = new double[n];
        int tiles = geometry.count();
        layouts = new BlockLayout[tiles];
        blockSum = new double[tiles][];
        blockProducts = new double[tiles][];
        estimators = new float[tiles][];
        blockMeans = new double[tiles][];
        if (settings.method() == HemoMethod.MMSE) {
            for (int t = 0; t < tiles; t++) {
                Rect window = geometry.window(t);
                Rect interior = geometry.interior(t);
                Rect rel =
                        new Rect(
                                interior.x() - window.x(),
                                interior.y() - window.y(),
                                interior.width(),
                                interior.height());
                layouts[t] =
                        new BlockLayout(
                                window.width(),
                                window.height(),
                                rel,
                                settings.block(),
                                settings.margin());
                blockSum[t] = new double[layouts[t].meanLength];
                blockProducts[t] = new double[layouts[t].covLength];
            }
        }
    }

    private void filter(float[] y1, float[] y2, long nanos) {
        double dt = first ? 0 : Math.max(0, nanos - lastNanos) / 1e9;
        HemoTileCorrector.bandLimit(
                settings,
                first,
                calciumLow,
                isosbesticLow,
                isosbesticSmooth,
                y1,
                y2,
                true,
                dt,
                f1,
                f2);
        first = false;
        lastNanos = nanos;
    }

    /**
     * Adds one pair to the sums (first pass).
     *
     * @param y1 calcium dF/F, row-major
     * @param y2 isosbestic dF/F at the calcium frame's time, row-major
     * @param nanos acquisition time, ns
     */
    public void accumulate(float[] y1, float[] y2, long nanos) {
        filter(y1, y2, nanos);
        count++;
        for (int i = 0; i < f1.length; i++) {
            double a = f1[i];
            double b = f2[i];
            s1[i] += a;
            s2[i] += b;
            s11[i] += a * a;
            s12[i] += a * b;
            s22[i] += b * b;
        }
        if (settings.method() != HemoMethod.MMSE) {
            return;
        }
        for (int t = 0; t < layouts.length; t++) {
            BlockLayout layout = layouts[t];
            Rect window = geometry.window(t);
            for (int j = 0; j < layout.blocks(); j++) {
                double[] v = vector(layout.neighbourhood[j], window);
                int mo = layout.meanOffset[j];
                int p = layout.covOffset[j];
                for (int q = 0; q < v.length; q++) {
                    blockSum[t][mo + q] += v[q];
                    for (int r = q; r < v.length; r++) {
                        blockProducts[t][p++] += v[q] * v[r];
                    }
                }
            }
        }
    }

    private double[] vector(int[] neighbourhood, Rect window) {
        int n = neighbourhood.length;
        double[] v = new double[2 * n];
        for (int q = 0; q < n; q++) {
            int wi = neighbourhood[q];
            int frameIndex =
                    (window.y() + wi / window.width()) * width + window.x() + wi % window.width();
            v[q] = f1[frameIndex];
            v[n + q] = f2[frameIndex];
        }
        return v;
    }

    /** Computes the coefficients from the sums, and restarts the filters for the second pass. */
    public void solve() {
        if (count < 2) {
            throw new IllegalStateException(
                    "the batch reference needs 2 or more pairs, had " + count);
        }
        int n = f1.length;
        beta = new double[n];
        mean1 = new double[n];
        mean2 = new double[n];
        for (int i = 0; i < n; i++) {
            mean1[i] = s1[i] / count;
            mean2[i] = s2[i] / count;
            double var2 = s22[i] / count - mean2[i] * mean2[i];
            double cov = s12[i] / count - mean1[i] * mean2[i];
            double b = var2 > 1e-20 ? cov / var2 : 0;
            beta[i] = Math.max(settings.minCoefficient(), Math.min(settings.maxCoefficient(), b));
        }
        if (settings.method() == HemoMethod.MMSE) {
            implausible = 0;
            for (int t = 0; t < layouts.length; t++) {
                BlockLayout layout = layouts[t];
                estimators[t] = new float[layout.estimatorLength];
                blockMeans[t] = new double[layout.meanLength];
                float[] cov = new float[layout.covLength];
                for (int j = 0; j < layout.blocks(); j++) {
                    int d = 2 * layout.neighbourhood[j].length;
                    int mo = layout.meanOffset[j];
                    for (int q = 0; q < d; q++) {
                        blockMeans[t][mo + q] = blockSum[t][mo + q] / count;
                    }
                    int p = layout.covOffset[j];
                    for (int q = 0; q < d; q++) {
                        for (int r = q; r < d; r++) {
                            cov[p] =
                                    (float)
                                            (blockProducts[t][p] / count
                                                    - blockMeans[t][mo + q]
                                                            * blockMeans[t][mo + r]);
                            p++;
                        }
                    }
                    implausible +=
                            MmseEstimator.compute(
                                    cov,
                                    layout.covOffset[j],
                                    layout.neighbourhood[j].length,
                                    layout.own[j],
                                    estimators[t],
                                    layout.estimatorOffset[j],
                                    count);
                }
            }
        }
        first = true;
    }

    /** Returns the MMSE pixels flagged implausible by {@link #solve} (0 for regression). */
    public int implausiblePixels() {
        return implausible;
    }

    /** Returns the regression coefficient of each pixel after {@link #solve}, row-major. */
    public double[] coefficients() {
        return beta.clone();
    }

    /**
     * Corrects one pair with the whole-recording coefficients (second pass, same order).
     *
     * @return corrected dF/F, row-major, band-limited and centred like the streaming output
     */
    public float[] apply(float[] y1, float[] y2, long nanos) {
        if (beta == null) {
            throw new IllegalStateException("call solve() after the first pass");
        }
        filter(y1, y2, nanos);
        float[] out = new float[f1.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((f1[i] - mean1[i]) - beta[i] * (f2[i] - mean2[i]));
        }
        if (settings.method() != HemoMethod.MMSE) {
            return out;
        }
        for (int t = 0; t < layouts.length; t++) {
            BlockLayout layout = layouts[t];
            Rect window = geometry.window(t);
            Rect interior = geometry.interior(t);
            for (int j = 0; j < layout.blocks(); j++) {
                double[] v = vector(layout.neighbourhood[j], window);
                int mo = layout.meanOffset[j];
                for (int q = 0; q < v.length; q++) {
                    v[q] -= blockMeans[t][mo + q];
                }
                int[] own = layout.own[j];
                int[] ownInterior = layout.ownInterior[j];
                for (int o = 0; o < own.length; o++) {
                    int base = layout.estimatorOffset[j] + o * v.length;
                    double x = 0;
                    for (int q = 0; q < v.length; q++) {
                        x += estimators[t][base + q] * v[q];
                    }
                    int ii = ownInterior[o];
                    int frameIndex =
                            (interior.y() + ii / interior.width()) * width
                                    + interior.x()
                                    + ii % interior.width();
                    out[frameIndex] = (float) x;
                }
            }
        }
        return out;
    }
}
