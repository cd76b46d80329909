package org.cststream.job.cst;

/**
 * The value a decoder read from one window's attention, on {@code topic.decoded} as JSON ({@link
 * org.cststream.job.frames.Outputs#encodeDecoded}); once a streamed label is matched to it, the
 * label and the error too.
 */
public class DecodedValue {
    public String sessionId = "";
    public String cameraId = "";

    /** The window's channel label, e.g. {@code 470nm}. */
    public String channel = "";

    /** Acquisition time of the window's newest observed frame, ns (camera clock). */
    public long timeNanos;

    /** First and last grid index the window emitted. */
    public long gridFrom;

    public long gridTo;

    /** The decoder's target, e.g. {@code pupil} or {@code contrast}. */
    public String target = "";

    public double value;

    /** Latest host receive time of the window's frames, ns since the epoch. */
    public long hostReceiveNanos;

    /** The streamed label at {@link #timeNanos}; NaN until matched. */
    public double label = Double.NaN;

    public DecodedValue() {}

    /** Returns "session=... channel=... target=... time=..." for logs. */
    public String describe() {
        return "session="
                + sessionId
                + " channel="
                + channel
                + " target="
                + target
                + " timeNanos="
                + timeNanos;
    }
}
