package org.cststream.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.source.labels.LabelPublisher;
import org.cststream.source.labels.LabelSource;
import org.cststream.source.labels.LogFollower;
import org.cststream.source.labels.StimulusLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cst stimulus}: publish a stimulus or TTL log (CSV) on the session clock. */
@Command(
        name = "stimulus",
        mixinStandardHelpOptions = true,
        description =
                "Publish a stimulus or TTL event log (CSV with an onset column) as JSON records"
                        + " keyed by session, times on the session clock; --follow reads a log"
                        + " still being written.")
final class StimulusCommand implements Callable<Integer> {
    @Mixin KafkaClientArgs kafka;

    @Option(names = "--input", required = true, paramLabel = "CSV", description = "The log.")
    Path input;

    @Option(
            names = "--session",
            paramLabel = "ID",
            defaultValue = "session-1",
            description = "Session of the frames the events belong to. Default: ${DEFAULT-VALUE}.")
    String session;

    @Option(
            names = "--kind",
            paramLabel = "stimulus|ttl",
            defaultValue = "stimulus",
            description = "Kind of event written into the records. Default: ${DEFAULT-VALUE}.")
    String kind;

    @Option(
            names = "--time-offset-s",
            paramLabel = "S",
            defaultValue = "0",
            description =
                    "Added to every time: the camera-clock time of the log's zero, seconds."
                            + " Default: ${DEFAULT-VALUE}.")
    double offsetSeconds;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            defaultValue = Topics.STIMULUS,
            description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--speed",
            paramLabel = "FACTOR",
            defaultValue = "0",
            description = "Pace events on their onsets: 1 = real time; 0 = at once (default).")
    double speed;

    @Option(names = "--follow", description = "Keep reading lines appended to the log.")
    boolean follow;

    @Option(
            names = "--stop-after-idle-s",
            paramLabel = "S",
            defaultValue = "0",
            description = "With --follow, stop when no line came for S seconds (0 = Ctrl-C).")
    double idleSeconds;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(input)) {
            throw new NoSuchFileException(input.toString(), null, "no stimulus log here");
        }
        kafka.ensureTopic(topic);
        try (LabelPublisher out =
                        new LabelPublisher(
                                kafka.bootstrapServers,
                                kafka.kafkaProperties,
                                topic,
                                "stimulus",
                                CstMetrics.registry());
                LogFollower lines =
                        new LogFollower(
                                input,
                                follow,
                                Duration.ofMillis((long) (idleSeconds * 1000)),
                                Duration.ofMillis(100))) {
            System.out.println("metrics          " + kafka.serveMetrics());
            LabelSource source = new LabelSource(out, speed);
            long[] result;
            try (StopSignal signal =
                    new StopSignal(
                            () -> {
                                source.stop();
                                lines.stop();
                            },
                            Duration.ofSeconds(30))) {
                result =
                        source.publishStimulus(
                                lines,
                                h -> new StimulusLog(input, h, session, kind, offsetSeconds),
                                CstMetrics.registry(),
                                n ->
                                        System.out.println(
                                                "stimulus " + session + ": " + n + " events sent"));
            }
            System.out.printf(
                    "published %d %s event(s) of session %s to %s; %d line(s) skipped (see the"
                            + " log)%n",
                    result[0], kind, session, topic, result[1]);
            return 0;
        } finally {
            CstMetrics.stopServing();
        }
    }
}
