package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Writes uncompressed little-endian TIFF files of grayscale frames (8/16-bit, signed or not, or
 * 32-bit float), one strip per page, each page optionally with an ImageDescription text, as
 * acquisition software does. Used by the watch-folder benchmark and tests; {@link TiffStackReader}
 * and {@link TiffPages} read the result.
 *
 * <p>Layout: header, then per page its directory, its description and its pixels; each directory
 * points to the next. A prefix of the bytes is therefore what a writer that appends pages leaves on
 * disk part way through.
 */
public final class TiffWriter {
    private static final int ENTRIES_WITHOUT_TEXT = 10;

    private TiffWriter() {}

    /**
     * Encodes frames as the pages of one TIFF.
     *
     * @param frames one or more frames; each page takes its frame's size and type
     * @param descriptions ImageDescription per page (null entries or a null list: none)
     * @throws IllegalArgumentException if the list is empty or a frame's pixels do not match it
     */
    public static byte[] encode(List<Frame> frames, List<String> descriptions) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to write");
        }
        long total = 8;
        for (int i = 0; i < frames.size(); i++) {
            total += pageBytes(frames.get(i), text(descriptions, i));
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "TIFF of " + total + " bytes is over the 2 GiB this writer makes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            byte[] text = text(descriptions, i);
            int entries = ENTRIES_WITHOUT_TEXT + (text == null ? 0 : 1);
            int ifd = b.position();
            int textAt = ifd + 2 + entries * 12 + 4;
            int dataAt = textAt + (text == null ? 0 : text.length);
            byte[] pixels = littleEndian(f);
            int next = i + 1 < frames.size() ? dataAt + pixels.length : 0;
            b.putShort((short) entries);
            entry(b, 256, 4, 1, f.width);
            entry(b, 257, 4, 1, f.height);
            entry(b, 258, 3, 1, 8 * f.pixelType.bytesPerPixel());
            entry(b, 259, 3, 1, 1);
            entry(b, 262, 3, 1, 1);
            if (text != null) {
                entry(b, 270, 2, text.length, textAt);
            }
            entry(b, 273, 4, 1, dataAt);
            entry(b, 277, 3, 1, 1);
            entry(b, 278, 4, 1, f.height);
            entry(b, 279, 4, 1, pixels.length);
            entry(b, 339, 3, 1, sampleFormat(f.pixelType));
            b.putInt(next);
            if (text != null) {
                b.put(text);
            }
            b.put(pixels);
        }
        return b.array();
    }

    /**
     * Writes one frame as a single-page TIFF, replacing the file.
     *
     * @param description ImageDescription text, or null
     */
    public static void write(Path path, Frame frame, String description) throws IOException {
        Files.write(
                path, encode(List.of(frame), description == null ? null : List.of(description)));
    }

    private static long pageBytes(Frame f, byte[] text) {
        long expected = (long) f.width * f.height * f.pixelType.bytesPerPixel();
        if (f.pixels.length != expected) {
            throw new IllegalArgumentException(
                    f.describe() + ": pixels has " + f.pixels.length + " bytes, not " + expected);
        }
        int entries = ENTRIES_WITHOUT_TEXT + (text == null ? 0 : 1);
        return 2 + entries * 12L + 4 + (text == null ? 0 : text.length) + expected;
    }

    private static byte[] text(List<String> descriptions, int i) {
        if (descriptions == null || i >= descriptions.size() || descriptions.get(i) == null) {
            return null;
        }
        byte[] s = descriptions.get(i).getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        // TIFF ASCII values end with a NUL; an even length keeps the pixel data word-aligned, and
        // more than 4 bytes keeps the value out of the directory entry itself
        int length = Math.max(6, z.length + z.length % 2);
        return java.util.Arrays.copyOf(z, length);
    }

    private static byte[] littleEndian(Frame f) {
        int bpp = f.pixelType.bytesPerPixel();
        if (f.littleEndian || bpp == 1) {
            return f.pixels;
        }
        byte[] out = new byte[f.pixels.length];
        for (int i = 0; i < out.length; i += bpp) {
            for (int k = 0; k < bpp; k++) {
                out[i + k] = f.pixels[i + bpp - 1 - k];
            }
        }
        return out;
    }

    private static int sampleFormat(PixelType type) {
        switch (type) {
            case INT16:
                return 2;
            case FLOAT32:
                return 3;
            default:
                return 1;
        }
    }

    private static void entry(ByteBuffer b, int tag, int type, int count, long value) {
        b.putShort((short) tag).putShort((short) type).putInt(count);
        if (type == 3) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt((int) value);
        }
    }
}
