package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFolderReaderTest {
    @TempDir Path dir;

    private void writeFrame(String name, int rows, int cols, float value) throws IOException {
        float[] data = new float[rows * cols];
        java.util.Arrays.fill(data, value);
        NpyWriter.write(dir.resolve(name), data, rows, cols);
    }

    @Test
    void readsAllRealImprovFramesWithTheirShape() throws IOException {
        Path frames = TestData.improvFrames();

        try (NpyFolderReader reader = NpyFolderReader.open(frames)) {
            Frame last = reader.read(TestData.IMPROV_FRAMES - 1);

            assertThat(reader.frameCount()).isEqualTo(TestData.IMPROV_FRAMES);
            assertThat(reader.height()).isEqualTo(TestData.IMPROV_HEIGHT);
            assertThat(reader.width()).isEqualTo(TestData.IMPROV_WIDTH);
            assertThat(reader.pixelType()).isEqualTo(PixelType.INT16);
            assertThat(reader.files().get(299).getFileName().toString()).isEqualTo("0299.npy");
            assertThat(last.frameCounter).isEqualTo(299);
            assertThat(last.acquisitionNanos).isEqualTo(-1);
            assertThat(last.littleEndian).isTrue();
            assertThat(last.pixels).hasSize(440 * 256 * 2);
        }
    }

    @Test
    void realPixelsMatchAnIndependentRead() throws IOException {
        Path frames = TestData.improvFrames();
        int[][] probes = {{0, 0}, {0, 255}, {439, 0}, {439, 255}, {220, 128}, {17, 201}};

        try (NpyFolderReader reader = NpyFolderReader.open(frames)) {
            for (int index : new int[] {0, 1, 150, 299}) {
                Frame f = reader.read(index);
                Path file = frames.resolve(String.format("%04d.npy", index));
                for (int[] p : probes) {
                    short expected = TestData.independentPixel(file, p[0], p[1], 256);

                    assertThat(TestData.pixel(f, p[0], p[1]))
                            .as("frame %d pixel (%d, %d)", index, p[0], p[1])
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void realFrameBytesEqualTheFileDataExactly() throws IOException {
        Path file = TestData.improvFrames().resolve("0042.npy");
        byte[] all = Files.readAllBytes(file);
        ByteBuffer header = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int offset = 10 + (header.getShort(8) & 0xFFFF);
        byte[] expected = java.util.Arrays.copyOfRange(all, offset, all.length);

        Frame f;
        try (NpyFolderReader reader = NpyFolderReader.open(file.getParent())) {
            f = reader.read(42);
        }

        assertThat(f.pixels).isEqualTo(expected);
    }

    @Test
    void ordersFilesNumericallyNotLexically() throws IOException {
        writeFrame("10.npy", 2, 3, 10f);
        writeFrame("2.npy", 2, 3, 2f);
        writeFrame("1.npy", 2, 3, 1f);
        Files.writeString(dir.resolve("notes.txt"), "ignored");

        try (NpyFolderReader reader = NpyFolderReader.open(dir)) {
            assertThat(reader.frameCount()).isEqualTo(3);
            assertThat(TestData.pixel(reader.read(0), 0, 0)).isEqualTo(1f);
            assertThat(TestData.pixel(reader.read(1), 0, 0)).isEqualTo(2f);
            assertThat(TestData.pixel(reader.read(2), 1, 2)).isEqualTo(10f);
        }
    }

    @Test
    void rejectsAFolderWhoseFramesDifferInShapeNamingTheFile() throws IOException {
        writeFrame("0.npy", 2, 3, 0f);
        writeFrame("1.npy", 2, 3, 0f);
        writeFrame("2.npy", 3, 2, 0f);

        assertThatThrownBy(() -> NpyFolderReader.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("2.npy")
                .hasMessageContaining("(3, 2)")
                .hasMessageContaining("must share shape and dtype");
    }

    @Test
    void rejectsAFolderWhoseFramesDifferInDtype() throws IOException {
        writeFrame("0.npy", 2, 2, 0f);
        NpyWriter.writeStack(
                dir.resolve("1.npy"), List.of(TestData.frame(2, 2, PixelType.UINT16, (r, c) -> 1)));

        assertThatThrownBy(() -> NpyFolderReader.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1.npy")
                .hasMessageContaining("<u2");
    }

    @Test
    void rejectsThreeDimensionalFramesInAFolder() throws IOException {
        NpyWriter.writeStack(
                dir.resolve("0.npy"), List.of(TestData.frame(2, 2, PixelType.UINT16, (r, c) -> 1)));

        assertThatThrownBy(() -> NpyFolderReader.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("0.npy")
                .hasMessageContaining("not 2-D");
    }

    @Test
    void rejectsAFolderWithoutNpyFiles() {
        assertThatThrownBy(() -> NpyFolderReader.open(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds no .npy files");
    }

    @Test
    void rejectsAFrameReplacedByOneOfAnotherShapeAtReadTime() throws IOException {
        writeFrame("0.npy", 2, 3, 0f);
        writeFrame("1.npy", 2, 3, 0f);

        try (NpyFolderReader reader = NpyFolderReader.open(dir)) {
            writeFrame("1.npy", 4, 4, 0f);

            assertThatThrownBy(() -> reader.read(1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("1.npy")
                    .hasMessageContaining("(4, 4)");
        }
    }

    @Test
    void rejectsAnIndexOutsideTheRecording() throws IOException {
        writeFrame("0.npy", 2, 3, 0f);

        try (NpyFolderReader reader = NpyFolderReader.open(dir)) {
            assertThatThrownBy(() -> reader.read(1))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("frame index 1 is outside 0..0");
        }
    }
}
