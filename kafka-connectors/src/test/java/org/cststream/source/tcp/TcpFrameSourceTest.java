package org.cststream.source.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.cststream.metrics.MetricNames;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TcpFrameSourceTest {
    @TempDir Path tmp;
    private MockProducer<String, byte[]> kafka;
    private SimpleMeterRegistry registry;
    private FramePublisher publisher;
    private TcpFrameSource source;

    @BeforeEach
    void start() throws Exception {
        kafka = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        registry = new SimpleMeterRegistry();
        publisher =
                FramePublisher.start(
                        PublisherOptions.builder()
                                .bootstrapServers("127.0.0.1:1")
                                .sourceName(TcpFrameSource.SOURCE_NAME)
                                .spoolDir(tmp.resolve("spool"))
                                .build(),
                        registry,
                        p -> kafka);
        source =
                TcpFrameSource.start(
                        new TcpFrameSource.Options("127.0.0.1", 0, 1 << 20, 4, ""),
                        publisher,
                        registry);
    }

    @AfterEach
    void stop() throws Exception {
        source.close();
        publisher.close();
    }

    private static Frame frame(String session, long counter) {
        Frame f = new Frame();
        f.sessionId = session;
        f.cameraId = "cam";
        f.frameCounter = counter;
        f.width = 4;
        f.height = 2;
        f.pixelType = PixelType.UINT16;
        f.pixels = new byte[16];
        f.pixels[0] = (byte) counter;
        return f;
    }

    private static void send(OutputStream out, byte[] record) throws Exception {
        out.write(
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(record.length)
                        .array());
        out.write(record);
        out.flush();
    }

    private List<Frame> sent() throws Exception {
        List<Frame> out = new ArrayList<>();
        for (ProducerRecord<String, byte[]> r : kafka.history()) {
            out.add(FrameCodec.decode(r.value()));
        }
        return out;
    }

    private void awaitIdle() throws Exception {
        assertThat(source.awaitClientsDone(Duration.ofSeconds(20))).isTrue();
        assertThat(publisher.awaitIdle(Duration.ofSeconds(20))).isTrue();
    }

    @Test
    void theReadmeClientStreamsFramesInOrderWithItsEndMarker() throws Exception {
        Matcher block =
                Pattern.compile("```python\\n(import socket.*?)```", Pattern.DOTALL)
                        .matcher(Files.readString(Paths.get("..", "README.md")));
        assertThat(block.find()).as("the TCP client in README.md").isTrue();
        Matcher writer =
                Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL)
                        .matcher(Files.readString(Paths.get("..", "docs", "frame-format.md")));
        assertThat(writer.find()).isTrue();
        Files.writeString(tmp.resolve("frame_format.py"), writer.group(1));
        Path client = tmp.resolve("client.py");
        Files.writeString(client, block.group(1).replace("7600", String.valueOf(source.port())));
        Process p;
        try {
            p =
                    new ProcessBuilder("python3", client.toString())
                            .directory(tmp.toFile())
                            .redirectErrorStream(true)
                            .start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 is not installed");
            return;
        }
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Assumptions.assumeFalse(log.contains("No module named 'numpy'"), "numpy is missing");
        assertThat(p.exitValue()).as(log).isZero();
        awaitIdle();

        List<Frame> frames = sent();
        assertThat(frames).hasSize(101);
        for (int i = 0; i < 100; i++) {
            Frame f = frames.get(i);
            assertThat(f.frameCounter).isEqualTo(i);
            assertThat(f.sessionId).isEqualTo("mouse1-day3");
            assertThat(f.width).isEqualTo(512);
            assertThat(f.hostReceiveNanos).as("stamped on arrival").isPositive();
            assertThat(ByteBuffer.wrap(f.pixels).order(ByteOrder.LITTLE_ENDIAN).getShort(1000))
                    .isEqualTo((short) (1000 + i));
        }
        assertThat(frames.get(100).isEndOfSession()).isTrue();
        assertThat(frames.get(100).frameCounter).isEqualTo(99);
        assertThat(source.framesReceived()).isEqualTo(100);
    }

    @Test
    void aBadRecordIsSkippedAndCountedAndTheConnectionGoesOn() throws Exception {
        try (Socket s = new Socket("127.0.0.1", source.port())) {
            OutputStream out = s.getOutputStream();
            send(out, FrameCodec.encode(frame("s", 0)));
            byte[] broken = FrameCodec.encode(frame("s", 1));
            broken[broken.length - 1] ^= 0x55;
            send(out, broken);
            send(out, "not a frame at all".getBytes());
            send(out, FrameCodec.encode(frame("s", 2)));
        }
        awaitIdle();

        assertThat(sent()).extracting(f -> f.frameCounter).containsExactly(0L, 2L);
        assertThat(source.rejected()).isEqualTo(2);
        assertThat(
                        registry.get(MetricNames.SOURCE_REJECTED)
                                .tag(MetricNames.TAG_REASON, "bad-checksum")
                                .counter()
                                .count())
                .isEqualTo(1);
        assertThat(
                        registry.get(MetricNames.SOURCE_REJECTED)
                                .tag(MetricNames.TAG_REASON, "bad-magic")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    @Test
    void aMessageOverTheSizeLimitClosesTheConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", source.port())) {
            OutputStream out = s.getOutputStream();
            send(out, FrameCodec.encode(frame("s", 0)));
            out.write(
                    ByteBuffer.allocate(4)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putInt((1 << 20) + 1)
                            .array());
            out.flush();
            assertThat(s.getInputStream().read()).as("closed by the source").isEqualTo(-1);
        }
        awaitIdle();

        assertThat(sent()).hasSize(1);
        assertThat(
                        registry.get(MetricNames.SOURCE_REJECTED)
                                .tag(MetricNames.TAG_REASON, "bad-length")
                                .counter()
                                .count())
                .isEqualTo(1);
    }

    @Test
    void stoppingEndsEverySessionLeftOpenAfterItsLastFrame() throws Exception {
        try (Socket s = new Socket("127.0.0.1", source.port())) {
            OutputStream out = s.getOutputStream();
            send(out, FrameCodec.encode(frame("a", 5)));
            send(out, FrameCodec.encode(frame("b", 9)));
            send(out, FrameCodec.encode(frame("a", 6)));
        }
        awaitIdle();
        source.close();
        publisher.close();

        List<Frame> frames = sent();
        assertThat(frames).hasSize(5);
        assertThat(frames.subList(3, 5))
                .allMatch(Frame::isEndOfSession)
                .extracting(f -> f.sessionId + "@" + f.frameCounter)
                .containsExactlyInAnyOrder("a@6", "b@9");
    }
}
