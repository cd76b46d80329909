package org.cststream.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.cststream.kafka.Topics;
import org.cststream.source.PublisherOptions;
import picocli.CommandLine.Option;

/** Options every frame source shares: Kafka, topic, memory, spool and the metrics endpoint. */
public class SourceArgs extends KafkaClientArgs {
    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            defaultValue = Topics.FRAMES,
            description = "Frames topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--memory-mb",
            paramLabel = "MIB",
            defaultValue = "256",
            description =
                    "Frames held in memory between acquisition and Kafka. Default:"
                            + " ${DEFAULT-VALUE}.")
    long memoryMib;

    @Option(
            names = "--in-flight-mb",
            paramLabel = "MIB",
            defaultValue = "128",
            description =
                    "Frames sent and not yet acknowledged by Kafka; beyond it frames spool to"
                            + " disk. Default: ${DEFAULT-VALUE}.")
    long inFlightMib;

    @Option(
            names = "--spool-dir",
            paramLabel = "DIR",
            description =
                    "Disk spool for frames Kafka cannot take yet; a restart with the same folder"
                            + " sends what it holds first. Default:"
                            + " cst-output/spool/<source>-<session>.")
    Path spoolDir;

    @Option(
            names = "--spool-max-gb",
            paramLabel = "GIB",
            defaultValue = "8",
            description =
                    "Most disk the spool may use; 0 disables spooling. Default: ${DEFAULT-VALUE}.")
    double spoolMaxGib;

    @Option(
            names = "--stop-timeout-s",
            paramLabel = "S",
            defaultValue = "30",
            description =
                    "On stop, wait this long for Kafka before leaving the rest in the spool."
                            + " Default: ${DEFAULT-VALUE}.")
    long stopTimeoutSeconds;

    /** Returns the spool folder: the one given, or {@code cst-output/spool/<source>-<label>}. */
    Path spoolDir(String sourceName, String label) {
        return spoolDir != null
                ? spoolDir
                : Path.of(
                        "cst-output",
                        "spool",
                        sourceName + "-" + label.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /** Returns the publisher options these arguments describe. */
    PublisherOptions toOptions(String sourceName, String label) {
        long mib = 1024L * 1024;
        if (spoolMaxGib < 0 || memoryMib < 1 || inFlightMib < 1) {
            throw new IllegalArgumentException(
                    "--memory-mb and --in-flight-mb must be >= 1 MiB and --spool-max-gb >= 0");
        }
        return PublisherOptions.builder()
                .bootstrapServers(bootstrapServers)
                .topic(topic)
                .kafkaProperties(kafkaProperties)
                .sourceName(sourceName)
                .queueBytes(memoryMib * mib)
                .inFlightBytes(inFlightMib * mib)
                .spoolDir(spoolDir(sourceName, label))
                .spoolMaxBytes((long) (spoolMaxGib * 1024 * mib))
                .stopTimeout(Duration.ofSeconds(stopTimeoutSeconds))
                .build();
    }
}
