package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TiffStructureTest {

    @Test
    void aFileThatShrinksWhileItIsScannedIsNotWrittenYetRatherThanAnError(@TempDir Path dir)
            throws Exception {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            frames.add(TestData.frame(64, 64, PixelType.UINT16, (r, c) -> r * c));
        }
        byte[] all = TiffWriter.encode(frames, null);
        Path file = dir.resolve("rewritten.tif");
        Files.write(file, all);

        TiffStructure.Scan scan;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long sizeWhenScanBegan = ch.size();
            // the writer starts the file again from its first byte after the size was taken
            Files.write(file, Arrays.copyOf(all, all.length / 3));
            scan = TiffStructure.scan(ch, sizeWhenScanBegan);
        }
        TiffStructure.Scan later = TiffStructure.scan(file);

        assertThat(scan.damaged()).isFalse();
        assertThat(scan.chainEnds()).isFalse();
        assertThat(scan.pages()).isEmpty();
        assertThat(scan.problem()).contains("shrank").contains("rewritten");
        assertThat(later.problem()).doesNotContain("shrank");
        assertThat(later.wholePages()).isBetween(1, 3);
    }
}
