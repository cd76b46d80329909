package org.cststream.job.frames.hemo;

import java.util.Arrays;

/**
 * How well an estimate follows the truth, pixel by pixel over time: per pixel the Pearson
 * correlation and the root-mean-square error divided by the truth's standard deviation (NRMSE: 0 is
 * perfect, 1 is as far off as a flat line at the truth's mean), summarised over the pixels chosen.
 */
public final class PixelQuality {
    private final boolean[] include;
    private final double[] se;
    private final double[] st;
    private final double[] see;
    private final double[] stt;
    private final double[] set;
    private long frames;

    /**
     * A summary over pixels.
     *
     * @param pixels pixels summarised
     * @param frames frames accumulated
     * @param medianCorrelation median over pixels of the correlation with the truth
     * @param q25Correlation its first quartile
     * @param q75Correlation its third quartile
     * @param medianNrmse median over pixels of the NRMSE
     */
    public record Summary(
            int pixels,
            long frames,
            double medianCorrelation,
            double q25Correlation,
            double q75Correlation,
            double medianNrmse) {}

    /**
     * @param include the pixels to judge, row-major
     */
    public PixelQuality(boolean[] include) {
        this.include = include.clone();
        int n = include.length;
        se = new double[n];
        st = new double[n];
        see = new double[n];
        stt = new double[n];
        set = new double[n];
    }

    /** Adds one frame of the estimate and the truth (same length as the pixel mask). */
    public void add(float[] estimate, float[] truth) {
        for (int i = 0; i < include.length; i++) {
            if (!include[i]) {
                continue;
            }
            double e = estimate[i];
            double t = truth[i];
            se[i] += e;
            st[i] += t;
            see[i] += e * e;
            stt[i] += t * t;
            set[i] += e * t;
        }
        frames++;
    }

    /** Returns the number of frames added. */
    public long frames() {
        return frames;
    }

    /** Returns each pixel's correlation (NaN where excluded or flat), row-major. */
    public double[] correlations() {
        double[] r = new double[include.length];
        Arrays.fill(r, Double.NaN);
        for (int i = 0; i < include.length; i++) {
            if (!include[i] || frames < 2) {
                continue;
            }
            double me = se[i] / frames;
            double mt = st[i] / frames;
            double ve = see[i] / frames - me * me;
            double vt = stt[i] / frames - mt * mt;
            double c = set[i] / frames - me * mt;
            if (ve > 0 && vt > 0) {
                r[i] = c / Math.sqrt(ve * vt);
            }
        }
        return r;
    }

    /** Returns each pixel's NRMSE (NaN where excluded or the truth is flat), row-major. */
    public double[] nrmse() {
        double[] out = new double[include.length];
        Arrays.fill(out, Double.NaN);
        for (int i = 0; i < include.length; i++) {
            if (!include[i] || frames < 2) {
                continue;
            }
            double mt = st[i] / frames;
            double vt = stt[i] / frames - mt * mt;
            double mse = (see[i] - 2 * set[i] + stt[i]) / frames;
            if (vt > 0) {
                out[i] = Math.sqrt(Math.max(0, mse) / vt);
            }
        }
        return out;
    }

    /** Returns the summary over the included pixels with a defined correlation. */
    public Summary summary() {
        double[] r = finite(correlations());
        double[] e = finite(nrmse());
        return new Summary(
                r.length,
                frames,
                quantile(r, 0.5),
                quantile(r, 0.25),
                quantile(r, 0.75),
                quantile(e, 0.5));
    }

    private static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
    }

    /** Returns the q-quantile of sorted values, linear between order statistics; NaN if none. */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
