package org.cststream.job.frames;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Pairs each calcium frame of a session with the isosbestic signal at the calcium frame's own time:
 * linear interpolation, per pixel, between the isosbestic frames just before and just after it
 * (weighted by acquisition time).
 *
 * <p>So a calcium frame waits for the next isosbestic frame, for at most {@code maxWait} counters:
 * an isosbestic frame further than that from it, before or after, is not used. Consequences:
 *
 * <ul>
 *   <li>a single dropped isosbestic frame: the calcium frames around it are interpolated across the
 *       gap, between the isosbestic frames on either side (within {@code maxWait});
 *   <li>a run of drops: a calcium frame whose next isosbestic frame cannot come within {@code
 *       maxWait} (a later counter has arrived) is paired with the previous one held ({@link
 *       FramePair#HELD}); after the run, frames before the first isosbestic frame use the next one
 *       held; with neither in reach the pair has none ({@link FramePair#NONE}) and the correction
 *       learns nothing from it;
 *   <li>the start of a session: calcium frames before the first isosbestic frame use it held;
 *   <li>the end of a session: calcium frames after the last isosbestic frame wait until {@link
 *       #flush} (the job calls it when the session has been idle for the idle timeout, or at the
 *       end of a bounded input), then use the last isosbestic frame held.
 * </ul>
 *
 * Frames of channels that are neither the isosbestic nor a calcium channel go to {@code unpaired}
 * unchanged.
 */
public final class ChannelPairer implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String isosbestic;
    private final Set<String> calcium;
    private final int maxWait;

    /**
     * @param isosbesticLabel channel label of the isosbestic channel, e.g. {@code 405nm}
     * @param calciumLabels channel labels of the channels to pair
     * @param maxWait counters a calcium frame may be from an isosbestic frame it uses (>= 1)
     */
    public ChannelPairer(String isosbesticLabel, Set<String> calciumLabels, int maxWait) {
        this.isosbestic = isosbesticLabel;
        this.calcium = Set.copyOf(calciumLabels);
        this.maxWait = maxWait;
    }

    /** Returns the isosbestic channel's label. */
    public String isosbesticLabel() {
        return isosbestic;
    }

    /**
     * Takes the session's next frame (in counter order) and hands on every pair it completes.
     *
     * @param st the session's state, updated
     * @param f the frame
     * @param out receives completed pairs, in counter order
     * @param unpaired receives frames of other channels
     */
    public void accept(
            ChannelPairState st, DffFrame f, Consumer<FramePair> out, Consumer<DffFrame> unpaired) {
        String label = f.channelLabel();
        if (label.equals(isosbestic)) {
            for (DffFrame c : st.waiting) {
                out.accept(pair(c, st.lastIsosbestic, f));
            }
            st.waiting = new DffFrame[0];
            st.lastIsosbestic = f;
            return;
        }
        if (!calcium.contains(label)) {
            unpaired.accept(f);
            return;
        }
        st.waiting = Arrays.copyOf(st.waiting, st.waiting.length + 1);
        st.waiting[st.waiting.length - 1] = f;
        // a frame this far on means no isosbestic frame can come close enough to the oldest
        int released = 0;
        while (released < st.waiting.length
                && f.frameCounter - st.waiting[released].frameCounter > maxWait) {
            out.accept(pair(st.waiting[released], st.lastIsosbestic, null));
            released++;
        }
        if (released > 0) {
            st.waiting = Arrays.copyOfRange(st.waiting, released, st.waiting.length);
        }
    }

    /** Pairs every waiting frame with what is there (the session went idle or ended). */
    public void flush(ChannelPairState st, Consumer<FramePair> out) {
        for (DffFrame c : st.waiting) {
            out.accept(pair(c, st.lastIsosbestic, null));
        }
        st.waiting = new DffFrame[0];
    }

    /** Returns the pair of {@code c} with the isosbestic frames before and after it (or null). */
    FramePair pair(DffFrame c, DffFrame before, DffFrame after) {
        DffFrame prev =
                before != null && c.frameCounter - before.frameCounter <= maxWait ? before : null;
        DffFrame next =
                after != null && after.frameCounter - c.frameCounter <= maxWait ? after : null;
        if (prev != null && prev.values.length != c.values.length) {
            prev = null;
        }
        if (next != null && next.values.length != c.values.length) {
            next = null;
        }
        FramePair p = new FramePair();
        p.calcium = c;
        p.previousIsosbestic = prev == null ? -1 : prev.frameCounter;
        p.nextIsosbestic = next == null ? -1 : next.frameCounter;
        if (prev != null && next != null) {
            double span = next.acquisitionNanos - prev.acquisitionNanos;
            double w = span > 0 ? (c.acquisitionNanos - prev.acquisitionNanos) / span : 0.5;
            w = Math.max(0, Math.min(1, w));
            float[] v = new float[c.values.length];
            float a = (float) (1 - w);
            float b = (float) w;
            for (int i = 0; i < v.length; i++) {
                v[i] = a * prev.values[i] + b * next.values[i];
            }
            p.isosbestic = v;
            p.kind = FramePair.INTERPOLATED;
        } else if (prev != null || next != null) {
            p.isosbestic = (prev != null ? prev : next).values.clone();
            p.kind = FramePair.HELD;
        } else {
            p.isosbestic = new float[0];
            p.kind = FramePair.NONE;
        }
        return p;
    }
}
