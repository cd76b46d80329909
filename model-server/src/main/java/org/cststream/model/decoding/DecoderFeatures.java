package org.cststream.model.decoding;

import org.cststream.model.window.WindowLayout;

/**
 * The features a decoder reads from one window.
 *
 * <ul>
 *   <li><b>CST attention</b>: the attention of the window's newest observed frame (its patches'
 *       rows of the last layer's weights, averaged over heads) over the window's tokens, laid on
 *       the window's grid: {@code patches x T x patches} values, the weight of newest-frame patch r
 *       on patch p at grid time s at {@code (r * T + s) * patches + p}. Tokens of frames that share
 *       a grid time (an off-grid observation and the fill of its grid time) add up; grid times
 *       without a token stay 0. A window of T observed frames on the grid is thus its attention
 *       matrix in time order, and a window with dropped frames still gives features of the same
 *       size and meaning.
 *   <li><b>Frames</b> (the data baseline): the window's T frames' patch values in time order,
 *       {@code T x patches x p x p} values.
 * </ul>
 */
public final class DecoderFeatures {
    private DecoderFeatures() {}

    /** Returns the number of attention features of a window of {@code layout}. */
    public static int attentionCount(WindowLayout layout) {
        return layout.patches() * layout.frames() * layout.patches();
    }

    /** Returns the number of frame features of a window of {@code layout}. */
    public static int framesCount(WindowLayout layout) {
        return layout.frames() * layout.frameValues();
    }

    /**
     * Returns each frame's grid time within the window: {@code round((t - start) / period)},
     * clamped to 0..T-1.
     *
     * @param frameTimes the time of each frame of the window, in the window's token order, seconds
     * @param startSeconds the window's first grid time, seconds
     */
    public static int[] gridTimes(WindowLayout layout, double[] frameTimes, double startSeconds) {
        int[] out = new int[frameTimes.length];
        for (int f = 0; f < out.length; f++) {
            long s = Math.round((frameTimes[f] - startSeconds) / layout.periodSeconds());
            out[f] = (int) Math.max(0, Math.min(layout.frames() - 1, s));
        }
        return out;
    }

    /**
     * Returns the attention features of a window.
     *
     * @param rows the newest observed frame's attention rows: patches x tokens, tokens = frames in
     *     the window x patches, each frame's patches consecutive in grid order
     * @param gridTimes each frame's grid time in the window (0..T-1), in token order ({@link
     *     #gridTimes})
     */
    public static float[] attention(WindowLayout layout, float[][] rows, int[] gridTimes) {
        int patches = layout.patches();
        int frames = layout.frames();
        if (rows.length != patches) {
            throw new IllegalArgumentException(
                    rows.length
                            + " attention rows; the window's newest frame has "
                            + patches
                            + " patches");
        }
        int tokens = gridTimes.length * patches;
        float[] out = new float[patches * frames * patches];
        for (int r = 0; r < patches; r++) {
            if (rows[r].length != tokens) {
                throw new IllegalArgumentException(
                        "attention row "
                                + r
                                + " has "
                                + rows[r].length
                                + " tokens; "
                                + gridTimes.length
                                + " frames of "
                                + patches
                                + " patches need "
                                + tokens);
            }
            for (int f = 0; f < gridTimes.length; f++) {
                int s = gridTimes[f];
                if (s < 0 || s >= frames) {
                    throw new IllegalArgumentException(
                            "frame " + f + " at grid time " + s + "; need 0 to " + (frames - 1));
                }
                int base = (r * frames + s) * patches;
                for (int p = 0; p < patches; p++) {
                    out[base + p] += rows[r][f * patches + p];
                }
            }
        }
        return out;
    }

    /**
     * Returns the frame features of a window: its T frames' values, concatenated in time order.
     *
     * @param frames T frames of {@link WindowLayout#frameValues()} values each, in time order
     */
    public static float[] frames(WindowLayout layout, float[][] frames) {
        if (frames.length != layout.frames()) {
            throw new IllegalArgumentException(
                    frames.length + " frames; the window has " + layout.frames() + " grid times");
        }
        int v = layout.frameValues();
        float[] out = new float[frames.length * v];
        for (int f = 0; f < frames.length; f++) {
            if (frames[f].length != v) {
                throw new IllegalArgumentException(
                        "frame " + f + " has " + frames[f].length + " values; need " + v);
            }
            System.arraycopy(frames[f], 0, out, f * v, v);
        }
        return out;
    }
}
