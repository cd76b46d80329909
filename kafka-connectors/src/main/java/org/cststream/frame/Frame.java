package org.cststream.frame;

import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One camera frame as it travels on Kafka: identity, clocks, geometry and raw pixel bytes.
 *
 * <p>A plain mutable class with public fields so that Flink serialises it as a POJO without
 * reflection-heavy fallbacks. The wire layout is defined by {@link FrameCodec}; see {@code
 * docs/frame-format.md}.
 */
public class Frame {
    /** Flag bit: this record carries no pixels and marks the clean end of a session. */
    public static final int FLAG_END_OF_SESSION = 1;

    /**
     * Flag bit: the CST filled this frame for a grid time that had no frame (on the filled-frames
     * topic); its counter is the grid index and its pixels are the model's.
     */
    public static final int FLAG_FILLED = 2;

    /** Recording session id; also the Kafka key, so a session stays on one partition. */
    public String sessionId = "";

    /** Camera id within the rig (e.g. a serial number). */
    public String cameraId = "";

    /** Frame counter as reported by the camera; consecutive frames differ by one. */
    public long frameCounter;

    /** Excitation wavelength in nm, or 0 when the channel is only named or unknown. */
    public int channelNm;

    /** Channel name (e.g. "gcamp", "isosbestic"); empty when the wavelength says it all. */
    public String channelName = "";

    /** Acquisition time on the camera clock, in nanoseconds from an arbitrary epoch. */
    public long acquisitionNanos;

    /** Time the host received the frame, in nanoseconds since the Unix epoch. */
    public long hostReceiveNanos;

    /** Width in pixels (columns). */
    public int width;

    /** Height in pixels (rows). */
    public int height;

    /** Pixel type of {@link #pixels}. */
    public PixelType pixelType = PixelType.UINT16;

    /** True if multi-byte pixels are little-endian. */
    public boolean littleEndian = true;

    /** Flag bits, see {@link #FLAG_END_OF_SESSION}. */
    public int flags;

    /** Row-major pixel bytes, {@code width * height * pixelType.bytesPerPixel()} long. */
    public byte[] pixels = new byte[0];

    /** Creates an empty frame; for serialisers. */
    public Frame() {}

    /** Returns the byte order of multi-byte pixels. */
    public ByteOrder byteOrder() {
        return littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /** Returns true if this record marks the end of its session rather than carrying pixels. */
    public boolean isEndOfSession() {
        return (flags & FLAG_END_OF_SESSION) != 0;
    }

    /** Returns the channel as a label: the wavelength ({@code "470nm"}) or the name. */
    public String channelLabel() {
        return channelLabel(channelName, channelNm);
    }

    /**
     * Returns the label of a channel given by name and wavelength: the name when there is one, else
     * {@code "<nm>nm"}, else {@code "unknown"}. Used for metric tags and state keys.
     */
    public static String channelLabel(String name, int nm) {
        if (name != null && !name.isEmpty()) {
            return name;
        }
        return nm > 0 ? nm + "nm" : "unknown";
    }

    /** Returns a short identity for log lines and error messages. */
    public String describe() {
        return "session="
                + sessionId
                + " camera="
                + cameraId
                + " frame="
                + frameCounter
                + " channel="
                + channelLabel();
    }

    /**
     * Creates an end-of-session marker for the given session.
     *
     * @param lastFrameCounter counter of the last frame the source acquired
     */
    public static Frame endOfSession(
            String sessionId, String cameraId, long lastFrameCounter, long hostReceiveNanos) {
        Frame f = new Frame();
        f.sessionId = sessionId;
        f.cameraId = cameraId;
        f.frameCounter = lastFrameCounter;
        f.hostReceiveNanos = hostReceiveNanos;
        f.flags = FLAG_END_OF_SESSION;
        return f;
    }

    @Override
    public String toString() {
        return "Frame{" + describe() + " " + width + "x" + height + " " + pixelType + "}";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Frame)) {
            return false;
        }
        Frame f = (Frame) o;
        return frameCounter == f.frameCounter
                && channelNm == f.channelNm
                && acquisitionNanos == f.acquisitionNanos
                && hostReceiveNanos == f.hostReceiveNanos
                && width == f.width
                && height == f.height
                && littleEndian == f.littleEndian
                && flags == f.flags
                && sessionId.equals(f.sessionId)
                && cameraId.equals(f.cameraId)
                && channelName.equals(f.channelName)
                && pixelType == f.pixelType
                && java.util.Arrays.equals(pixels, f.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sessionId, frameCounter, channelNm, acquisitionNanos);
    }
}
