package org.cststream.job.frames.hemo;

/**
 * The correction's first-order causal high-pass applied to whole frames, for comparing a truth or
 * an uncorrected signal with the corrected output on the same footing (the correction removes what
 * lies below its cut-off, so the reference must too).
 */
public final class FrameHighPass {
    private final double hz;
    private final double[] low;
    private boolean first = true;
    private long lastNanos;

    /**
     * @param pixels pixels per frame
     * @param hz cut-off, Hz; 0 passes frames through
     */
    public FrameHighPass(int pixels, double hz) {
        this.hz = hz;
        this.low = new double[pixels];
    }

    /** Returns the frame minus its running low-pass (0 for the first frame). */
    public float[] apply(float[] frame, long nanos) {
        float[] out = new float[frame.length];
        if (hz <= 0) {
            System.arraycopy(frame, 0, out, 0, frame.length);
            return out;
        }
        double a = first ? 1 : HemoTileCorrector.alpha(hz, Math.max(0, nanos - lastNanos) / 1e9);
        for (int i = 0; i < frame.length; i++) {
            low[i] += a * (frame[i] - low[i]);
            out[i] = (float) (frame[i] - low[i]);
        }
        first = false;
        lastNanos = nanos;
        return out;
    }
}
