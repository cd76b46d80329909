package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TiffMetadataTest {

    static String hamamatsuHeader(long frame, double seconds) {
        long ms = Math.round(seconds * 1000);
        return String.format(
                "[Camera]\r\nModel = C11440\r\nExposure = 0.0099 s\r\nFrame_Number = %d\r\n"
                        + "Time_From_Start = %02d:%02d:%02d.%03d\r\n",
                frame, ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }

    @Test
    void readsFrameNumberAndTimeFromAHamamatsuStyleTextHeader() {
        TiffMetadata m = TiffMetadata.keyValues(hamamatsuHeader(1234, 3725.5));

        assertThat(m.frameNumber()).hasValue(1234);
        assertThat(m.timeFromStartNanos()).hasValue(3_725_500_000_000L);
        assertThat(m.layout()).isEqualTo("text");
    }

    @Test
    void readsTimesWithUnitsAndKeysWrittenDifferently() {
        assertThat(TiffMetadata.keyValues("Elapsed Time: 12.5 ms").timeFromStartNanos())
                .hasValue(12_500_000);
        assertThat(TiffMetadata.keyValues("timefromstart=2").timeFromStartNanos())
                .hasValue(2_000_000_000);
        assertThat(TiffMetadata.keyValues("Frame Count = 7").frameNumber()).hasValue(7);
        assertThat(TiffMetadata.keyValues("Exposure = 10 ms\nGain = 2")).isNull();
        assertThat(TiffMetadata.parseTimeNanos("01:02.250", "s")).hasValue(62_250_000_000L);
        assertThat(TiffMetadata.parseTimeNanos("soon", "s")).isEmpty();
    }

    @Test
    void readsPlanesOfOmeXmlByPage() {
        String ome =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">"
                        + "<Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" SizeT=\"2\">"
                        + "<Plane TheT=\"40\" TheZ=\"0\" TheC=\"0\" DeltaT=\"1.5\"/>"
                        + "<Plane TheT=\"41\" TheZ=\"0\" TheC=\"0\" DeltaT=\"1533.3\""
                        + " DeltaTUnit=\"ms\"/>"
                        + "</Pixels></Image></OME>";

        TiffMetadata second = TiffMetadata.of(List.of(ome), List.of(), 1);

        assertThat(second.layout()).isEqualTo("ome");
        assertThat(second.frameNumber()).hasValue(41);
        assertThat(second.timeFromStartNanos()).hasValue(1_533_300_000L);
        assertThat(TiffMetadata.of(List.of(ome), List.of(), 0).timeFromStartNanos())
                .hasValue(1_500_000_000L);
        assertThat(TiffMetadata.of(List.of(ome), List.of(), 2)).isEqualTo(TiffMetadata.NONE);
    }

    @Test
    void imageJStacksGiveTimeFromTheirFrameInterval() {
        String ij = "ImageJ=1.54f\nimages=3\nframes=3\nfinterval=0.05\nloop=false\n";

        assertThat(TiffMetadata.of(List.of(ij), List.of(ij), 2).timeFromStartNanos())
                .hasValue(100_000_000);
    }

    @Test
    void writtenStacksReadBackWithPixelsAndTimes(@TempDir Path dir) throws Exception {
        List<Frame> frames = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int k = i;
            frames.add(TestData.frame(20, 10, PixelType.UINT16, (r, c) -> 1000 * k + r * 20 + c));
            texts.add(hamamatsuHeader(i, i / 30.0));
        }
        Path file = dir.resolve("stack.tif");
        Files.write(file, TiffWriter.encode(frames, texts));

        try (RecordingReader r = Recordings.open(file)) {
            assertThat(r.frameCount()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                Frame got = r.read(i);
                assertThat(got.pixels).isEqualTo(frames.get(i).pixels);
                assertThat(got.acquisitionNanos).isEqualTo(Math.round(i / 30.0 * 1000) * 1_000_000);
            }
        }
    }

    @Test
    void aPartlyWrittenStackShowsOnlyItsWholePages(@TempDir Path dir) throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            frames.add(TestData.frame(64, 64, PixelType.UINT16, (r, c) -> r + c));
        }
        byte[] all = TiffWriter.encode(frames, null);
        int pageBytes = (all.length - 8) / 3;
        Path file = dir.resolve("growing.tif");

        Files.write(file, Arrays.copyOf(all, 8 + pageBytes + pageBytes / 2));
        TiffPages.Inspection half = TiffPages.inspect(file);
        Files.write(file, Arrays.copyOf(all, 8 + 2 * pageBytes));
        TiffPages.Inspection two = TiffPages.inspect(file);
        Files.write(file, all);
        TiffPages.Inspection whole = TiffPages.inspect(file);
        Files.write(file, Arrays.copyOf(all, 5));
        TiffPages.Inspection header = TiffPages.inspect(file);
        Files.writeString(file, "not a tiff at all");
        TiffPages.Inspection text = TiffPages.inspect(file);

        assertThat(half.wholePages()).isEqualTo(1);
        assertThat(half.isComplete()).isFalse();
        assertThat(two.wholePages()).isEqualTo(2);
        assertThat(two.chainEnds()).isFalse();
        assertThat(whole.isComplete()).isTrue();
        assertThat(whole.wholePages()).isEqualTo(3);
        assertThat(header.wholePages()).isZero();
        assertThat(header.damaged()).isFalse();
        assertThat(text.damaged()).isTrue();
    }

    @Test
    void thePlainStripPathReadsWhatImageIoReadsInBothByteOrders(@TempDir Path dir)
            throws Exception {
        List<Frame> frames = new ArrayList<>();
        frames.add(TestData.frame(37, 11, PixelType.UINT16, (r, c) -> 60000 - r * 37 - c));
        frames.add(TestData.frame(37, 11, PixelType.INT16, (r, c) -> -500 + r * 37 + c));
        frames.add(TestData.frame(37, 11, PixelType.UINT8, (r, c) -> (r * 37 + c) % 256));
        for (int i = 0; i < frames.size(); i++) {
            Path written = dir.resolve("imageio" + i + ".tif");
            TestData.writeTiff(written, List.of(frames.get(i)));
            Path ours = dir.resolve("ours" + i + ".tif");
            Files.write(ours, TiffWriter.encode(List.of(frames.get(i)), null));

            for (Path p : List.of(written, ours)) {
                Frame fast = TiffPages.read(p, 0).frame();
                Frame viaImageIo;
                try (RecordingReader r = Recordings.open(p)) {
                    viaImageIo = r.read(0);
                }
                assertThat(fast.pixelType).isEqualTo(frames.get(i).pixelType);
                assertThat(fast.pixels).as(p.toString()).isEqualTo(viaImageIo.pixels);
                assertThat(fast.pixels).isEqualTo(frames.get(i).pixels);
            }
        }
    }
}
