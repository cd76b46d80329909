package org.cststream.source.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.TiffWriter;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchFolderSourceTest {

    private static Frame frame(int value) {
        ByteBuffer b = ByteBuffer.allocate(8 * 4 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) {
            b.putShort((short) (value + i));
        }
        Frame f = new Frame();
        f.width = 8;
        f.height = 4;
        f.pixelType = PixelType.UINT16;
        f.pixels = b.array();
        return f;
    }

    private static WatchFolderSource.Options options(Path folder, Path state) {
        return new WatchFolderSource.Options(
                folder,
                state,
                "s",
                "cam",
                List.of(470, 405),
                20,
                Duration.ofMillis(10),
                Duration.ofMillis(50),
                Duration.ofMillis(400),
                Duration.ofMillis(1200),
                0);
    }

    @Test
    void skipsAFileThatNeverBecomesATiffAndTimesFramesWithoutMetadataByFps(@TempDir Path tmp)
            throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("in"));
        Files.writeString(folder.resolve("f1.tif"), "this is not an image");
        TiffWriter.write(folder.resolve("f2.tif"), frame(100), null);
        TiffWriter.write(folder.resolve("f10.tif"), frame(200), null);
        MockProducer<String, byte[]> kafka =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FramePublisher publisher =
                FramePublisher.start(
                        PublisherOptions.builder()
                                .bootstrapServers("127.0.0.1:1")
                                .spoolDir(tmp.resolve("spool"))
                                .build(),
                        registry,
                        p -> kafka);

        WatchFolderSource source =
                new WatchFolderSource(options(folder, tmp.resolve("state")), publisher, registry);
        WatchFolderSource.Report report = source.run(null);
        publisher.close();
        source.saveState();

        assertThat(report.filesSkipped()).isEqualTo(1);
        assertThat(report.framesQueued()).isEqualTo(2);
        assertThat(
                        registry.get(MetricNames.SOURCE_REJECTED)
                                .tag(MetricNames.TAG_SOURCE, "folder")
                                .counter()
                                .count())
                .isEqualTo(1);
        List<ProducerRecord<String, byte[]>> sent = kafka.history();
        assertThat(sent).hasSize(3);
        Frame first = FrameCodec.decode(sent.get(0).value());
        Frame second = FrameCodec.decode(sent.get(1).value());
        assertThat(first.pixels).isEqualTo(frame(100).pixels);
        assertThat(second.pixels).as("f10 after f2: natural order").isEqualTo(frame(200).pixels);
        assertThat(first.frameCounter).isZero();
        assertThat(second.frameCounter).isEqualTo(1);
        assertThat(second.acquisitionNanos).isEqualTo(50_000_000);
        assertThat(first.channelNm).isEqualTo(470);
        assertThat(second.channelNm).isEqualTo(405);
        assertThat(FrameCodec.decode(sent.get(2).value()).isEndOfSession()).isTrue();
        assertThat(Files.readAllLines(tmp.resolve("state/published.txt")))
                .containsExactly("f1.tif", "f2.tif", "f10.tif");
    }

    @Test
    void progressAdvancesOnlyOverTheLeadingSafeFrames(@TempDir Path tmp) throws Exception {
        WatchState state = WatchState.load(tmp, "s");
        WatchState.Entry a = state.queued("a.tif", 1, 1, 0);
        state.fileFinished("a.tif");
        WatchState.Entry b = state.queued("b.tif", 1, 2, 1);
        state.fileFinished("b.tif");

        state.markSafe(b);
        assertThat(state.isDone("b.tif")).isFalse();
        assertThat(state.nextIndex()).isZero();
        state.markSafe(a);
        state.save();

        WatchState again = WatchState.load(tmp, "s");
        assertThat(again.isDone("a.tif")).isTrue();
        assertThat(again.isDone("b.tif")).isTrue();
        assertThat(again.nextIndex()).isEqualTo(2);
        assertThat(again.lastCounter()).isEqualTo(1);
    }

    @Test
    void aGrowingStackResumesAtItsFirstPageNotMadeSafe(@TempDir Path tmp) throws Exception {
        WatchState state = WatchState.load(tmp, "s");
        WatchState.Entry p1 = state.queued("stack.tif", 1, 1, 0);
        WatchState.Entry p2 = state.queued("stack.tif", 2, 2, 1);
        state.queued("stack.tif", 3, 3, 2);
        state.markSafe(p1);
        state.markSafe(p2);
        state.save();

        WatchState again = WatchState.load(tmp, "s");
        assertThat(again.pagesDone("stack.tif")).isEqualTo(2);
        assertThat(again.isDone("stack.tif")).isFalse();
        assertThat(again.nextIndex()).isEqualTo(2);
    }

    @Test
    void refusesTheStateOfAnotherSession(@TempDir Path tmp) throws Exception {
        WatchState state = WatchState.load(tmp, "first");
        state.markSafe(state.queued("a.tif", 1, 1, 0));
        state.save();

        assertThatThrownBy(() -> WatchState.load(tmp, "second"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to session 'first'")
                .hasMessageContaining("--state-dir");
    }

    @Test
    void filesCutShortGiveEveryWholePageAfterTheGiveUpTime(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("in"));
        // three whole pages whose last directory points past the end of the file
        byte[] cut = TiffWriter.encode(List.of(frame(10), frame(20), frame(30)), null);
        int pageBytes = 2 + 10 * 12 + 4 + 8 * 4 * 2;
        ByteBuffer.wrap(cut)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(8 + 2 * pageBytes + 2 + 10 * 12, cut.length + 4096);
        Files.write(folder.resolve("f1.tif"), cut);
        // two pages, the second's pixels half written when the writer stopped
        byte[] half = TiffWriter.encode(List.of(frame(40), frame(50)), null);
        Files.write(folder.resolve("f2.tif"), java.util.Arrays.copyOf(half, half.length - 32));
        TiffWriter.write(folder.resolve("f3.tif"), frame(60), null);
        MockProducer<String, byte[]> kafka =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FramePublisher publisher =
                FramePublisher.start(
                        PublisherOptions.builder()
                                .bootstrapServers("127.0.0.1:1")
                                .spoolDir(tmp.resolve("spool"))
                                .build(),
                        registry,
                        p -> kafka);

        WatchFolderSource source =
                new WatchFolderSource(options(folder, tmp.resolve("state")), publisher, registry);
        WatchFolderSource.Report report = source.run(null);
        publisher.close();

        assertThat(report.filesSkipped()).isEqualTo(2);
        assertThat(report.framesQueued()).isEqualTo(5);
        List<Integer> firstPixels = new java.util.ArrayList<>();
        for (ProducerRecord<String, byte[]> r : kafka.history()) {
            Frame f = FrameCodec.decode(r.value());
            if (!f.isEndOfSession()) {
                firstPixels.add(
                        (int) ByteBuffer.wrap(f.pixels).order(ByteOrder.LITTLE_ENDIAN).getShort(0));
            }
        }
        assertThat(firstPixels).containsExactly(10, 20, 30, 40, 60);
    }
}
