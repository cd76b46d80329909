package org.cststream.job.cst;

import java.util.ArrayList;
import java.util.List;

/** What the CST stage keeps per session and channel: the grid and the frames still needed. */
public class CstWindowState {
    /** Acquisition time of grid time 0, ns. */
    public long originNanos;

    /** First grid time not yet emitted. */
    public long nextSlot;

    /** Grid time of the latest frame. */
    public long lastSlot = -1;

    /** Wall-clock time of the latest frame's arrival, ms (for the stall timeout). */
    public long lastArrivalMillis;

    /** Grid times emitted so far (skipped ones not counted). */
    public long emitted;

    public String sessionId = "";
    public String cameraId = "";
    public String channelName = "";
    public int channelNm;
    public int gridRows;
    public int gridCols;
    public int patchSize;
    public int frameHeight;
    public int frameWidth;
    public int binning = 1;

    /** Frames from the earliest one a future window needs, in arrival (counter) order. */
    public List<BufferedFrame> frames = new ArrayList<>();

    public CstWindowState() {}

    /** One observed frame. */
    public static class BufferedFrame {
        public long nanos;
        public long counter;

        /** Its grid time when it is on the grid, else -1. */
        public long slot = -1;

        /** The nearest grid time, on the grid or not. */
        public long nearest;

        public long hostReceiveNanos;
        public float[] values = new float[0];

        public BufferedFrame() {}
    }
}
