package org.cststream.job.frames;

import org.cststream.frame.Frame;
import org.cststream.job.frames.hemo.TileGeometry.Rect;

/**
 * One tile of a corrected calcium frame: its interior's z-scored values and the frame's identity.
 */
public class CorrectedTile {
    public String sessionId = "";
    public String cameraId = "";
    public long frameCounter;
    public int channelNm;
    public String channelName = "";
    public long acquisitionNanos;
    public long hostReceiveNanos;
    public int frameWidth;
    public int frameHeight;
    public int binning = 1;
    public int tileIndex;
    public int tileCount;
    public int interiorX;
    public int interiorY;
    public int interiorWidth;
    public int interiorHeight;

    /** Corrected, z-scored values of the interior, row-major. */
    public float[] values = new float[0];

    /** True once the tile's calibration window has passed. */
    public boolean calibrated;

    /** Pixels whose coefficients are implausible (see the correction's documentation). */
    public int implausible;

    public CorrectedTile() {}

    /** Returns the key of the frame this tile belongs to: session and channel. */
    public String frameKey() {
        return sessionId + '\u0000' + channelLabel();
    }

    public String channelLabel() {
        return Frame.channelLabel(channelName, channelNm);
    }

    public Rect interior() {
        return new Rect(interiorX, interiorY, interiorWidth, interiorHeight);
    }
}
