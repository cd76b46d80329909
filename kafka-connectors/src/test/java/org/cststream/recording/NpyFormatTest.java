package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelConversion;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFormatTest {
    @TempDir Path dir;

    /** Writes a .npy with the given version and header dict and {@code dataBytes} of zeros. */
    private Path npy(String name, int major, String dict, int dataBytes) throws IOException {
        byte[] text =
                (dict + "\n")
                        .getBytes(
                                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(NpyFormat.MAGIC);
        out.write(major);
        out.write(0);
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) text.length);
        } else {
            len.putInt(text.length);
        }
        out.write(len.array());
        out.write(text);
        out.write(new byte[dataBytes]);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void readsTheRealImprovHeader() throws IOException {
        Path file = TestData.improvFrames().resolve("0000.npy");

        NpyFormat.Header h = NpyFormat.readHeader(file);

        assertThat(h.version()).isEqualTo("1.0");
        assertThat(h.descr()).isEqualTo("<i2");
        assertThat(h.pixelType()).isEqualTo(PixelType.INT16);
        assertThat(h.byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(h.shape()).containsExactly(440, 256);
        assertThat(h.dataOffset()).isEqualTo(128);
    }

    @Test
    void parsesVersionTwoAndThreeHeaders() throws IOException {
        Path v2 =
                npy("v2.npy", 2, "{'descr': '<u2', 'fortran_order': False, 'shape': (3, 4), }", 24);
        Path v3 =
                npy(
                        "v3.npy",
                        3,
                        "{\"descr\": \"|u1\", \"fortran_order\": False,"
                                + " \"shape\": (2, 5), \"note\": \"\u00e9t\u00e9\"}",
                        10);

        NpyFormat.Header h2 = NpyFormat.readHeader(v2);
        NpyFormat.Header h3 = NpyFormat.readHeader(v3);

        assertThat(h2.version()).isEqualTo("2.0");
        assertThat(h2.pixelType()).isEqualTo(PixelType.UINT16);
        assertThat(h2.shape()).containsExactly(3, 4);
        assertThat(h3.version()).isEqualTo("3.0");
        assertThat(h3.pixelType()).isEqualTo(PixelType.UINT8);
        assertThat(h3.shape()).containsExactly(2, 5);
    }

    @Test
    void readsBigEndianDtypeAndOneElementShape() throws IOException {
        Path p = npy("be.npy", 1, "{'descr': '>u2', 'fortran_order': False, 'shape': (5,), }", 10);

        NpyFormat.Header h = NpyFormat.readHeader(p);

        assertThat(h.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(h.pixelType()).isEqualTo(PixelType.UINT16);
        assertThat(h.shape()).containsExactly(5);
        assertThat(h.shapeText()).isEqualTo("(5,)");
    }

    @Test
    void rejectsFortranOrderNamingTheFile() throws IOException {
        Path p = npy("f.npy", 1, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 2), }", 8);

        assertThatThrownBy(() -> NpyFormat.readHeader(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("f.npy")
                .hasMessageContaining("fortran_order True");
    }

    @Test
    void rejectsUnsupportedDtypeListingTheSupportedOnes() throws IOException {
        Path p = npy("d.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 32);

        assertThatThrownBy(() -> NpyFormat.readHeader(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("d.npy")
                .hasMessageContaining("dtype '<f8' is not supported")
                .hasMessageContaining("<u2");
    }

    @Test
    void rejectsStructuredDtype() throws IOException {
        Path p =
                npy(
                        "s.npy",
                        1,
                        "{'descr': [('a', '<u2')], 'fortran_order': False, 'shape': (2,), }",
                        4);

        assertThatThrownBy(() -> NpyFormat.readHeader(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("structured dtypes are not supported");
    }

    @Test
    void rejectsAFileShorterThanItsHeaderAnnounces() throws IOException {
        Path p = npy("t.npy", 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (4, 4), }", 30);

        assertThatThrownBy(() -> NpyFormat.readHeader(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("t.npy")
                .hasMessageContaining("the file has");
    }

    @Test
    void rejectsAFileWithoutTheNumpyMagic() throws IOException {
        Path p = dir.resolve("x.npy");
        Files.write(p, "not numpy at all".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> NpyFormat.readHeader(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("x.npy")
                .hasMessageContaining("not a .npy file");
    }

    @Test
    void rejectsUnknownFormatVersion() throws IOException {
        Path p = npy("v9.npy", 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", 2);
        byte[] bytes = Files.readAllBytes(p);
        bytes[6] = 9;
        Files.write(p, bytes);

        assertThatThrownBy(() -> NpyFormat.readHeader(p))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 9.0 is not supported");
    }

    @Test
    void writerRoundTripsFloatMatrixWithAlignedData() throws IOException {
        float[] data = {0f, -1.5f, 3.25f, Float.MAX_VALUE, 1e-7f, 42f};
        Path p = dir.resolve("m.npy");

        NpyWriter.write(p, data, 2, 3);
        NpyFormat.Header h = NpyFormat.readHeader(p);
        Frame f;
        try (NpyStackReader r = NpyStackReader.open(p)) {
            f = r.read(0);
        }

        assertThat(h.descr()).isEqualTo("<f4");
        assertThat(h.shape()).containsExactly(2, 3);
        assertThat(h.dataOffset() % 64).isZero();
        assertThat(f.width).isEqualTo(3);
        assertThat(f.height).isEqualTo(2);
        assertThat(PixelConversion.toFloats(f)).containsExactly(data);
    }

    @Test
    void writerRejectsDataThatDoesNotMatchTheShape() {
        Path p = dir.resolve("bad.npy");

        assertThatThrownBy(() -> NpyWriter.write(p, new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data has 5 values")
                .hasMessageContaining("needs 6");
    }

    @Test
    void writerStackRoundTripsBigEndianFramesAsLittleEndian() throws IOException {
        Frame be = TestData.frame(3, 2, PixelType.UINT16, (r, c) -> 60000 + 10 * r + c);
        ByteBuffer swapped = ByteBuffer.allocate(be.pixels.length).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer le = ByteBuffer.wrap(be.pixels).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            swapped.putShort(le.getShort(2 * i));
        }
        Frame bigEndian = TestData.frame(3, 2, PixelType.UINT16, (r, c) -> 0);
        bigEndian.pixels = swapped.array();
        bigEndian.littleEndian = false;
        Path p = dir.resolve("stack.npy");

        NpyWriter.writeStack(p, List.of(be, bigEndian));
        Frame second;
        try (NpyStackReader r = NpyStackReader.open(p)) {
            second = r.read(1);
        }

        assertThat(NpyFormat.readHeader(p).descr()).isEqualTo("<u2");
        assertThat(second.littleEndian).isTrue();
        assertThat(second.pixels).isEqualTo(be.pixels);
        assertThat(TestData.pixel(second, 1, 2)).isEqualTo(60012);
    }

    @Test
    void writerSwitchesToVersionTwoWhenTheHeaderExceeds64KiB() throws IOException {
        // 25000 axes of length 1 print as a shape tuple of about 75000 characters
        long[] shape = new long[25_000];
        java.util.Arrays.fill(shape, 1);
        Path p = dir.resolve("wide.npy");

        NpyWriter.write(
                p,
                PixelType.UINT8,
                ByteOrder.LITTLE_ENDIAN,
                shape,
                List.of(ByteBuffer.allocate(1)));
        NpyFormat.Header h = NpyFormat.readHeader(p);

        assertThat(h.version()).isEqualTo("2.0");
        assertThat(h.ndim()).isEqualTo(25_000);
        assertThat(h.dataOffset() % 64).isZero();
    }
}
