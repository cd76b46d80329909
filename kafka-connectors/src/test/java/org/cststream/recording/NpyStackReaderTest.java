package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyStackReaderTest {
    @TempDir Path dir;

    @Test
    void readsRealFramesBackFromAStackInAnyOrder() throws IOException {
        List<Frame> frames = new ArrayList<>();
        try (NpyFolderReader folder = NpyFolderReader.open(TestData.improvFrames())) {
            for (int i = 0; i < 40; i++) {
                frames.add(folder.read(i));
            }
        }
        Path stack = dir.resolve("improv.npy");
        NpyWriter.writeStack(stack, frames);

        try (NpyStackReader reader = NpyStackReader.open(stack)) {
            assertThat(reader.frameCount()).isEqualTo(40);
            assertThat(reader.width()).isEqualTo(256);
            assertThat(reader.height()).isEqualTo(440);
            assertThat(reader.pixelType()).isEqualTo(PixelType.INT16);
            for (int i : new int[] {39, 0, 17, 17, 1}) {
                Frame f = reader.read(i);

                assertThat(f.frameCounter).isEqualTo(i);
                assertThat(f.pixels).as("frame %d", i).isEqualTo(frames.get(i).pixels);
            }
        }
    }

    @Test
    void opensATwoDimensionalFileAsOneFrame() throws IOException {
        Path p = dir.resolve("one.npy");
        NpyWriter.write(p, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);

        try (NpyStackReader reader = NpyStackReader.open(p)) {
            assertThat(reader.frameCount()).isEqualTo(1);
            assertThat(reader.height()).isEqualTo(3);
            assertThat(reader.width()).isEqualTo(2);
            assertThat(TestData.pixel(reader.read(0), 2, 1)).isEqualTo(6f);
        }
    }

    @Test
    void keepsBigEndianPixelsWithTheirByteOrder() throws IOException {
        Path p = dir.resolve("be.npy");
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        data.putShort((short) 1).putShort((short) 2).putShort((short) 65535).putShort((short) 4);
        NpyWriter.write(
                p,
                PixelType.UINT16,
                ByteOrder.BIG_ENDIAN,
                new long[] {2, 1, 2},
                List.of(data.flip()));

        try (NpyStackReader reader = NpyStackReader.open(p)) {
            Frame f = reader.read(1);

            assertThat(NpyFormat.readHeader(p).descr()).isEqualTo(">u2");
            assertThat(f.littleEndian).isFalse();
            assertThat(TestData.pixel(f, 0, 0)).isEqualTo(65535);
            assertThat(TestData.pixel(f, 0, 1)).isEqualTo(4);
        }
    }

    @Test
    void rejectsAOneDimensionalArray() throws IOException {
        Path p = dir.resolve("line.npy");
        NpyWriter.write(
                p,
                PixelType.UINT8,
                ByteOrder.LITTLE_ENDIAN,
                new long[] {4},
                List.of(ByteBuffer.allocate(4)));

        assertThatThrownBy(() -> NpyStackReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("line.npy")
                .hasMessageContaining("(4,)")
                .hasMessageContaining("(T, H, W)");
    }

    @Test
    void rejectsAStackWithoutFrames() throws IOException {
        Path p = dir.resolve("empty.npy");
        NpyWriter.write(
                p, PixelType.UINT16, ByteOrder.LITTLE_ENDIAN, new long[] {0, 4, 4}, List.of());

        assertThatThrownBy(() -> NpyStackReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds no frames");
    }

    @Test
    void refusesReadsAfterClose() throws IOException {
        Path p = dir.resolve("c.npy");
        NpyWriter.write(p, new float[] {1, 2}, 1, 2);
        NpyStackReader reader = NpyStackReader.open(p);

        reader.close();

        assertThatThrownBy(() -> reader.read(0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
    }
}
