package org.cststream.job.frames;

/**
 * A calcium dF/F frame with the isosbestic dF/F at its own acquisition time: the input of the
 * hemodynamic correction.
 */
public class FramePair {
    /** Both isosbestic neighbours were found; the isosbestic frame is their interpolation. */
    public static final String INTERPOLATED = "interpolated";

    /** Only one isosbestic neighbour was within reach; its values are used as they are. */
    public static final String HELD = "held";

    /** No isosbestic frame within reach: the correction learns nothing from this pair. */
    public static final String NONE = "none";

    /** The calcium frame, with its identity. */
    public DffFrame calcium = new DffFrame();

    /** Isosbestic dF/F at the calcium frame's time, row-major; empty for {@link #NONE}. */
    public float[] isosbestic = new float[0];

    /**
     * How the isosbestic values were found: {@link #INTERPOLATED}, {@link #HELD} or {@link #NONE}.
     */
    public String kind = NONE;

    /** Counter of the isosbestic frame before the calcium frame, or -1. */
    public long previousIsosbestic = -1;

    /** Counter of the isosbestic frame after the calcium frame, or -1. */
    public long nextIsosbestic = -1;

    public FramePair() {}

    /** Returns true if the pair holds a real isosbestic signal. */
    public boolean hasIsosbestic() {
        return !NONE.equals(kind);
    }
}
