package org.cststream.job.frames;

/** What {@link ChannelPairer} keeps per session: the last isosbestic frame and the waiting ones. */
public class ChannelPairState {
    /** The latest isosbestic dF/F frame, or null before the first. */
    public DffFrame lastIsosbestic;

    /** Calcium frames waiting for the next isosbestic frame, in counter order. */
    public DffFrame[] waiting = new DffFrame[0];

    public ChannelPairState() {}
}
