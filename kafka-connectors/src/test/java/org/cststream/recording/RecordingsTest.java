package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingsTest {
    @TempDir Path dir;

    private static void assertOpensAs(Path path, Class<?> type, int frames) throws IOException {
        try (RecordingReader reader = Recordings.open(path)) {
            assertThat(reader).isInstanceOf(type);
            assertThat(reader.frameCount()).isEqualTo(frames);
        }
    }

    @Test
    void opensTheRealImprovFolderAsNpyFolder() throws IOException {
        Path frames = TestData.improvFrames();

        try (RecordingReader reader = Recordings.open(frames)) {
            assertThat(reader).isInstanceOf(NpyFolderReader.class);
            assertThat(reader.frameCount()).isEqualTo(300);
            assertThat(reader.describe())
                    .contains("npy-folder", "frames=300", "rows x cols=440x256", "type=int16");
        }
    }

    @Test
    void detectsEveryFileFormatFromThePath() throws IOException {
        Path single = dir.resolve("single.npy");
        NpyWriter.write(single, new float[4], 2, 2);
        Path stack = dir.resolve("stack.NPY");
        NpyWriter.write(
                stack,
                PixelType.UINT16,
                ByteOrder.LITTLE_ENDIAN,
                new long[] {3, 2, 2},
                List.of(ByteBuffer.allocate(24)));
        Path dat = dir.resolve("run_2_2_2_uint16.dat");
        Files.write(dat, new byte[4 * 2 * 2 * 2]);
        Path tif = dir.resolve("stack.tiff");
        TestData.writeTiff(
                tif,
                List.of(
                        TestData.frame(2, 2, PixelType.UINT16, (r, c) -> 1),
                        TestData.frame(2, 2, PixelType.UINT16, (r, c) -> 2)));

        assertOpensAs(single, NpyStackReader.class, 1);
        assertOpensAs(stack, NpyStackReader.class, 3);
        assertOpensAs(dat, RawDatReader.class, 4);
        assertOpensAs(tif, TiffStackReader.class, 2);
    }

    @Test
    void detectsAFolderOfTiffFrames() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("tiffs"));
        for (int i = 0; i < 3; i++) {
            TestData.writeTiff(
                    folder.resolve(i + ".tif"),
                    List.of(TestData.frame(2, 2, PixelType.UINT8, (r, c) -> 1)));
        }

        assertOpensAs(folder, TiffFolderReader.class, 3);
    }

    @Test
    void rejectsAnUnknownFormatListingTheSupportedOnes() throws IOException {
        Path avi = dir.resolve("movie.avi");
        Files.write(avi, new byte[16]);

        assertThatThrownBy(() -> Recordings.open(avi))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("movie.avi")
                .hasMessageContaining("unknown recording format")
                .hasMessageContaining(".npy stack")
                .hasMessageContaining(RawDatReader.NAME_PATTERN)
                .hasMessageContaining(".tif/.tiff");
    }

    @Test
    void rejectsAFolderWithoutFramesListingTheSupportedFormats() {
        assertThatThrownBy(() -> Recordings.open(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no .npy or .tif/.tiff frames")
                .hasMessageContaining("supported:");
    }

    @Test
    void rejectsAFolderMixingNpyAndTiff() throws IOException {
        NpyWriter.write(dir.resolve("0.npy"), new float[4], 2, 2);
        TestData.writeTiff(
                dir.resolve("1.tif"), List.of(TestData.frame(2, 2, PixelType.UINT8, (r, c) -> 1)));

        assertThatThrownBy(() -> Recordings.open(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both .npy (1) and TIFF (1)");
    }

    @Test
    void reportsAMissingPathAsNoSuchFile() {
        Path missing = dir.resolve("nothing-here.npy");

        assertThatThrownBy(() -> Recordings.open(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nothing-here.npy");
    }
}
