package org.cststream.job.frames;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/** Small frames for operator tests. */
final class TestFrames {
    private TestFrames() {}

    /** Returns a uint16 frame whose pixels all have {@code value}, 33.3 ms per counter. */
    static Frame uint16(String session, long counter, int width, int height, int value) {
        Frame f = new Frame();
        f.sessionId = session;
        f.cameraId = "cam";
        f.frameCounter = counter;
        f.channelNm = 470;
        f.acquisitionNanos = counter * 33_333_333L;
        f.hostReceiveNanos = 1_000_000_000L + f.acquisitionNanos;
        f.width = width;
        f.height = height;
        f.pixelType = PixelType.UINT16;
        ByteBuffer b = ByteBuffer.allocate(width * height * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < width * height; i++) {
            b.putShort((short) value);
        }
        f.pixels = b.array();
        return f;
    }

    /** Returns a uint16 frame with the given pixel values. */
    static Frame uint16(String session, long counter, int width, int height, int[] values) {
        Frame f = uint16(session, counter, width, height, 0);
        ByteBuffer b = ByteBuffer.wrap(f.pixels).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            b.putShort(2 * i, (short) values[i]);
        }
        return f;
    }

    static SourcedFrame sourced(Frame f, long offset) {
        KafkaRecord r = new KafkaRecord();
        r.topic = "cst.frames";
        r.partition = 0;
        r.offset = offset;
        return new SourcedFrame(f, r);
    }
}
