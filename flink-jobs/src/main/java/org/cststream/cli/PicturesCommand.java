package org.cststream.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.cststream.pictures.LatestPictures;
import org.cststream.pictures.PictureServer;
import org.cststream.pictures.TopicPictures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cst pictures}: the live picture page of a job that runs elsewhere (a Flink cluster), fed
 * from its output topics.
 */
@Command(
        name = "pictures",
        mixinStandardHelpOptions = true,
        description =
                "Serve the live picture page of a running frame job from its output topics"
                        + " (dF/F, corrected, the CST stage's output) until Ctrl-C. The attention"
                        + " map is served only where the CST stage runs (pictures.port).")
final class PicturesCommand implements Callable<Integer> {
    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka the job writes to.")
    String bootstrapServers;

    @Option(
            names = "--topic-prefix",
            defaultValue = "cst",
            paramLabel = "PREFIX",
            description = "The job's topic prefix. Default: ${DEFAULT-VALUE}.")
    String topicPrefix;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka client setting (e.g. security.protocol=SSL); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--port",
            defaultValue = "9465",
            paramLabel = "PORT",
            description = "Port of the page (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            paramLabel = "HOST",
            description =
                    "Address to bind (no authentication: loopback unless browsers elsewhere must"
                            + " reach it). Default: ${DEFAULT-VALUE}.")
    String bind;

    @Override
    public Integer call() throws Exception {
        Map<String, LatestPictures.Kind> topics = new LinkedHashMap<>();
        topics.put(topicPrefix + ".frames.dff", LatestPictures.Kind.DFF);
        topics.put(topicPrefix + ".frames.corrected", LatestPictures.Kind.CORRECTED);
        topics.put(topicPrefix + ".frames.filled", LatestPictures.Kind.FILLED);
        LatestPictures pictures = LatestPictures.shared();
        try (TopicPictures reader =
                        TopicPictures.start(bootstrapServers, kafkaProperties, topics, pictures);
                PictureServer server = PictureServer.start(pictures, bind, port)) {
            System.out.println("topics           " + String.join(", ", topics.keySet()));
            System.out.println("pictures         " + server.url() + "  (Ctrl-C to stop)");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
