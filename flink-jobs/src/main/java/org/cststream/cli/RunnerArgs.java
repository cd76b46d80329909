package org.cststream.cli;

import picocli.CommandLine.Option;

/** Options of the process that runs the job: parallelism and the metrics endpoint. */
public class RunnerArgs {
    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "1",
            description = "Flink parallelism. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            defaultValue = "9464",
            description =
                    "Prometheus endpoint port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(
            names = "--metrics-host",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description =
                    "Address the metrics endpoint binds to; loopback unless it must be scraped"
                            + " from elsewhere. Default: ${DEFAULT-VALUE}.")
    String metricsHost;
}
