package org.cststream.model.window;

import org.cststream.model.CstPredictor;
import org.cststream.model.TimeInterpolation;

/**
 * Builds model windows from frames of patch tokens and reads filled frames back out of the model's
 * output.
 *
 * <p>A window holds the observed frames' patches first (frame by frame, patches in row-major grid
 * order), then one query token per patch for every time to fill. A query starts from the linear
 * interpolation in time of its patch between the nearest observed frames (held beyond the first and
 * last), which the model then corrects.
 */
public final class FrameWindows {
    private FrameWindows() {}

    /**
     * Returns the window for {@code observed} frames at {@code times}, asking for {@code
     * queryTimes}.
     *
     * @param layout the grid and time scale
     * @param times acquisition times of the observed frames, seconds, increasing, 1 or more
     * @param observed the observed frames' patch values ({@link WindowLayout#frameValues()} each)
     * @param queryTimes times to fill, seconds
     * @param startSeconds the window's first grid time, seconds
     */
    public static CstPredictor.Window window(
            WindowLayout layout,
            double[] times,
            float[][] observed,
            double[] queryTimes,
            double startSeconds) {
        return window(layout, times, observed, queryTimes, startSeconds, false);
    }

    /**
     * As {@link #window(WindowLayout, double[], float[][], double[], double)}; with {@code
     * newestFirst} the newest observed frame's patches come first (tokens 0 to patches - 1) and the
     * other observed frames follow in time order, so that {@link CstPredictor.AttentionRows}{@code
     * (0, patches)} is the newest frame's attention whatever the window holds. The model sees
     * times, not positions, so the order changes nothing else (with Nystrom attention the
     * landmarks' segments shift a little).
     */
    public static CstPredictor.Window window(
            WindowLayout layout,
            double[] times,
            float[][] observed,
            double[] queryTimes,
            double startSeconds,
            boolean newestFirst) {
        if (times.length == 0 || times.length != observed.length) {
            throw new IllegalArgumentException(
                    times.length
                            + " times for "
                            + observed.length
                            + " observed frames; need 1 or more, one time per frame");
        }
        int patches = layout.patches();
        int pv = layout.patchValues();
        for (int f = 0; f < observed.length; f++) {
            if (observed[f].length != layout.frameValues()) {
                throw new IllegalArgumentException(
                        "observed frame "
                                + f
                                + " has "
                                + observed[f].length
                                + " values; the layout needs "
                                + layout.frameValues());
            }
        }
        float[][] init =
                queryTimes.length == 0
                        ? new float[0][]
                        : TimeInterpolation.linear(times, observed, queryTimes);
        int frames = times.length + queryTimes.length;
        float[][] values = new float[frames * patches][];
        float[][] coords = new float[frames * patches][];
        int[] order = frameOrder(times.length, queryTimes.length, newestFirst);
        for (int slot = 0; slot < frames; slot++) {
            int f = order[slot];
            boolean isObserved = f < times.length;
            float[] frame = isObserved ? observed[f] : init[f - times.length];
            double t = isObserved ? times[f] : queryTimes[f - times.length];
            float tc = layout.timeCoordinate(t, startSeconds);
            for (int p = 0; p < patches; p++) {
                float[] v = new float[pv];
                System.arraycopy(frame, p * pv, v, 0, pv);
                values[slot * patches + p] = v;
                coords[slot * patches + p] =
                        new float[] {
                            tc,
                            layout.rowCoordinate(p / layout.gridCols()),
                            layout.colCoordinate(p % layout.gridCols())
                        };
            }
        }
        return new CstPredictor.Window(values, coords, times.length * patches);
    }

    /**
     * Returns which frame each of a window's frame slots holds, in token order: observed frames are
     * 0 to {@code observed - 1} in time order, queries follow from {@code observed}. Without {@code
     * newestFirst} the order is the identity; with it, slot 0 holds the newest observed frame and
     * slots 1 to {@code observed - 1} the others in time order.
     */
    public static int[] frameOrder(int observed, int queries, boolean newestFirst) {
        int[] order = new int[observed + queries];
        for (int slot = 0; slot < order.length; slot++) {
            order[slot] =
                    !newestFirst || slot >= observed ? slot : (slot == 0 ? observed - 1 : slot - 1);
        }
        return order;
    }

    /**
     * Returns the time of each frame slot of a window built by {@link #window} with the same
     * arguments, in token order (slot {@code s} covers tokens {@code s * patches} to {@code (s + 1)
     * * patches - 1}).
     */
    public static double[] tokenFrameTimes(
            double[] times, double[] queryTimes, boolean newestFirst) {
        int[] order = frameOrder(times.length, queryTimes.length, newestFirst);
        double[] out = new double[order.length];
        for (int slot = 0; slot < order.length; slot++) {
            int f = order[slot];
            out[slot] = f < times.length ? times[f] : queryTimes[f - times.length];
        }
        return out;
    }

    /**
     * Returns the frame at query {@code q} of a window built by {@link #window}, as patch values.
     *
     * @param layout the window's layout
     * @param prediction the model's output for the window
     * @param observedFrames observed frames in the window
     * @param q the query, from 0
     */
    public static float[] queryFrame(
            WindowLayout layout, CstPredictor.Prediction prediction, int observedFrames, int q) {
        return frame(layout, prediction, observedFrames + q);
    }

    /** Returns the model's values for the window's {@code f}-th frame (observed or query). */
    public static float[] frame(WindowLayout layout, CstPredictor.Prediction prediction, int f) {
        int patches = layout.patches();
        int pv = layout.patchValues();
        float[] out = new float[layout.frameValues()];
        for (int p = 0; p < patches; p++) {
            System.arraycopy(prediction.values()[f * patches + p], 0, out, p * pv, pv);
        }
        return out;
    }
}
