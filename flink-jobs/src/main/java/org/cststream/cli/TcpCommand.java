package org.cststream.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.cststream.metrics.CstMetrics;
import org.cststream.source.FramePublisher;
import org.cststream.source.tcp.TcpFrameSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cst tcp}: take frame records over TCP from any program and publish them. */
@Command(
        name = "tcp",
        mixinStandardHelpOptions = true,
        description =
                "Listen for frames over TCP (each a 4-byte little-endian length and a frame"
                        + " record, see docs/sources.md) and publish them; Ctrl-C stops.")
final class TcpCommand implements Callable<Integer> {
    @Mixin SourceArgs source;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "7600",
            description = "TCP port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description =
                    "Address to listen on; loopback unless clients run on other machines."
                            + " Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(
            names = "--max-frame-mb",
            paramLabel = "MIB",
            defaultValue = "64",
            description =
                    "Largest message; a longer one closes its connection. Default:"
                            + " ${DEFAULT-VALUE}.")
    int maxFrameMib;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "8",
            description = "Clients served at once. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(
            names = "--session",
            paramLabel = "ID",
            description = "Take only frames of this session (default: any).")
    String session;

    @Option(
            names = "--exit-when-clients-done",
            description = "Stop once every client that connected has disconnected.")
    boolean exitWhenDone;

    @Override
    public Integer call() throws Exception {
        int maxBytes =
                (int)
                        Math.min(
                                (long) maxFrameMib * 1024 * 1024,
                                org.cststream.kafka.KafkaSettings.MAX_RECORD_BYTES);
        TcpFrameSource.Options options =
                new TcpFrameSource.Options(bind, port, maxBytes, maxConnections, session);
        source.ensureTopic(source.topic);
        try {
            String metrics = source.serveMetrics();
            FramePublisher publisher =
                    FramePublisher.start(
                            source.toOptions(
                                    TcpFrameSource.SOURCE_NAME,
                                    session == null ? "port" + port : session),
                            CstMetrics.registry());
            TcpFrameSource server;
            try {
                server = TcpFrameSource.start(options, publisher, CstMetrics.registry());
            } catch (Exception e) {
                publisher.close();
                throw e;
            }
            System.out.printf(
                    "listening        %s:%d (4-byte little-endian length + frame record)%n"
                            + "spool            %s%nmetrics          %s%n",
                    bind, server.port(), publisher.options().spoolDir, metrics);
            SourceStatus status =
                    new SourceStatus(
                            "tcp " + bind + ":" + server.port(),
                            publisher.stats(),
                            "rejected",
                            server::rejected);
            java.util.concurrent.atomic.AtomicBoolean stop =
                    new java.util.concurrent.atomic.AtomicBoolean();
            try (StopSignal signal =
                    new StopSignal(
                            () -> stop.set(true),
                            Duration.ofSeconds(source.stopTimeoutSeconds + 30))) {
                while (!stop.get()) {
                    Thread.sleep(100);
                    status.tick();
                    if (exitWhenDone
                            && server.connectionsAccepted() > 0
                            && server.openConnections() == 0) {
                        break;
                    }
                }
                try {
                    server.close();
                } finally {
                    publisher.close();
                }
                status.finish();
                System.out.printf("%n== summary: tcp %s:%d ==%n", bind, server.port());
                System.out.print(
                        SourceStatus.summary(
                                publisher.stats(), publisher.options().spoolDir.toString()));
                System.out.printf(
                        "connections      %d; messages rejected %d%n",
                        server.connectionsAccepted(), server.rejected());
            }
            return publisher.stats().lost() > 0 ? 1 : 0;
        } finally {
            CstMetrics.stopServing();
        }
    }
}
