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

    @Option(
            names = "--pictures-port",
            paramLabel = "PORT",
            defaultValue = "-1",
            description =
                    "Serve the newest frames and attention as PNG and a live page on PORT (0 = any"
                            + " free port, -1 = off). Default: ${DEFAULT-VALUE}.")
    int picturesPort;

    @Option(
            names = "--pictures-host",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description =
                    "Address the picture endpoint binds to (no authentication: loopback unless"
                            + " browsers elsewhere must reach it). Default: ${DEFAULT-VALUE}.")
    String picturesHost;

    @Option(
            names = "--flink-metrics-port",
            paramLabel = "PORT",
            defaultValue = "-1",
            description =
                    "Serve Flink's own metrics (checkpoints, back-pressure, Kafka consumer lag)"
                            + " with its Prometheus reporter on PORT (all interfaces; -1 = off)."
                            + " Default: ${DEFAULT-VALUE}.")
    int flinkMetricsPort;

    /** Adds Flink's Prometheus reporter to the job's local cluster when asked for. */
    void configureFlinkMetrics(org.apache.flink.configuration.Configuration job) {
        if (flinkMetricsPort < 0) {
            return;
        }
        if (flinkMetricsPort == 0 || flinkMetricsPort > 65535) {
            throw new IllegalArgumentException(
                    "--flink-metrics-port must be a TCP port in 1..65535 (Flink's reporter takes no"
                            + " 0), was "
                            + flinkMetricsPort);
        }
        job.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        job.setString("metrics.reporter.prom.port", String.valueOf(flinkMetricsPort));
        System.out.println("flink metrics    http://127.0.0.1:" + flinkMetricsPort + "/metrics");
    }

    /** Starts the picture endpoint when asked for, printing its URL; returns null when off. */
    org.cststream.pictures.PictureServer startPictures() {
        if (picturesPort < 0) {
            return null;
        }
        org.cststream.pictures.LatestPictures.shared().clear();
        org.cststream.pictures.PictureServer server =
                org.cststream.pictures.PictureServer.serveShared(picturesHost, picturesPort);
        System.out.println("pictures         " + server.url());
        return server;
    }
}
