package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawDatReaderTest {
    @TempDir Path dir;

    /** Value of (t, channel, row, col) in the test files; distinct for every pixel. */
    private static int value(int t, int ch, int row, int col) {
        return 40000 + 1000 * t + 100 * ch + 10 * row + col;
    }

    /** Writes a (T, NCH, H, W) little-endian uint16 array in C order. */
    private Path writeDat(String name, int t, int ch, int h, int w, int extraBytes)
            throws IOException {
        ByteBuffer b =
                ByteBuffer.allocate(t * ch * h * w * 2 + extraBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t; i++) {
            for (int c = 0; c < ch; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        b.putShort((short) value(i, c, y, x));
                    }
                }
            }
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void readsTwoInterleavedChannelsInFileOrder() throws IOException {
        Path p = writeDat("session_2_3_4_uint16.dat", 5, 2, 3, 4, 0);

        try (RawDatReader reader = RawDatReader.open(p)) {
            assertThat(reader.frameCount()).isEqualTo(10);
            assertThat(reader.channels()).isEqualTo(2);
            assertThat(reader.height()).isEqualTo(3);
            assertThat(reader.width()).isEqualTo(4);
            assertThat(reader.pixelType()).isEqualTo(PixelType.UINT16);
            for (int i = 0; i < 10; i++) {
                Frame f = reader.read(i);
                int t = i / 2;
                int ch = i % 2;

                assertThat(f.frameCounter).isEqualTo(i);
                assertThat(TestData.pixel(f, 0, 0)).isEqualTo(value(t, ch, 0, 0));
                assertThat(TestData.pixel(f, 2, 3)).isEqualTo(value(t, ch, 2, 3));
            }
        }
    }

    @Test
    void describesChannelsAndSize() throws IOException {
        Path p = writeDat("s_2_3_4_uint16.dat", 1, 2, 3, 4, 0);

        try (RawDatReader reader = RawDatReader.open(p)) {
            assertThat(reader.describe())
                    .contains(
                            "raw-dat", "frames=2", "rows x cols=3x4", "type=uint16", "channels=2");
        }
    }

    @Test
    void rejectsANameOutsideTheConventionShowingThePattern() throws IOException {
        Path p = writeDat("session.dat", 1, 1, 2, 2, 0);

        assertThatThrownBy(() -> RawDatReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("session.dat")
                .hasMessageContaining("<name>_<NCHANNELS>_<H>_<W>_<DTYPE>.dat");
    }

    @Test
    void rejectsAnUnsupportedDtypeInTheName() throws IOException {
        Path p = writeDat("s_1_2_2_float64.dat", 1, 1, 2, 2, 0);

        assertThatThrownBy(() -> RawDatReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("DTYPE 'float64'")
                .hasMessageContaining("uint16");
    }

    @Test
    void rejectsZeroChannels() throws IOException {
        Path p = writeDat("s_0_2_2_uint16.dat", 1, 1, 2, 2, 0);

        assertThatThrownBy(() -> RawDatReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("NCHANNELS '0'");
    }

    @Test
    void rejectsLeftoverBytesSayingHowMany() throws IOException {
        Path p = writeDat("s_2_3_4_uint16.dat", 2, 2, 3, 4, 7);

        assertThatThrownBy(() -> RawDatReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("s_2_3_4_uint16.dat")
                .hasMessageContaining("4 frames and 7 bytes left over");
    }

    @Test
    void rejectsAnIncompleteLastTimePoint() throws IOException {
        Path p = writeDat("s_2_3_4_uint16.dat", 3, 1, 3, 4, 0);

        assertThatThrownBy(() -> RawDatReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds 3 frames")
                .hasMessageContaining("2 channels");
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        Path p = writeDat("s_1_3_4_uint16.dat", 0, 1, 3, 4, 0);

        assertThatThrownBy(() -> RawDatReader.open(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds no frames");
    }
}
