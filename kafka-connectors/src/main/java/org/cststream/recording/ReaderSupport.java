package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;

/** Checks and frame construction shared by the readers of this package. */
final class ReaderSupport {
    /**
     * Largest frame a reader hands out, bytes: what one frame record can carry through Kafka, so a
     * file whose header claims a huge frame is refused before anything is allocated.
     */
    static final long MAX_FRAME_BYTES =
            org.cststream.kafka.KafkaSettings.MAX_RECORD_BYTES - 64 * 1024;

    private ReaderSupport() {}

    /**
     * Checks a frame geometry read from a file and returns the frame size in bytes.
     *
     * @throws IOException naming the file if a side is outside 1..{@link
     *     FrameCodec#MAX_SIDE_PIXELS} or the frame is larger than {@link #MAX_FRAME_BYTES}
     */
    static int frameBytes(Path path, long width, long height, PixelType type) throws IOException {
        if (width < 1
                || height < 1
                || width > FrameCodec.MAX_SIDE_PIXELS
                || height > FrameCodec.MAX_SIDE_PIXELS) {
            throw new IOException(
                    path
                            + ": frame size "
                            + width
                            + "x"
                            + height
                            + " (width x height) is outside 1.."
                            + FrameCodec.MAX_SIDE_PIXELS
                            + " pixels per side");
        }
        long bytes = width * height * type.bytesPerPixel();
        if (bytes > MAX_FRAME_BYTES) {
            throw new IOException(
                    path
                            + ": one frame of "
                            + width
                            + "x"
                            + height
                            + " "
                            + typeName(type)
                            + " is "
                            + bytes
                            + " bytes, more than the "
                            + MAX_FRAME_BYTES
                            + " a frame record can carry; bin or crop the recording first");
        }
        return (int) bytes;
    }

    /**
     * Checks a frame index against the frame count.
     *
     * @throws IndexOutOfBoundsException naming the index, the valid range and the source
     */
    static void checkIndex(int index, int frameCount, Object source) {
        if (index < 0 || index >= frameCount) {
            throw new IndexOutOfBoundsException(
                    "frame index "
                            + index
                            + " is outside 0.."
                            + (frameCount - 1)
                            + " of "
                            + source);
        }
    }

    /** Returns a frame with geometry, pixels and counter set and no acquisition time (-1). */
    static Frame frame(
            int index, int width, int height, PixelType type, ByteOrder order, byte[] pixels) {
        Frame f = new Frame();
        f.frameCounter = index;
        f.acquisitionNanos = -1;
        f.width = width;
        f.height = height;
        f.pixelType = type;
        f.littleEndian = type.bytesPerPixel() == 1 || order == ByteOrder.LITTLE_ENDIAN;
        f.pixels = pixels;
        return f;
    }

    /** Returns the lower-case NumPy-style name of a pixel type, e.g. {@code uint16}. */
    static String typeName(PixelType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    /** Returns the common tail of {@code describe()}: frame count, size and type. */
    static String describeShape(int frameCount, int width, int height, PixelType type) {
        return "frames="
                + frameCount
                + " rows x cols="
                + height
                + "x"
                + width
                + " type="
                + typeName(type);
    }

    /** Returns the file name's extension in lower case without the dot, or "". */
    static String extension(Path path) {
        Path name = path.getFileName();
        if (name == null) {
            return "";
        }
        String s = name.toString();
        int dot = s.lastIndexOf('.');
        return dot < 0 ? "" : s.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
