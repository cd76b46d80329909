package org.cststream.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.cststream.frame.FrameFormatException.Reason;

/**
 * Encodes and decodes patch-token records (magic {@code CSTT}, version 1; layout in {@code
 * docs/frame-format.md}). All integers and values are little-endian; the record ends with a CRC-32
 * of all preceding bytes.
 */
public final class TokenCodec {
    /** ASCII {@code CSTT} read as a little-endian int. */
    public static final int MAGIC = 0x54545343;

    public static final int VERSION = 1;

    private TokenCodec() {}

    /** Encodes tokens into a new byte array. */
    public static byte[] encode(PatchTokens t) {
        byte[] session = t.sessionId.getBytes(StandardCharsets.UTF_8);
        byte[] camera = t.cameraId.getBytes(StandardCharsets.UTF_8);
        byte[] channel = t.channelName.getBytes(StandardCharsets.UTF_8);
        int size =
                64 + 6 + session.length + camera.length + channel.length + 4 * t.values.length + 4;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC);
        b.put((byte) VERSION);
        b.put((byte) 0);
        b.putShort((short) 0);
        b.putLong(t.frameCounter);
        b.putLong(t.acquisitionNanos);
        b.putLong(t.hostReceiveNanos);
        b.putInt(t.channelNm);
        b.putInt(t.patchSize);
        b.putInt(t.gridRows);
        b.putInt(t.gridCols);
        b.putInt(t.frameHeight);
        b.putInt(t.frameWidth);
        b.putInt(t.binning);
        b.putInt(t.values.length);
        b.putShort((short) session.length).put(session);
        b.putShort((short) camera.length).put(camera);
        b.putShort((short) channel.length).put(channel);
        b.asFloatBuffer().put(t.values);
        b.position(b.position() + 4 * t.values.length);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, size - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Decodes a token record.
     *
     * @throws FrameFormatException if the record is not a valid token record
     */
    public static PatchTokens decode(byte[] record) throws FrameFormatException {
        if (record == null || record.length < 74) {
            throw new FrameFormatException(Reason.TRUNCATED, "token record too short");
        }
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != MAGIC) {
            throw new FrameFormatException(Reason.BAD_MAGIC, "not a token record (magic CSTT)");
        }
        int version = b.get();
        if (version != VERSION) {
            throw new FrameFormatException(
                    Reason.UNSUPPORTED_VERSION,
                    "token format version " + version + " is not supported");
        }
        b.get();
        b.getShort();
        PatchTokens t = new PatchTokens();
        t.frameCounter = b.getLong();
        t.acquisitionNanos = b.getLong();
        t.hostReceiveNanos = b.getLong();
        t.channelNm = b.getInt();
        t.patchSize = b.getInt();
        t.gridRows = b.getInt();
        t.gridCols = b.getInt();
        t.frameHeight = b.getInt();
        t.frameWidth = b.getInt();
        t.binning = b.getInt();
        int n = b.getInt();
        t.sessionId = string(b);
        t.cameraId = string(b);
        t.channelName = string(b);
        if (n < 0
                || b.remaining() != 4L * n + 4
                || n != t.gridRows * t.gridCols * t.patchSize * t.patchSize) {
            throw new FrameFormatException(
                    Reason.TRUNCATED,
                    "token record announces "
                            + n
                            + " values for a "
                            + t.gridRows
                            + "x"
                            + t.gridCols
                            + " grid of "
                            + t.patchSize
                            + "-pixel patches but holds "
                            + (b.remaining() - 4) / 4);
        }
        CRC32 crc = new CRC32();
        crc.update(record, 0, record.length - 4);
        int stored =
                ByteBuffer.wrap(record, record.length - 4, 4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getInt();
        if (stored != (int) crc.getValue()) {
            throw new FrameFormatException(Reason.BAD_CHECKSUM, "token record checksum mismatch");
        }
        t.values = new float[n];
        b.asFloatBuffer().get(t.values);
        return t;
    }

    private static String string(ByteBuffer b) throws FrameFormatException {
        int n = b.getShort() & 0xFFFF;
        if (n > b.remaining()) {
            throw new FrameFormatException(Reason.TRUNCATED, "token record string cut short");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
