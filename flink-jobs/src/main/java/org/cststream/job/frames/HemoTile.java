package org.cststream.job.frames;

import org.cststream.frame.Frame;
import org.cststream.job.frames.hemo.TileGeometry.Rect;

/**
 * One tile of a {@link FramePair}: both channels' values over the tile's window (its interior and a
 * margin), with the calcium frame's identity. Keyed by session, channel and tile, so the tiles of
 * one frame spread over the task slots.
 */
public class HemoTile {
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

    /** This tile's number, row-major, and how many tiles the frame has. */
    public int tileIndex;

    public int tileCount;

    public int windowX;
    public int windowY;
    public int windowWidth;
    public int windowHeight;
    public int interiorX;
    public int interiorY;
    public int interiorWidth;
    public int interiorHeight;

    /** See {@link FramePair#hasIsosbestic()}. */
    public boolean haveIsosbestic;

    /** Calcium dF/F over the window, row-major. */
    public float[] calcium = new float[0];

    /** Isosbestic dF/F over the window at the calcium frame's time, row-major. */
    public float[] isosbestic = new float[0];

    public HemoTile() {}

    /** Returns the key of the correction's state: session, channel and tile. */
    public String stateKey() {
        return sessionId + '\u0000' + channelLabel() + '\u0000' + tileIndex;
    }

    public Rect window() {
        return new Rect(windowX, windowY, windowWidth, windowHeight);
    }

    public Rect interior() {
        return new Rect(interiorX, interiorY, interiorWidth, interiorHeight);
    }

    /** Returns the channel as a label, as {@link DffFrame#channelLabel()} does. */
    public String channelLabel() {
        return Frame.channelLabel(channelName, channelNm);
    }
}
