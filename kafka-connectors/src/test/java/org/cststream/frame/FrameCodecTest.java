package org.cststream.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.cststream.frame.FrameFormatException.Reason;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static Frame sample() {
        Frame f = new Frame();
        f.sessionId = "mouse42-2026-12-04";
        f.cameraId = "cam0";
        f.frameCounter = 1234;
        f.channelNm = 470;
        f.acquisitionNanos = 987_654_321L;
        f.hostReceiveNanos = 1_700_000_000_000_000_000L;
        f.width = 3;
        f.height = 2;
        f.pixelType = PixelType.UINT16;
        f.pixels = new byte[] {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, (byte) 0xFF, (byte) 0xFF};
        return f;
    }

    @Test
    void roundTripsEveryField() throws Exception {
        Frame f = sample();

        Frame back = FrameCodec.decode(FrameCodec.encode(f));

        assertThat(back).isEqualTo(f);
        assertThat(PixelConversion.toFloats(back)).containsExactly(1, 2, 3, 4, 5, 65535);
    }

    @Test
    void writesTheDocumentedHeaderLayout() {
        byte[] rec = FrameCodec.encode(sample());
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(new String(rec, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("CSTF");
        assertThat(rec[4]).isEqualTo((byte) 1);
        assertThat(rec[5]).isEqualTo((byte) PixelType.UINT16.code());
        assertThat(b.getInt(8)).isEqualTo(3);
        assertThat(b.getInt(12)).isEqualTo(2);
        assertThat(b.getLong(16)).isEqualTo(1234);
        assertThat(b.getInt(40)).isEqualTo(470);
        assertThat(b.getInt(44)).isEqualTo(12);
        assertThat(rec.length).isEqualTo(FrameCodec.encodedSize(sample()));
    }

    @Test
    void rejectsTruncatedPixelsNamingTheFrame() {
        byte[] rec = FrameCodec.encode(sample());
        byte[] cut = Arrays.copyOf(rec, rec.length - 6);

        assertThatThrownBy(() -> FrameCodec.decode(cut))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("frame=1234")
                .hasMessageContaining("cut short")
                .extracting(e -> ((FrameFormatException) e).reason())
                .isEqualTo(Reason.TRUNCATED);
    }

    @Test
    void rejectsDimensionsThatDoNotMatchThePixels() {
        Frame f = sample();
        byte[] rec = FrameCodec.encode(f);
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 4);

        assertThatThrownBy(() -> FrameCodec.decode(rec))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("4x2")
                .extracting(e -> ((FrameFormatException) e).reason())
                .isEqualTo(Reason.WRONG_DIMENSIONS);
    }

    @Test
    void rejectsAnUnknownPixelType() {
        byte[] rec = FrameCodec.encode(sample());
        rec[5] = 9;

        assertThatThrownBy(() -> FrameCodec.decode(rec))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("unknown pixel type code 9")
                .extracting(e -> ((FrameFormatException) e).reason())
                .isEqualTo(Reason.UNKNOWN_PIXEL_TYPE);
    }

    @Test
    void rejectsAFlippedPixelBitByChecksum() {
        byte[] rec = FrameCodec.encode(sample());
        rec[rec.length - 8] ^= 0x10;

        assertThatThrownBy(() -> FrameCodec.decode(rec))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("checksum")
                .extracting(e -> ((FrameFormatException) e).reason())
                .isEqualTo(Reason.BAD_CHECKSUM);
    }

    @Test
    void rejectsRecordsThatAreNotFrames() {
        byte[] json =
                "{\"hello\": \"world\", \"padding\": \"..........................\"}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> FrameCodec.decode(json))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("not the frame magic")
                .extracting(e -> ((FrameFormatException) e).reason())
                .isEqualTo(Reason.BAD_MAGIC);
    }

    @Test
    void carriesAnEndOfSessionMarkerWithoutPixels() throws Exception {
        Frame marker = Frame.endOfSession("s", "cam", 299, 5L);

        Frame back = FrameCodec.decode(FrameCodec.encode(marker));

        assertThat(back.isEndOfSession()).isTrue();
        assertThat(back.frameCounter).isEqualTo(299);
        assertThat(back.pixels).isEmpty();
    }
}
