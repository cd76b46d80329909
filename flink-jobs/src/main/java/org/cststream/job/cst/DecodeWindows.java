package org.cststream.job.cst;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor;
import org.cststream.model.decoding.DecoderFeatures;
import org.cststream.model.window.FrameSequence;
import org.cststream.model.window.FrameWindows;
import org.cststream.model.window.WindowLayout;

/**
 * Windows of a prepared recording and their decoder features, offline: T consecutive frames each,
 * all observed, built as the stream builds them (the newest frame's patches first, {@link
 * FrameWindows}); the model's attention rows of the newest frame give the CST attention features
 * and the frames themselves the data baseline ({@link DecoderFeatures}).
 */
public final class DecodeWindows {
    /** Windows per model call. */
    private static final int BATCH = 4;

    private DecodeWindows() {}

    /**
     * Windows and their features.
     *
     * @param layout the windows' layout (the model's)
     * @param first each window's first frame, index in the sequence
     * @param newestNanos each window's newest frame's time on the recording's clock, ns
     * @param attention CST attention features, one row per window
     * @param frames data-baseline features, one row per window; null when not asked for
     */
    public record Windows(
            WindowLayout layout,
            int[] first,
            long[] newestNanos,
            float[][] attention,
            float[][] frames) {

        /** Returns the number of windows. */
        public int size() {
            return first.length;
        }

        /** Returns the windows whose index is in {@code keep}, in that order. */
        public Windows select(int[] keep) {
            int[] f = new int[keep.length];
            long[] t = new long[keep.length];
            float[][] a = new float[keep.length][];
            float[][] x = frames == null ? null : new float[keep.length][];
            for (int i = 0; i < keep.length; i++) {
                f[i] = first[keep[i]];
                t[i] = newestNanos[keep[i]];
                a[i] = attention[keep[i]];
                if (x != null) {
                    x[i] = frames[keep[i]];
                }
            }
            return new Windows(layout, f, t, a, x);
        }
    }

    /**
     * Returns {@code count} window starts spread evenly over frames {@code from..to-1}, each window
     * {@code frames} long (fewer when the range holds fewer distinct windows).
     *
     * @throws IllegalArgumentException if the range is shorter than one window
     */
    public static int[] starts(int from, int to, int frames, int count) {
        int last = to - frames;
        if (last < from || count < 1) {
            throw new IllegalArgumentException(
                    "frames "
                            + from
                            + " to "
                            + (to - 1)
                            + " hold no window of "
                            + frames
                            + " frames; need a longer recording or range, and 1 or more windows");
        }
        int n = Math.min(count, last - from + 1);
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = n == 1 ? from : from + (int) Math.round((double) k * (last - from) / (n - 1));
        }
        return out;
    }

    /**
     * Runs the model on windows of {@code p}'s frames and returns their features.
     *
     * @param starts each window's first frame ({@link #starts})
     * @param layout the model's layout; the recording's patches must match it
     * @param withFrames whether to keep the data-baseline features too
     * @param out a progress line about every tenth of the windows, prefixed with {@code name}
     */
    public static Windows build(
            PatchSequences.Prepared p,
            int[] starts,
            CstModel model,
            WindowLayout layout,
            boolean withFrames,
            PrintStream out,
            String name) {
        layout.check(p.first());
        FrameSequence seq = p.sequence();
        int t = layout.frames();
        int n = starts.length;
        long[] newest = new long[n];
        float[][] attention = new float[n][];
        float[][] frames = withFrames ? new float[n][] : null;
        CstPredictor predictor = new CstPredictor(model);
        CstPredictor.AttentionRows rows = new CstPredictor.AttentionRows(0, layout.patches());
        long began = System.nanoTime();
        int reported = 0;
        for (int b = 0; b < n; b += BATCH) {
            int e = Math.min(n, b + BATCH);
            List<CstPredictor.Window> batch = new ArrayList<>();
            List<int[]> grids = new ArrayList<>();
            for (int k = b; k < e; k++) {
                int s = starts[k];
                double[] times = java.util.Arrays.copyOfRange(seq.times(), s, s + t);
                float[][] values = java.util.Arrays.copyOfRange(seq.frames(), s, s + t);
                batch.add(
                        FrameWindows.window(layout, times, values, new double[0], times[0], true));
                grids.add(
                        DecoderFeatures.gridTimes(
                                layout,
                                FrameWindows.tokenFrameTimes(times, new double[0], true),
                                times[0]));
                newest[k] = p.startNanos() + Math.round(times[t - 1] * 1e9);
                if (withFrames) {
                    frames[k] = DecoderFeatures.frames(layout, values);
                }
            }
            List<CstPredictor.Prediction> predictions = predictor.predict(batch, rows);
            for (int k = b; k < e; k++) {
                attention[k] =
                        DecoderFeatures.attention(
                                layout, predictions.get(k - b).attentionRows(), grids.get(k - b));
            }
            if (e * 10L / n > reported || e == n) {
                reported = (int) (e * 10L / n);
                out.printf(
                        Locale.ROOT,
                        "%s: attention of %d/%d windows (%.1f windows/s)%n",
                        name,
                        e,
                        n,
                        e / ((System.nanoTime() - began) / 1e9));
            }
        }
        int[] first = starts.clone();
        return new Windows(layout, first, newest, attention, frames);
    }
}
