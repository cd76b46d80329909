package org.cststream.job.cst;

/**
 * One grid time of the regular output stream: an observed frame passed through, or a frame the CST
 * filled. Values are dF/F (after binning), row-major, {@code height x width}.
 */
public class FilledFrame {
    public String sessionId = "";
    public String cameraId = "";
    public String channelName = "";
    public int channelNm;

    /** Grid index: 0 for the session's first grid time, then 1, 2, ... with none missing. */
    public long slot;

    /** Grid time, ns (camera clock). */
    public long timeNanos;

    /** Whether the CST filled this grid time (no frame was observed on it). */
    public boolean filled;

    /** Camera counter of the observed frame; -1 when filled. */
    public long sourceCounter = -1;

    /** Latest host receive time of the frames the output was made from, ns since the epoch. */
    public long hostReceiveNanos;

    public int width;
    public int height;
    public int binning = 1;
    public float[] values = new float[0];

    public FilledFrame() {}
}
