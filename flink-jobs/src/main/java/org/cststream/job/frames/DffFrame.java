package org.cststream.job.frames;

import org.cststream.frame.Frame;

/** A frame after dF/F: float values, row-major, with the identity of its source frame. */
public class DffFrame {
    public String sessionId = "";
    public String cameraId = "";
    public long frameCounter;
    public int channelNm;
    public String channelName = "";
    public long acquisitionNanos;
    public long hostReceiveNanos;
    public int width;
    public int height;

    /** Spatial binning applied so far (1 = none). */
    public int binning = 1;

    /** Pixels set to 0 because they were saturated or their baseline was too small. */
    public int invalidPixels;

    public float[] values = new float[0];

    public DffFrame() {}

    /** Creates an output frame that carries {@code source}'s identity and the given values. */
    public static DffFrame from(Frame source, float[] values) {
        DffFrame d = new DffFrame();
        d.sessionId = source.sessionId;
        d.cameraId = source.cameraId;
        d.frameCounter = source.frameCounter;
        d.channelNm = source.channelNm;
        d.channelName = source.channelName;
        d.acquisitionNanos = source.acquisitionNanos;
        d.hostReceiveNanos = source.hostReceiveNanos;
        d.width = source.width;
        d.height = source.height;
        d.values = values;
        return d;
    }

    /** Returns the channel as a label, as {@link Frame#channelLabel()} does. */
    public String channelLabel() {
        return Frame.channelLabel(channelName, channelNm);
    }
}
