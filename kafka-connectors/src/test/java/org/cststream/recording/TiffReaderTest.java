package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TiffReaderTest {
    /** Real frames written to TIFF; enough to cross page boundaries, few enough to be fast. */
    private static final int REAL_FRAMES = 60;

    @TempDir Path dir;

    private static List<Frame> realFrames() throws IOException {
        List<Frame> frames = new ArrayList<>();
        try (NpyFolderReader reader = NpyFolderReader.open(TestData.improvFrames())) {
            for (int i = 0; i < REAL_FRAMES; i++) {
                frames.add(reader.read(i));
            }
        }
        return frames;
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    @Test
    void multiPageTiffOfRealFramesReadsBackIdentically() throws IOException {
        List<Frame> frames = realFrames();
        Path tiff = dir.resolve("improv.tif");
        TestData.writeTiff(tiff, frames);

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            assertThat(reader.frameCount()).isEqualTo(REAL_FRAMES);
            assertThat(reader.width()).isEqualTo(256);
            assertThat(reader.height()).isEqualTo(440);
            assertThat(reader.pixelType()).isEqualTo(PixelType.INT16);
            for (int i : new int[] {REAL_FRAMES - 1, 0, 31, 7}) {
                Frame f = reader.read(i);

                assertThat(f.frameCounter).isEqualTo(i);
                assertThat(f.pixels).as("page %d", i).isEqualTo(frames.get(i).pixels);
            }
        }
    }

    @Test
    void tiffFolderOfRealFramesReadsBackIdenticallyInNaturalOrder() throws IOException {
        List<Frame> frames = realFrames();
        for (int i = 0; i < REAL_FRAMES; i++) {
            // unpadded names, so that lexical order would put 10 before 2
            TestData.writeTiff(
                    dir.resolve("frame_" + i + (i % 2 == 0 ? ".tif" : ".TIFF")),
                    List.of(frames.get(i)));
        }

        try (TiffFolderReader reader = TiffFolderReader.open(dir)) {
            assertThat(reader.frameCount()).isEqualTo(REAL_FRAMES);
            assertThat(reader.pixelType()).isEqualTo(PixelType.INT16);
            for (int i = 0; i < REAL_FRAMES; i++) {
                assertThat(reader.read(i).pixels).as("frame %d", i).isEqualTo(frames.get(i).pixels);
            }
        }
    }

    @Test
    void unsignedSixteenBitStaysUnsigned() throws IOException {
        Frame bright = TestData.frame(5, 4, PixelType.UINT16, (r, c) -> 65535 - 100 * r - c);
        Path tiff = dir.resolve("u16.tif");
        TestData.writeTiff(tiff, List.of(bright, bright));

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            Frame f = reader.read(1);

            assertThat(reader.pixelType()).isEqualTo(PixelType.UINT16);
            assertThat(TestData.pixel(f, 0, 0)).isEqualTo(65535);
            assertThat(TestData.pixel(f, 3, 4)).isEqualTo(65535 - 304);
            assertThat(f.pixels).isEqualTo(bright.pixels);
        }
    }

    @Test
    void readsEightBitPages() throws IOException {
        Frame gray = TestData.frame(7, 3, PixelType.UINT8, (r, c) -> 200 + 10 * r + c);
        Path tiff = dir.resolve("u8.tif");
        TestData.writeTiff(tiff, List.of(gray));

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            assertThat(reader.pixelType()).isEqualTo(PixelType.UINT8);
            assertThat(reader.read(0).pixels).isEqualTo(gray.pixels);
        }
    }

    @Test
    void readsThirtyTwoBitFloatPages() throws IOException {
        Path tiff = dir.resolve("f32.tif");
        TestData.writeRawTiff(
                tiff,
                3,
                2,
                32,
                3,
                List.of(floats(0f, -1.5f, 2.25f, 1e6f, -0f, 7f), floats(1, 2, 3, 4, 5, 6)),
                0);

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            Frame first = reader.read(0);

            assertThat(reader.frameCount()).isEqualTo(2);
            assertThat(reader.pixelType()).isEqualTo(PixelType.FLOAT32);
            assertThat(TestData.pixel(first, 0, 1)).isEqualTo(-1.5);
            assertThat(TestData.pixel(first, 1, 0)).isEqualTo(1e6);
            assertThat(TestData.pixel(reader.read(1), 1, 2)).isEqualTo(6.0);
        }
    }

    @Test
    void opensWithoutDecodingPagesAndNamesTheUnreadablePage() throws IOException {
        Path tiff = dir.resolve("broken.tif");
        byte[] page = new byte[3 * 2 * 2];
        TestData.writeRawTiff(tiff, 3, 2, 16, 1, List.of(page, page, page), 0);
        // page 1's pixels point outside the file while page 2 is whole: damage, not a cut
        byte[] bytes = Files.readAllBytes(tiff);
        int ifdBytes = 2 + 10 * 12 + 4;
        int stripOffsetOfPage1 = 8 + (ifdBytes + page.length) + 2 + 5 * 12 + 8;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(stripOffsetOfPage1, 1 << 20);
        Files.write(tiff, bytes);

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            assertThat(reader.frameCount()).isEqualTo(3);
            assertThat(reader.read(0).pixels).isEqualTo(page);
            assertThat(reader.read(2).pixels).isEqualTo(page);
            assertThatThrownBy(() -> reader.read(1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("broken.tif")
                    .hasMessageContaining("page 1 is unreadable");
        }
    }

    @Test
    void aStackWhosePixelsStopPartWayGivesItsWholePages() throws IOException {
        Path tiff = dir.resolve("short.tif");
        byte[] page = new byte[3 * 2 * 2];
        TestData.writeRawTiff(tiff, 3, 2, 16, 1, List.of(page, page, page), 1_000_000);

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            assertThat(reader.frameCount()).isEqualTo(1);
            assertThat(reader.read(0).pixels).isEqualTo(page);
            assertThat(reader.describe()).contains("cut short after page 0");
        }
    }

    @Test
    void rejectsAPageOfAnotherSizeNamingIt() throws IOException {
        Path tiff = dir.resolve("mixed.tif");
        TestData.writeTiff(
                tiff,
                List.of(
                        TestData.frame(4, 4, PixelType.UINT16, (r, c) -> 1),
                        TestData.frame(4, 5, PixelType.UINT16, (r, c) -> 1)));

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            assertThatThrownBy(() -> reader.read(1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("mixed.tif")
                    .hasMessageContaining("page 1 is 4x5 uint16")
                    .hasMessageContaining("4x4 uint16");
        }
    }

    @Test
    void rejectsAFileThatIsNotATiff() throws IOException {
        Path tiff = dir.resolve("fake.tif");
        Files.writeString(tiff, "this is not a TIFF");

        assertThatThrownBy(() -> TiffStackReader.open(tiff))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("fake.tif")
                .hasMessageContaining("not a TIFF");
    }

    @Test
    void rejectsAnUnsupportedSampleLayout() throws IOException {
        Path tiff = dir.resolve("u32.tif");
        TestData.writeRawTiff(tiff, 2, 2, 32, 1, List.of(new byte[16]), 0);

        assertThatThrownBy(() -> TiffStackReader.open(tiff))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("u32.tif")
                .hasMessageContaining("page 0")
                .hasMessageContaining("32-bit samples");
    }

    @Test
    void tiffFolderNamesAFrameOfAnotherType() throws IOException {
        TestData.writeTiff(
                dir.resolve("0.tif"), List.of(TestData.frame(4, 4, PixelType.UINT16, (r, c) -> 1)));
        TestData.writeTiff(
                dir.resolve("1.tif"), List.of(TestData.frame(4, 4, PixelType.UINT8, (r, c) -> 1)));

        try (TiffFolderReader reader = TiffFolderReader.open(dir)) {
            assertThatThrownBy(() -> reader.read(1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("1.tif")
                    .hasMessageContaining("4x4 uint8");
        }
    }

    /** Writes 3 pages of 3x2 uint16 whose last directory says a fourth page lies past the end. */
    private Path stackWithADanglingLastPage() throws IOException {
        Path tiff = dir.resolve("cut.tif");
        List<byte[]> pages = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            byte[] page = new byte[3 * 2 * 2];
            page[0] = (byte) (10 + p);
            pages.add(page);
        }
        TestData.writeRawTiff(tiff, 3, 2, 16, 1, pages, 0);
        byte[] bytes = Files.readAllBytes(tiff);
        int ifdBytes = 2 + 10 * 12 + 4;
        int lastIfd = 8 + 2 * (ifdBytes + 12);
        ByteBuffer.wrap(bytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(lastIfd + 2 + 10 * 12, bytes.length + 4096);
        Files.write(tiff, bytes);
        return tiff;
    }

    @Test
    void aStackWhoseLastPageOffsetPointsPastTheEndGivesItsWholePages() throws IOException {
        Path tiff = stackWithADanglingLastPage();

        try (TiffStackReader reader = TiffStackReader.open(tiff)) {
            assertThat(reader.frameCount()).isEqualTo(3);
            assertThat(reader.read(2).pixels[0]).isEqualTo((byte) 12);
            assertThat(reader.describe()).contains("cut short");
        }
    }

    @Test
    void refusesAPageWhoseHeaderClaimsAFrameNoRecordCanCarryBeforeReadingIt() throws IOException {
        Path tiff = dir.resolve("huge.tif");
        TestData.writeRawTiff(tiff, 30_000, 30_000, 16, 1, List.of(new byte[16]), 0);

        assertThatThrownBy(() -> TiffStackReader.open(tiff).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("huge.tif")
                .hasMessageContaining("30000x30000")
                .hasMessageContaining("a frame record can carry");
    }
}
