package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cststream.cli.LocalPipeline;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.cststream.frame.TokenCodec;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.Outputs;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.junit.jupiter.api.Test;

/** Malformed records end in the dead-letter topic with a readable reason; the job stays up. */
class DeadLetterIT {

    private static Frame frame(long counter) {
        Frame f = new Frame();
        f.sessionId = "dlq";
        f.cameraId = "cam";
        f.frameCounter = counter;
        f.channelNm = 470;
        f.acquisitionNanos = counter * 50_000_000L;
        f.hostReceiveNanos = System.currentTimeMillis() * 1_000_000L;
        f.width = 32;
        f.height = 24;
        f.pixelType = PixelType.UINT16;
        f.pixels = new byte[32 * 24 * 2];
        for (int i = 0; i < f.pixels.length; i += 2) {
            f.pixels[i] = (byte) (100 + counter + i % 7);
        }
        return f;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void malformedRecordsGoToTheDeadLetterTopicAndTheJobKeepsRunning() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String servers = broker.bootstrapServers();
            Configuration config = new Configuration();
            config.set(FrameJobOptions.BOOTSTRAP_SERVERS, servers);
            config.set(FrameJobOptions.PATCH_SIZE, 8);
            Topics.ensure(
                    servers,
                    Map.of(),
                    List.of(
                            "cst.frames",
                            "cst.frames.dff",
                            "cst.tokens",
                            "cst.events",
                            "cst.deadletter"),
                    1,
                    (short) 1);
            JobClient job =
                    FrameProcessingJob.forKafka(config)
                            .executeAsync(LocalPipeline.localEnvironment(1));

            byte[] truncated = FrameCodec.encode(frame(100));
            truncated = java.util.Arrays.copyOf(truncated, truncated.length - 100);
            byte[] wrongDims = FrameCodec.encode(frame(101));
            ByteBuffer.wrap(wrongDims).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 33);
            byte[] unknownType = FrameCodec.encode(frame(102));
            unknownType[5] = 7;
            byte[] badChecksum = FrameCodec.encode(frame(103));
            badChecksum[200] ^= 0x01;
            byte[] notAFrame =
                    "{\"frame\": 104, \"comment\": \"this is JSON, not a frame\"}"
                            .getBytes(StandardCharsets.UTF_8);
            List<byte[]> records = new ArrayList<>();
            for (long c = 0; c < 5; c++) {
                records.add(FrameCodec.encode(frame(c)));
            }
            records.addAll(List.of(truncated, wrongDims, unknownType, badChecksum, notAFrame));
            for (long c = 5; c < 10; c++) {
                records.add(FrameCodec.encode(frame(c)));
            }
            records.add(FrameCodec.encode(Frame.endOfSession("dlq", "cam", 9, 0)));
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaSettings.producer(servers, Map.of()))) {
                for (byte[] r : records) {
                    producer.send(new ProducerRecord<>("cst.frames", "dlq", r)).get();
                }
            }

            List<ConsumerRecord<String, byte[]>> dead;
            List<ConsumerRecord<String, byte[]>> tokens;
            try (OutputReader reader =
                    new OutputReader(servers, Map.of(), List.of("cst.deadletter"))) {
                dead = reader.readUntil(r -> r.size() >= 5, Duration.ofSeconds(60));
            }
            try (OutputReader reader = new OutputReader(servers, Map.of(), List.of("cst.tokens"))) {
                tokens = reader.readUntil(r -> r.size() >= 10, Duration.ofSeconds(60));
            }
            JobStatus status = job.getJobStatus().get();
            job.cancel().get();

            assertThat(dead)
                    .extracting(r -> header(r, Outputs.HEADER_REASON))
                    .containsExactly(
                            "truncated",
                            "wrong-dimensions",
                            "unknown-pixel-type",
                            "bad-checksum",
                            "bad-magic");
            assertThat(dead)
                    .extracting(r -> header(r, Outputs.HEADER_OFFSET))
                    .containsExactly("5", "6", "7", "8", "9");
            assertThat(header(dead.get(0), Outputs.HEADER_MESSAGE))
                    .contains("frame=100", "cut short", "topic=cst.frames", "offset=5");
            assertThat(header(dead.get(1), Outputs.HEADER_MESSAGE))
                    .contains("33x24", "region and pixel format");
            assertThat(header(dead.get(2), Outputs.HEADER_MESSAGE))
                    .contains("unknown pixel type code 7");
            assertThat(header(dead.get(3), Outputs.HEADER_MESSAGE)).contains("checksum");
            assertThat(dead.get(4).value()).isEqualTo(notAFrame);
            assertThat(tokens)
                    .extracting(r -> TokenCodec.decode(r.value()).frameCounter)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(status).isEqualTo(JobStatus.RUNNING);
        }
    }
}
