package org.cststream.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.BehaviourTraces;
import org.cststream.source.labels.LabelPublisher;
import org.cststream.source.labels.LabelSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cst behaviour}: publish sampled behaviour traces on the session clock. */
@Command(
        name = "behaviour",
        mixinStandardHelpOptions = true,
        description =
                "Publish sampled behaviour traces (pupil, wheel, whisking...) from a .npy with"
                        + " its times, or a CSV with a time column, as JSON records keyed by"
                        + " session, times on the session clock.")
final class BehaviourCommand implements Callable<Integer> {
    @Mixin KafkaClientArgs kafka;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description =
                    "Traces: a .npy of shape (traces, samples) or (samples, traces), or a CSV.")
    Path input;

    @Option(
            names = "--times",
            paramLabel = "NPY",
            description = "Sample times in seconds, shape (samples,); needed with a .npy input.")
    Path times;

    @Option(
            names = "--names",
            split = ",",
            paramLabel = "NAME[,NAME...]",
            description = "One name per trace (default trace0, trace1, ...).")
    List<String> names;

    @Option(
            names = "--session",
            paramLabel = "ID",
            defaultValue = "session-1",
            description = "Session of the frames the samples belong to. Default: ${DEFAULT-VALUE}.")
    String session;

    @Option(
            names = "--time-offset-s",
            paramLabel = "S",
            defaultValue = "0",
            description =
                    "Added to every time: the camera-clock time of the traces' zero, seconds."
                            + " Default: ${DEFAULT-VALUE}.")
    double offsetSeconds;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            defaultValue = Topics.BEHAVIOUR,
            description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--speed",
            paramLabel = "FACTOR",
            defaultValue = "0",
            description = "Pace samples on their times: 1 = real time; 0 = at once (default).")
    double speed;

    @Override
    public Integer call() throws Exception {
        List<BehaviourSample> samples;
        if (input.toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            if (times == null) {
                throw new IllegalArgumentException(
                        "a .npy input needs --times, the sample times in seconds (shape"
                                + " (samples,))");
            }
            samples = BehaviourTraces.fromNpy(input, times, names, session, offsetSeconds);
        } else {
            samples = BehaviourTraces.fromCsv(input, session, offsetSeconds);
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(input + ": no samples");
        }
        System.out.printf(
                Locale.ROOT,
                "input            %s: %d samples of %s, %.3f..%.3f s on the session clock%n",
                input,
                samples.size(),
                samples.get(0).values().keySet(),
                samples.get(0).timeNanos() / 1e9,
                samples.get(samples.size() - 1).timeNanos() / 1e9);
        kafka.ensureTopic(topic);
        try (LabelPublisher out =
                new LabelPublisher(
                        kafka.bootstrapServers,
                        kafka.kafkaProperties,
                        topic,
                        "behaviour",
                        CstMetrics.registry())) {
            System.out.println("metrics          " + kafka.serveMetrics());
            LabelSource source = new LabelSource(out, speed);
            long sent;
            try (StopSignal signal =
                    new StopSignal(source::stop, java.time.Duration.ofSeconds(30))) {
                sent =
                        source.publishBehaviour(
                                samples,
                                n ->
                                        System.out.println(
                                                "behaviour "
                                                        + session
                                                        + ": "
                                                        + n
                                                        + " samples sent"));
            }
            System.out.printf("published %d sample(s) of session %s to %s%n", sent, session, topic);
            return 0;
        } finally {
            CstMetrics.stopServing();
        }
    }
}
