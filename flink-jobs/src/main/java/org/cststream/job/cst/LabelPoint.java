package org.cststream.job.cst;

/**
 * One streamed label for the live decoding error: a behaviour sample's value of the decoder's
 * trace, or a stimulus's value of the decoder's field with its onset and duration.
 */
public class LabelPoint {
    public String sessionId = "";

    /** Sample time or stimulus onset on the session clock, ns. */
    public long timeNanos;

    /** Stimulus duration, ns; 0 for a behaviour sample. */
    public long durationNanos;

    public double value;

    public LabelPoint() {}
}
