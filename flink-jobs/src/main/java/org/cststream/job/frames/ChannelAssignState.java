package org.cststream.job.frames;

import org.cststream.frame.Frame;

/** What {@link ChannelAssignFunction} keeps per session. */
public class ChannelAssignState {
    /** Counter of the session's first frame; the alternation is counted from it. */
    public long firstCounter = -1;

    /**
     * Positions the configured order is rotated by: channel = order[(counter - first + shift) % N].
     */
    public int shift;

    /** True once the start-of-session check has decided. */
    public boolean decided;

    /** Frames held until the start check decides. */
    public Frame[] pending = new Frame[0];

    /** Frames whose content fits another channel, held until a swap is confirmed or refuted. */
    public Frame[] suspects = new Frame[0];

    /** The shift the suspects point to. */
    public int suspectShift;

    /** Per channel (in configured order) the running mean of its frames' signatures, flattened. */
    public float[] references = new float[0];

    /** Per channel the running mean brightness of its frames, counts. */
    public double[] referenceMeans = new double[0];

    /** Per channel the frames in its reference. */
    public int[] referenceCounts = new int[0];

    /** Swaps found so far in this session. */
    public int swaps;

    /** Tagged frames: summed mean brightness per configured channel, for the start check. */
    public double[] tagSums = new double[0];

    /** Tagged frames: frames summed per configured channel. */
    public int[] tagCounts = new int[0];

    /** Tagged frames: true once the start check has been made. */
    public boolean tagsChecked;

    public ChannelAssignState() {}
}
