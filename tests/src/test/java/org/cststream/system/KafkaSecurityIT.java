package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.cststream.cli.Cst;
import org.cststream.cli.LocalPipeline;
import org.cststream.cli.RunReport;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.OutputReader;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.SyntheticRecording;
import org.cststream.replay.ReplayOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Kafka security settings given once (the job's {@code kafka.properties}, the commands' {@code
 * --kafka-property}) reach every client the job and the tools create: against a broker that answers
 * only authenticated clients (SASL/PLAIN), the job, the replay, the output reader and the source
 * commands all work, and each kind of client is seen with the settings.
 */
class KafkaSecurityIT {
    @TempDir Path dir;

    private static Set<String> clientIds() {
        Set<String> ids = new TreeSet<>();
        for (Map<String, ?> c : ClientRecorder.CLIENTS) {
            ids.add(String.valueOf(c.get("client.id")));
        }
        return ids;
    }

    @Test
    void saslSettingsReachEveryClientOfTheJobAndTheTools() throws Exception {
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.startWithSaslPlain(Map.of("cst", "cst-secret"))) {
            String servers = broker.bootstrapServers();
            Map<String, String> sasl =
                    new HashMap<>(EmbeddedKafkaBroker.saslClientProperties("cst", "cst-secret"));
            sasl.put("metric.reporters", ClientRecorder.class.getName());

            // without the settings the broker answers nobody
            assertThatThrownBy(
                            () ->
                                    Topics.maxMessageBytes(
                                            servers,
                                            Map.of(),
                                            List.of("sec.frames"),
                                            Duration.ofSeconds(3)))
                    .isInstanceOf(IllegalStateException.class);

            // the job (exactly-once sinks), the replay and the output reader, all authenticated
            Configuration job = new Configuration();
            job.set(FrameJobOptions.BOOTSTRAP_SERVERS, servers);
            job.set(FrameJobOptions.KAFKA_PROPERTIES, sasl);
            job.set(FrameJobOptions.GROUP_ID, "sec");
            job.set(FrameJobOptions.FRAMES_TOPIC, "sec.frames");
            job.set(FrameJobOptions.DFF_TOPIC, "sec.dff");
            job.set(FrameJobOptions.TOKENS_TOPIC, "sec.tokens");
            job.set(FrameJobOptions.EVENTS_TOPIC, "sec.events");
            job.set(FrameJobOptions.DEAD_LETTER_TOPIC, "sec.deadletter");
            job.set(FrameJobOptions.CORRECTED_TOPIC, "sec.corrected");
            job.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
            job.set(FrameJobOptions.EXACTLY_ONCE, true);
            ReplayOptions replay =
                    ReplayOptions.builder()
                            .sessionId("sec")
                            .fps(30)
                            .asFastAsPossible(true)
                            .showProgress(false)
                            .build();
            RunReport report;
            try (SyntheticRecording r = new SyntheticRecording(2, 60, 32, 32, 30)) {
                report = LocalPipeline.run(r, replay, job, 1, Duration.ofMinutes(2));
            }

            assertThat(report.framesOut()).isEqualTo(60);
            assertThat(
                            CstMetrics.registry()
                                    .find(MetricNames.KAFKA_LAG)
                                    .tag(MetricNames.TAG_TOPIC, "sec.frames")
                                    .gauge())
                    .as("the lag monitor's admin client got through")
                    .isNotNull();

            // the command-line tools, given the same settings as --kafka-property
            List<String> properties = new ArrayList<>();
            sasl.forEach((k, v) -> properties.addAll(List.of("--kafka-property", k + "=" + v)));
            StringWriter err = new StringWriter();
            List<String> replayCommand =
                    new ArrayList<>(
                            List.of(
                                    "replay",
                                    "--bootstrap-servers",
                                    servers,
                                    "--topic",
                                    "sec.replayed",
                                    "--input",
                                    "phantom:size=32,frames=20,fps=20",
                                    "--max-speed",
                                    "--no-progress"));
            replayCommand.addAll(properties);
            Path stimuli = Files.writeString(dir.resolve("stimuli.csv"), "onset\n0.5\n1.5\n");
            List<String> stimulusCommand =
                    new ArrayList<>(
                            List.of(
                                    "stimulus",
                                    "--bootstrap-servers",
                                    servers,
                                    "--input",
                                    stimuli.toString(),
                                    "--session",
                                    "sec",
                                    "--topic",
                                    "sec.stimulus",
                                    "--metrics-port",
                                    "0"));
            stimulusCommand.addAll(properties);
            CommandLine replayCli = new CommandLine(new Cst());
            replayCli.setErr(new PrintWriter(err));
            int replayed = replayCli.execute(replayCommand.toArray(String[]::new));
            CommandLine stimulusCli = new CommandLine(new Cst());
            stimulusCli.setErr(new PrintWriter(err));
            int stimulated = stimulusCli.execute(stimulusCommand.toArray(String[]::new));
            int replayedRecords;
            int stimulusRecords;
            try (OutputReader reader =
                    new OutputReader(servers, sasl, List.of("sec.replayed", "sec.stimulus"))) {
                var records = reader.readUntil(rs -> rs.size() >= 23, Duration.ofSeconds(30));
                replayedRecords =
                        (int)
                                records.stream()
                                        .filter(x -> x.topic().equals("sec.replayed"))
                                        .count();
                stimulusRecords =
                        (int)
                                records.stream()
                                        .filter(x -> x.topic().equals("sec.stimulus"))
                                        .count();
            }

            assertThat(replayed).as("cst replay: %s", err).isZero();
            assertThat(stimulated).as("cst stimulus: %s", err).isZero();
            assertThat(replayedRecords).isEqualTo(21);
            assertThat(stimulusRecords).isEqualTo(2);
            // each kind of client was built with the settings
            assertThat(clientIds())
                    .anyMatch(id -> id.startsWith("cst-topics-"))
                    .anyMatch(id -> id.startsWith("cst-topic-limits-"))
                    .anyMatch(id -> id.equals("cst-lag-monitor-sec"));
            assertThat(ClientRecorder.CLIENTS)
                    .as("transactional producers of the job's sinks")
                    .anyMatch(c -> String.valueOf(c.get("transactional.id")).startsWith("sec-dff"))
                    .anyMatch(
                            c -> String.valueOf(c.get("transactional.id")).startsWith("sec-tokens"))
                    .anyMatch(
                            c -> String.valueOf(c.get("transactional.id")).startsWith("sec-events"))
                    .anyMatch(
                            c ->
                                    String.valueOf(c.get("transactional.id"))
                                            .startsWith("sec-deadletter"));
            assertThat(ClientRecorder.CLIENTS)
                    .as("the job's source consumer and the output readers")
                    .anyMatch(c -> "sec".equals(c.get("group.id")))
                    .anyMatch(
                            c ->
                                    String.valueOf(c.get("group.id"))
                                            .startsWith("cst-output-reader-"));
        }
    }
}
