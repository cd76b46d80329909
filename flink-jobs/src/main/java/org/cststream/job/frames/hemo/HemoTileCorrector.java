package org.cststream.job.frames.hemo;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cststream.job.frames.hemo.TileGeometry.Rect;

/**
 * The streaming hemodynamic correction of one tile, pair by pair: band-limits both channels,
 * updates the moments, corrects the interior pixels and z-scores them. The same code serves the
 * Flink operator and the in-process runs of benchmarks and tests; its state lives in a {@link
 * HemoTileState} the caller keeps.
 *
 * <p>Moments are plain averages over the first {@code calibrationFrames} pairs and exponentially
 * weighted after that (weight {@code max(1/(k+1), 1 - exp(-dt/tau))}, so the switch is smooth).
 * Regression uses them from the first pairs on; the MMSE estimator of a block is first computed
 * when calibration ends, again each time its samples have doubled (an estimator from few samples is
 * noisy), then every {@code updateFrames} pairs (see {@link #isDue}). Until a block has its
 * estimator, its pixels are corrected by regression; the tile counts as calibrated once every block
 * has one. A pair without an isosbestic frame leaves every moment unchanged and is corrected with
 * the isosbestic deviation taken as zero.
 */
public final class HemoTileCorrector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A pixel's regression is judged only where the channels correlate at least this much. */
    public static final double MIN_CORRELATION_TO_JUDGE = 0.2;

    private static final double TINY_VARIANCE = 1e-20;

    private final HemoSettings settings;
    private transient Map<List<Integer>, BlockLayout> layouts;

    /** What one tile's correction produced. */
    public static final class Result {
        /** Corrected dF/F of the interior pixels, row-major (band-limited, centred). */
        public float[] corrected;

        /** The same, z-scored per pixel with running statistics. */
        public float[] z;

        /** True once the tile has seen its calibration window. */
        public boolean calibrated;

        /** Pixels whose coefficients are out of the plausible range (see the class comment). */
        public int implausible;

        /** MMSE estimators computed for this pair (0 for regression). */
        public int estimatorUpdates;
    }

    /**
     * @param settings the correction's settings
     */
    public HemoTileCorrector(HemoSettings settings) {
        this.settings = settings;
    }

    public HemoSettings settings() {
        return settings;
    }

    /**
     * Corrects one tile of one pair.
     *
     * @param st the tile's state, updated in place (fresh or of another shape: restarted)
     * @param window the pixels {@code y1} and {@code y2} hold, in frame coordinates
     * @param interior the pixels to correct, in frame coordinates, inside {@code window}
     * @param y1 calcium dF/F of the window, row-major
     * @param y2 isosbestic dF/F of the window at the calcium frame's time, row-major; ignored when
     *     {@code haveIsosbestic} is false
     * @param haveIsosbestic whether {@code y2} holds a real isosbestic signal
     * @param nanos the calcium frame's acquisition time, ns
     */
    public Result process(
            HemoTileState st,
            Rect window,
            Rect interior,
            float[] y1,
            float[] y2,
            boolean haveIsosbestic,
            long nanos) {
        Rect rel =
                new Rect(
                        interior.x() - window.x(),
                        interior.y() - window.y(),
                        interior.width(),
                        interior.height());
        BlockLayout layout =
                settings.method() == HemoMethod.MMSE
                        ? layout(window.width(), window.height(), rel)
                        : null;
        if (st.windowWidth != window.width()
                || st.windowHeight != window.height()
                || st.interiorX != rel.x()
                || st.interiorY != rel.y()
                || st.interiorWidth != rel.width()
                || st.interiorHeight != rel.height()
                || st.calciumLow.length != window.size()) {
            reset(st, window, rel, layout);
        }
        double dt = st.frames == 0 ? 0 : Math.max(0, nanos - st.lastNanos) / 1e9;
        int win = window.size();
        double[] f1 = new double[win];
        double[] f2 = new double[win];
        bandLimit(st, y1, y2, haveIsosbestic, dt, f1, f2);
        double w =
                Math.max(
                        1.0 / (st.frames + 1),
                        -Math.expm1(-dt * 1e9 / Math.max(1, settings.adaptNanos())));
        int n = rel.size();
        Result r = new Result();
        r.corrected = new float[n];
        r.z = new float[n];
        boolean calibrated = st.frames + 1 >= settings.calibrationFrames();
        if (haveIsosbestic) {
            st.squaredWeights = (1 - w) * (1 - w) * st.squaredWeights + w * w;
        }
        int flagged = regression(st, rel, window.width(), f1, f2, haveIsosbestic, w, calibrated, r);
        r.calibrated = calibrated;
        if (layout != null) {
            flagged = mmse(st, layout, f1, f2, haveIsosbestic, w, r);
        }
        st.frames++;
        st.lastNanos = nanos;
        zScore(st, r, dt);
        r.implausible = flagged;
        return r;
    }

    private BlockLayout layout(int ww, int wh, Rect rel) {
        if (layouts == null) {
            layouts = new HashMap<>();
        }
        return layouts.computeIfAbsent(
                List.of(ww, wh, rel.x(), rel.y(), rel.width(), rel.height()),
                k -> new BlockLayout(ww, wh, rel, settings.block(), settings.margin()));
    }

    private static void reset(HemoTileState st, Rect window, Rect rel, BlockLayout layout) {
        st.windowWidth = window.width();
        st.windowHeight = window.height();
        st.interiorX = rel.x();
        st.interiorY = rel.y();
        st.interiorWidth = rel.width();
        st.interiorHeight = rel.height();
        st.frames = 0;
        st.lastNanos = 0;
        st.squaredWeights = 0;
        int win = window.size();
        int n = rel.size();
        st.calciumLow = new double[win];
        st.isosbesticLow = new double[win];
        st.isosbesticSmooth = new double[win];
        st.mean1 = new double[n];
        st.mean2 = new double[n];
        st.var1 = new double[n];
        st.var2 = new double[n];
        st.cov12 = new double[n];
        st.zMean = new double[n];
        st.zVar = new double[n];
        if (layout != null) {
            st.blockMean = new double[layout.meanLength];
            st.blockCov = new float[layout.covLength];
            st.blockEstimator = new float[layout.estimatorLength];
            st.blockReady = new byte[layout.blocks()];
            st.blockFlagged = new int[layout.blocks()];
        } else {
            st.blockMean = new double[0];
            st.blockCov = new float[0];
            st.blockEstimator = new float[0];
            st.blockReady = new byte[0];
            st.blockFlagged = new int[0];
        }
    }

    /**
     * First-order causal filters: a high-pass at {@code highpassHz} on both channels (the input
     * minus its running low-pass), then a low-pass at {@code lowpassHz} on the isosbestic one.
     */
    private void bandLimit(
            HemoTileState st,
            float[] y1,
            float[] y2,
            boolean haveIso,
            double dt,
            double[] f1,
            double[] f2) {
        bandLimit(
                settings,
                st.frames == 0,
                st.calciumLow,
                st.isosbesticLow,
                st.isosbesticSmooth,
                y1,
                y2,
                haveIso,
                dt,
                f1,
                f2);
    }

    /**
     * The band-limiting of {@link #process} on arrays the caller keeps (one entry per pixel):
     * writes the filtered calcium values to {@code f1} and the filtered isosbestic values to {@code
     * f2}; without an isosbestic frame the isosbestic filters hold their last value.
     *
     * @param first true for the first pair: the filters start at the input
     * @param dt seconds since the previous pair
     */
    static void bandLimit(
            HemoSettings settings,
            boolean first,
            double[] calciumLow,
            double[] isosbesticLow,
            double[] isosbesticSmooth,
            float[] y1,
            float[] y2,
            boolean haveIso,
            double dt,
            double[] f1,
            double[] f2) {
        double hp = settings.highpassHz() > 0 ? alpha(settings.highpassHz(), dt) : -1;
        double lp = settings.lowpassHz() > 0 ? alpha(settings.lowpassHz(), dt) : 1;
        for (int i = 0; i < f1.length; i++) {
            double a = y1[i];
            if (hp >= 0) {
                calciumLow[i] = first ? a : calciumLow[i] + hp * (a - calciumLow[i]);
                a -= calciumLow[i];
            }
            f1[i] = a;
            if (!haveIso) {
                f2[i] = isosbesticSmooth[i];
                continue;
            }
            double b = y2[i];
            if (hp >= 0) {
                isosbesticLow[i] = first ? b : isosbesticLow[i] + hp * (b - isosbesticLow[i]);
                b -= isosbesticLow[i];
            }
            isosbesticSmooth[i] = first ? b : isosbesticSmooth[i] + lp * (b - isosbesticSmooth[i]);
            f2[i] = isosbesticSmooth[i];
        }
    }

    /** Returns the weight of a new sample in a first-order low-pass at {@code hz}, step dt s. */
    static double alpha(double hz, double dt) {
        return -Math.expm1(-2 * Math.PI * hz * dt);
    }

    private int regression(
            HemoTileState st,
            Rect rel,
            int windowWidth,
            double[] f1,
            double[] f2,
            boolean haveIso,
            double w,
            boolean calibrated,
            Result r) {
        int flagged = 0;
        double min = settings.minCoefficient();
        double max = settings.maxCoefficient();
        for (int y = 0; y < rel.height(); y++) {
            for (int x = 0; x < rel.width(); x++) {
                int i = y * rel.width() + x;
                int wi = (rel.y() + y) * windowWidth + rel.x() + x;
                double a = f1[wi];
                double b = f2[wi];
                if (haveIso) {
                    double d1 = a - st.mean1[i];
                    double d2 = b - st.mean2[i];
                    st.mean1[i] += w * d1;
                    st.mean2[i] += w * d2;
                    st.var1[i] = (1 - w) * (st.var1[i] + w * d1 * d1);
                    st.var2[i] = (1 - w) * (st.var2[i] + w * d2 * d2);
                    st.cov12[i] = (1 - w) * (st.cov12[i] + w * d1 * d2);
                }
                double beta = st.var2[i] > TINY_VARIANCE ? st.cov12[i] / st.var2[i] : 0;
                if (calibrated && (beta < min || beta > max)) {
                    double r2 =
                            st.var1[i] > TINY_VARIANCE && st.var2[i] > TINY_VARIANCE
                                    ? st.cov12[i] * st.cov12[i] / (st.var1[i] * st.var2[i])
                                    : 0;
                    if (r2 >= MIN_CORRELATION_TO_JUDGE * MIN_CORRELATION_TO_JUDGE) {
                        flagged++;
                    }
                }
                double used = Math.max(min, Math.min(max, beta));
                double dev2 = haveIso ? b - st.mean2[i] : 0;
                r.corrected[i] = (float) ((a - st.mean1[i]) - used * dev2);
            }
        }
        return flagged;
    }

    private int mmse(
            HemoTileState st,
            BlockLayout layout,
            double[] f1,
            double[] f2,
            boolean haveIso,
            double w,
            Result r) {
        long seen = st.frames + 1;
        int blocks = layout.blocks();
        int flagged = 0;
        boolean allReady = true;
        for (int j = 0; j < blocks; j++) {
            int[] nbr = layout.neighbourhood[j];
            int n = nbr.length;
            int d = 2 * n;
            int mo = layout.meanOffset[j];
            double[] v = new double[d];
            for (int q = 0; q < n; q++) {
                v[q] = f1[nbr[q]];
                v[n + q] = haveIso ? f2[nbr[q]] : st.blockMean[mo + n + q];
            }
            if (haveIso) {
                updateCovariance(st, layout.covOffset[j], mo, v, w);
            }
            if (isDue(seen, j, blocks, st.blockReady[j] != 0)) {
                st.blockFlagged[j] =
                        MmseEstimator.compute(
                                st.blockCov,
                                layout.covOffset[j],
                                n,
                                layout.own[j],
                                st.blockEstimator,
                                layout.estimatorOffset[j],
                                effectiveSamples(st));
                st.blockReady[j] = 1;
                r.estimatorUpdates++;
            }
            allReady &= st.blockReady[j] != 0;
            if (st.blockReady[j] == 0) {
                continue;
            }
            flagged += st.blockFlagged[j];
            for (int q = 0; q < d; q++) {
                v[q] -= st.blockMean[mo + q];
            }
            int[] own = layout.own[j];
            int[] ownInterior = layout.ownInterior[j];
            for (int o = 0; o < own.length; o++) {
                int base = layout.estimatorOffset[j] + o * d;
                double x = 0;
                for (int q = 0; q < d; q++) {
                    x += st.blockEstimator[base + q] * v[q];
                }
                r.corrected[ownInterior[o]] = (float) x;
            }
        }
        r.calibrated = allReady;
        return flagged;
    }

    /**
     * Returns whether block j of {@code blocks} recomputes its estimator at the {@code seen}-th
     * pair: first when calibration ends, then each time its samples have doubled while that is
     * sooner than {@code updateFrames}, then every {@code updateFrames} pairs. The first
     * computations and the doublings are spread over half a calibration window and the regular ones
     * over a whole update period, block by block, so no pair pays for every block at once.
     */
    boolean isDue(long seen, int j, int blocks, boolean ready) {
        long c = settings.calibrationFrames();
        long k = settings.updateFrames();
        long u = seen - (long) j * Math.max(1, c / 2) / blocks;
        if (!ready) {
            return u >= c;
        }
        if (u > c && u < k && u % c == 0 && Long.bitCount(u / c) == 1) {
            return true;
        }
        return seen >= k && (seen - (long) j * k / blocks) % k == 0;
    }

    /** Returns the effective number of samples behind the moments: 1 / (sum of squared weights). */
    static double effectiveSamples(HemoTileState st) {
        return st.squaredWeights > 0 ? 1 / st.squaredWeights : 1;
    }

    /** Exponentially weighted mean and covariance update of one block, in place. */
    private static void updateCovariance(
            HemoTileState st, int covOffset, int meanOffset, double[] v, double w) {
        int d = v.length;
        double[] dev = new double[d];
        for (int q = 0; q < d; q++) {
            dev[q] = v[q] - st.blockMean[meanOffset + q];
            st.blockMean[meanOffset + q] += w * dev[q];
        }
        float[] cov = st.blockCov;
        float keep = (float) (1 - w);
        int p = covOffset;
        for (int i = 0; i < d; i++) {
            double wi = w * dev[i];
            for (int j = i; j < d; j++) {
                cov[p] = keep * (float) (cov[p] + wi * dev[j]);
                p++;
            }
        }
    }

    private void zScore(HemoTileState st, Result r, double dt) {
        double w =
                Math.max(
                        1.0 / st.frames,
                        -Math.expm1(-dt * 1e9 / Math.max(1, settings.zscoreNanos())));
        for (int i = 0; i < r.corrected.length; i++) {
            double v = r.corrected[i];
            if (!Double.isFinite(v)) {
                v = 0;
                r.corrected[i] = 0f;
            }
            double d = v - st.zMean[i];
            st.zMean[i] += w * d;
            st.zVar[i] = (1 - w) * (st.zVar[i] + w * d * d);
            double z = st.zVar[i] > TINY_VARIANCE ? (v - st.zMean[i]) / Math.sqrt(st.zVar[i]) : 0;
            r.z[i] = Double.isFinite(z) ? (float) z : 0f;
        }
    }
}
