package org.cststream.job.frames;

/** The causal baseline F0 of one channel of one session, per pixel. */
public class BaselineState {
    public int width;
    public int height;

    /** Frames of this channel seen so far. */
    public long frames;

    /** Acquisition time of the last frame, ns (camera clock). */
    public long lastAcquisitionNanos;

    public float[] f0 = new float[0];

    public BaselineState() {}
}
