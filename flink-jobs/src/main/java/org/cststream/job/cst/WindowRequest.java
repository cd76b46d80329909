package org.cststream.job.cst;

/**
 * A window of one channel of one session, ready for the model: the observed frames with their true
 * times and the grid times to fill. The window spans grid times {@code firstSlot} to {@code emitTo
 * - 1}; it emits grid times {@code emitFrom} to {@code emitTo - 1} (the earlier ones are context,
 * emitted by the previous window).
 */
public class WindowRequest {
    /** Session and channel, the stage's key. */
    public String key = "";

    public String sessionId = "";
    public String cameraId = "";
    public String channelName = "";
    public int channelNm;

    /** Acquisition time of grid time 0, ns (camera clock). */
    public long originNanos;

    /** Grid period, ns. */
    public long periodNanos;

    public long firstSlot;
    public long emitFrom;
    public long emitTo;

    public int gridRows;
    public int gridCols;
    public int patchSize;
    public int frameHeight;
    public int frameWidth;
    public int binning = 1;

    /** Observed frames in time order: acquisition time (ns), camera counter, patch values. */
    public long[] observedNanos = new long[0];

    public long[] observedCounters = new long[0];

    /** Each observed frame's grid time when it is on the grid, else -1. */
    public long[] observedSlots = new long[0];

    public float[][] observedValues = new float[0][];

    /** Grid times in {@code emitFrom..emitTo-1} without an observed frame: the model fills them. */
    public long[] querySlots = new long[0];

    /** Latest host receive time of the window's frames, ns since the epoch. */
    public long hostReceiveNanos;

    public WindowRequest() {}

    /** Returns the acquisition time of grid time {@code slot}, ns. */
    public long slotNanos(long slot) {
        return originNanos + slot * periodNanos;
    }

    /** Returns "session=... channel=... window=..." for logs and errors. */
    public String describe() {
        return "session="
                + sessionId
                + " channel="
                + (channelName.isEmpty() ? channelNm + "nm" : channelName)
                + " gridTimes="
                + emitFrom
                + ".."
                + (emitTo - 1);
    }
}
