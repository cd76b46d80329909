package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.cststream.cli.Cst;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelType;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.recording.TiffWriter;
import org.cststream.source.labels.LabelCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The source commands as a user runs them, against a real broker. */
class SourceCommandsIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cl = new CommandLine(new Cst()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private static List<ConsumerRecord<String, byte[]>> read(String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(
                        KafkaSettings.consumer(
                                broker.bootstrapServers(), "it-" + System.nanoTime(), Map.of()))) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void everySourceCommandHasHelpAndNamesAMissingBroker() {
        for (String command : List.of("camera", "watch", "tcp", "stimulus", "behaviour")) {
            StringWriter err = new StringWriter();
            assertThat(run(err, command, "--help")).as(command + " --help").isZero();
            int code = run(err, command);
            assertThat(code).as(command + " without options").isEqualTo(2);
            assertThat(err.toString()).contains("--bootstrap-servers");
        }
        assertThat(run(new StringWriter(), "bench", "sources", "--help")).isZero();
    }

    @Test
    void watchPublishesAFolderAndEndsTheSessionWhenIdle(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("tiffs"));
        for (int i = 0; i < 12; i++) {
            ByteBuffer b = ByteBuffer.allocate(2 * 64 * 32).order(ByteOrder.LITTLE_ENDIAN);
            for (int p = 0; p < 64 * 32; p++) {
                b.putShort((short) (i * 100 + p));
            }
            Frame f = new Frame();
            f.width = 64;
            f.height = 32;
            f.pixelType = PixelType.UINT16;
            f.pixels = b.array();
            TiffWriter.write(
                    folder.resolve("img" + i + ".tif"),
                    f,
                    "Frame_Number = " + (100 + i) + "\nTime_From_Start = " + i * 0.05 + " s\n");
        }

        int code =
                run(
                        new StringWriter(),
                        "watch",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--topic",
                        "cmd.watch",
                        "--folder",
                        folder.toString(),
                        "--session",
                        "cmd-watch",
                        "--spool-dir",
                        tmp.resolve("spool").toString(),
                        "--stop-after-idle-s",
                        "1",
                        "--metrics-port",
                        "0");
        List<ConsumerRecord<String, byte[]>> got = read("cmd.watch", 13);

        assertThat(code).isZero();
        assertThat(got).hasSize(13);
        for (int i = 0; i < 12; i++) {
            Frame f = FrameCodec.decode(got.get(i).value());
            assertThat(f.frameCounter).isEqualTo(100 + i);
            assertThat(f.acquisitionNanos).isEqualTo(Math.round(i * 0.05 * 1e9));
        }
        assertThat(FrameCodec.decode(got.get(12).value()).isEndOfSession()).isTrue();
        assertThat(Files.readAllLines(tmp.resolve("spool/state/published.txt"))).hasSize(12);
    }

    @Test
    void stimulusAndBehaviourCommandsPublishTheirRecords(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("stim.csv");
        Files.writeString(log, "onset,duration,contrast\n0.5,1,0.25\n2.5,1,1.0\n");
        Path traces = tmp.resolve("wheel.csv");
        Files.writeString(traces, "time,wheel,pupil\n0.0,1.5,0.2\n0.1,1.6,0.3\n0.2,1.7,0.4\n");

        int s =
                run(
                        new StringWriter(),
                        "stimulus",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--input",
                        log.toString(),
                        "--session",
                        "cmd-labels",
                        "--time-offset-s",
                        "10",
                        "--metrics-port",
                        "0");
        int b =
                run(
                        new StringWriter(),
                        "behaviour",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--input",
                        traces.toString(),
                        "--session",
                        "cmd-labels",
                        "--metrics-port",
                        "0");

        assertThat(s).isZero();
        assertThat(b).isZero();
        List<ConsumerRecord<String, byte[]>> events = read("cst.stimulus", 2);
        List<ConsumerRecord<String, byte[]>> samples = read("cst.behaviour", 3);
        assertThat(events).hasSize(2);
        assertThat(LabelCodec.decodeStimulus(events.get(1).value()).onsetNanos())
                .isEqualTo(12_500_000_000L);
        assertThat(samples).hasSize(3);
        assertThat(LabelCodec.decodeBehaviour(samples.get(2).value()).values())
                .containsEntry("wheel", 1.7)
                .containsEntry("pupil", 0.4);
        assertThat(events.get(0).key()).isEqualTo("cmd-labels");
    }
}
