package org.cststream.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.cststream.frame.FrameFormatException.Reason;

/**
 * Encodes and decodes the frame record, version 1 (the layout is in {@code docs/frame-format.md}).
 *
 * <p>Header integers are little-endian; pixel bytes keep the camera's byte order, which the header
 * states. The record ends with a CRC-32 (the zlib/IEEE polynomial, available in every language's
 * standard library) over all preceding bytes.
 */
public final class FrameCodec {
    /** First four bytes of every frame record: ASCII {@code CSTF}. */
    public static final int MAGIC = 0x46545343; // "CSTF" read as a little-endian int

    /** The format version this codec writes. */
    public static final int VERSION = 1;

    /** Bytes before the three length-prefixed strings. */
    public static final int FIXED_HEADER_BYTES = 48;

    /** Largest width or height accepted, in pixels. */
    public static final int MAX_SIDE_PIXELS = 65_536;

    /** Largest string field accepted, in bytes. */
    public static final int MAX_STRING_BYTES = 1024;

    private FrameCodec() {}

    /** Returns the encoded size of the frame in bytes. */
    public static int encodedSize(Frame frame) {
        return FIXED_HEADER_BYTES
                + 6
                + utf8(frame.sessionId).length
                + utf8(frame.cameraId).length
                + utf8(frame.channelName).length
                + frame.pixels.length
                + 4;
    }

    /**
     * Encodes a frame into a new byte array.
     *
     * @throws IllegalArgumentException if the pixel array does not match width, height and type, or
     *     a string field is longer than {@value #MAX_STRING_BYTES} bytes
     */
    public static byte[] encode(Frame frame) {
        byte[] session = utf8(frame.sessionId);
        byte[] camera = utf8(frame.cameraId);
        byte[] channel = utf8(frame.channelName);
        checkString("session id", session);
        checkString("camera id", camera);
        checkString("channel name", channel);
        long expected = (long) frame.width * frame.height * frame.pixelType.bytesPerPixel();
        if (!frame.isEndOfSession() && expected != frame.pixels.length) {
            throw new IllegalArgumentException(
                    "pixels has "
                            + frame.pixels.length
                            + " bytes but "
                            + frame.width
                            + "x"
                            + frame.height
                            + " "
                            + frame.pixelType
                            + " needs "
                            + expected);
        }
        int size =
                FIXED_HEADER_BYTES
                        + 6
                        + session.length
                        + camera.length
                        + channel.length
                        + frame.pixels.length
                        + 4;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC);
        b.put((byte) VERSION);
        b.put((byte) frame.pixelType.code());
        b.put((byte) (frame.littleEndian ? 0 : 1));
        b.put((byte) frame.flags);
        b.putInt(frame.width);
        b.putInt(frame.height);
        b.putLong(frame.frameCounter);
        b.putLong(frame.acquisitionNanos);
        b.putLong(frame.hostReceiveNanos);
        b.putInt(frame.channelNm);
        b.putInt(frame.pixels.length);
        putString(b, session);
        putString(b, camera);
        putString(b, channel);
        b.put(frame.pixels);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, size - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Decodes and validates a frame record.
     *
     * @param record the Kafka record value
     * @throws FrameFormatException naming the broken rule, what was found and what to do
     */
    public static Frame decode(byte[] record) throws FrameFormatException {
        if (record != null && record.length >= 4) {
            int magic = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (magic != MAGIC) {
                throw new FrameFormatException(
                        Reason.BAD_MAGIC,
                        String.format(
                                "record starts with 0x%08x, not the frame magic 'CSTF'; a producer"
                                        + " is writing something other than frame records to this"
                                        + " topic",
                                magic));
            }
        }
        if (record == null || record.length < FIXED_HEADER_BYTES + 6 + 4) {
            throw new FrameFormatException(
                    Reason.TRUNCATED,
                    "record has "
                            + (record == null ? 0 : record.length)
                            + " bytes, fewer than the "
                            + (FIXED_HEADER_BYTES + 10)
                            + " of an empty frame header; the producer did"
                            + " not write a complete frame record");
        }
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        b.getInt();
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new FrameFormatException(
                    Reason.UNSUPPORTED_VERSION,
                    "frame format version "
                            + version
                            + " is not supported (this reader knows version "
                            + VERSION
                            + "); upgrade the job or downgrade the producer");
        }
        int typeCode = b.get() & 0xFF;
        boolean littleEndian = b.get() == 0;
        int flags = b.get() & 0xFF;
        int width = b.getInt();
        int height = b.getInt();
        Frame f = new Frame();
        f.frameCounter = b.getLong();
        f.acquisitionNanos = b.getLong();
        f.hostReceiveNanos = b.getLong();
        f.channelNm = b.getInt();
        int pixelBytes = b.getInt();
        f.sessionId = getString(b, "session id");
        f.cameraId = getString(b, "camera id");
        f.channelName = getString(b, "channel name");
        f.flags = flags;
        f.width = width;
        f.height = height;
        f.littleEndian = littleEndian;
        String where = f.describe();
        if (f.sessionId.isEmpty()) {
            throw new FrameFormatException(
                    Reason.MISSING_SESSION,
                    "frame "
                            + f.frameCounter
                            + " has an empty session id; every frame must name its recording"
                            + " session");
        }
        try {
            f.pixelType = PixelType.fromCode(typeCode);
        } catch (IllegalArgumentException e) {
            throw new FrameFormatException(
                    Reason.UNKNOWN_PIXEL_TYPE,
                    where
                            + ": "
                            + e.getMessage()
                            + "; convert the frame to a supported type at the source");
        }
        long headerBytes = b.position();
        if (pixelBytes < 0 || headerBytes + pixelBytes + 4 > record.length) {
            throw new FrameFormatException(
                    Reason.TRUNCATED,
                    where
                            + ": header announces "
                            + Integer.toUnsignedString(pixelBytes)
                            + " pixel bytes but the record has only "
                            + Math.max(0, record.length - headerBytes - 4)
                            + " after the header;"
                            + " the frame was cut short between camera and Kafka");
        }
        if (headerBytes + pixelBytes + 4 < record.length) {
            throw new FrameFormatException(
                    Reason.TRAILING_BYTES,
                    where
                            + ": record has "
                            + (record.length - headerBytes - pixelBytes - 4)
                            + " bytes after the checksum;"
                            + " the producer wrote something after the frame");
        }
        if (!f.isEndOfSession()) {
            if (width <= 0 || height <= 0 || width > MAX_SIDE_PIXELS || height > MAX_SIDE_PIXELS) {
                throw new FrameFormatException(
                        Reason.WRONG_DIMENSIONS,
                        where
                                + ": size "
                                + width
                                + "x"
                                + height
                                + " is outside 1.."
                                + MAX_SIDE_PIXELS
                                + " pixels per side");
            }
            long expected = (long) width * height * f.pixelType.bytesPerPixel();
            if (expected != pixelBytes) {
                throw new FrameFormatException(
                        Reason.WRONG_DIMENSIONS,
                        where
                                + ": header says "
                                + width
                                + "x"
                                + height
                                + " "
                                + f.pixelType.name().toLowerCase()
                                + " ("
                                + expected
                                + " bytes) but carries "
                                + pixelBytes
                                + " pixel bytes; check the camera's region and pixel format"
                                + " settings");
            }
        }
        CRC32 crc = new CRC32();
        crc.update(record, 0, record.length - 4);
        int stored =
                ByteBuffer.wrap(record, record.length - 4, 4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getInt();
        if (stored != (int) crc.getValue()) {
            throw new FrameFormatException(
                    Reason.BAD_CHECKSUM,
                    String.format(
                            "%s: checksum 0x%08x does not match the record's CRC-32 0x%08x; the"
                                + " frame was corrupted in transit or written by a producer that"
                                + " does not checksum the whole record",
                            where, stored, (int) crc.getValue()));
        }
        f.pixels = new byte[pixelBytes];
        b.get(f.pixels);
        return f;
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void checkString(String field, byte[] value) {
        if (value.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(
                    field
                            + " is "
                            + value.length
                            + " bytes; at most "
                            + MAX_STRING_BYTES
                            + " bytes are allowed");
        }
    }

    private static void putString(ByteBuffer b, byte[] value) {
        b.putShort((short) value.length);
        b.put(value);
    }

    private static String getString(ByteBuffer b, String field) throws FrameFormatException {
        if (b.remaining() < 2) {
            throw new FrameFormatException(
                    Reason.TRUNCATED, "record ends inside the " + field + " field");
        }
        int n = b.getShort() & 0xFFFF;
        if (n > MAX_STRING_BYTES || n > b.remaining()) {
            throw new FrameFormatException(
                    Reason.TRUNCATED,
                    field
                            + " announces "
                            + n
                            + " bytes but only "
                            + b.remaining()
                            + " remain (at most "
                            + MAX_STRING_BYTES
                            + " allowed); the record is cut short or not a frame record");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
