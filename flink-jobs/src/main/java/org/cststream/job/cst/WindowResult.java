package org.cststream.job.cst;

/**
 * The model's answer for a {@link WindowRequest}: the filled grid times' patch values and the
 * attention of the window's newest observed frame.
 */
public class WindowResult {
    public WindowRequest request = new WindowRequest();

    /** Patch values per query grid time, in the order of {@link WindowRequest#querySlots}. */
    public float[][] filled = new float[0][];

    /**
     * Attention of the newest observed frame's patches over every token of the window (last layer,
     * averaged over heads): patches x tokens.
     */
    public float[][] attention = new float[0][];

    /** Time the model call took, ns, shared by the windows of one batch. */
    public long inferenceNanos;

    /** Windows in the model call that answered this one. */
    public int batchSize;

    public WindowResult() {}
}
