package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.cststream.cli.LocalPipeline;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.model.serving.ModelServer;
import org.cststream.model.serving.ModelServerOptions;
import org.cststream.source.FramePublisher;
import org.cststream.source.PublisherOptions;
import org.cststream.source.tcp.TcpFrameSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every TCP port the project opens listens on loopback with its default settings: the embedded
 * broker (client and controller ports), the Flink MiniCluster the job runs on (REST, RPC, data
 * exchange, blob server), the job's metrics endpoint, the model server and the TCP frame source.
 * The sockets are read from the kernel's tables (Linux), not from the components' own reports.
 */
class ListeningPortsIT {
    @TempDir Path dir;

    /** A listening socket of this process: its local address (hex as the kernel writes it). */
    record Listener(String address, int port) {
        boolean isLoopback() {
            return address.equals("127.0.0.1")
                    || address.equals("::1")
                    || address.equals("::ffff:127.0.0.1");
        }
    }

    /** Returns the TCP sockets this process listens on, from /proc. */
    static List<Listener> listeners() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed between listing and reading
                }
            }
        }
        List<Listener> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
                String[] f = line.trim().split("\\s+");
                // state 0A is LISTEN; field 9 is the socket's inode
                if (f[3].equals("0A") && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    out.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16)));
                }
            }
        }
        return out;
    }

    /** Decodes the kernel's hex address: 4 or 16 bytes, each 32-bit word little-endian. */
    private static String address(String hex) throws IOException {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = 8 * word + 2 * (3 - i);
                b[4 * word + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        String a = java.net.InetAddress.getByAddress(b).getHostAddress();
        if (b.length == 16) {
            boolean mappedV4 = true;
            for (int i = 0; i < 10; i++) {
                mappedV4 &= b[i] == 0;
            }
            if (mappedV4 && b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) {
                return "::ffff:"
                        + (b[12] & 0xFF)
                        + "."
                        + (b[13] & 0xFF)
                        + "."
                        + (b[14] & 0xFF)
                        + "."
                        + (b[15] & 0xFF);
            }
            return a.equals("0:0:0:0:0:0:0:1") ? "::1" : a;
        }
        return a;
    }

    private Path model() throws Exception {
        org.cststream.model.CstConfig config = org.cststream.model.CstConfig.widefieldSmall(16);
        Path m = dir.resolve("model");
        try (org.cststream.model.CstModel model =
                org.cststream.model.CstModel.create(
                        config, org.cststream.model.Normalisation.identity(config.valueDim))) {
            model.save(m, null);
        }
        return m;
    }

    @Test
    void everyPortListensOnLoopbackWithTheDefaults() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux's /proc");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String servers = broker.bootstrapServers();
            Configuration job = new Configuration();
            job.set(FrameJobOptions.BOOTSTRAP_SERVERS, servers);
            job.set(FrameJobOptions.GROUP_ID, "ports");
            job.set(FrameJobOptions.FRAMES_TOPIC, "ports.frames");
            // the job serves its metrics itself, as a TaskManager does, on the default address
            job.set(FrameJobOptions.METRICS_PORT, 0);
            Topics.ensure(servers, Map.of(), FrameJobOptions.topics(job), 1, (short) 1);
            JobClient client =
                    FrameProcessingJob.forKafka(job)
                            .executeAsync(LocalPipeline.localEnvironment(1));
            ModelServerOptions d = ModelServerOptions.defaults(model());
            ModelServerOptions modelOptions =
                    new ModelServerOptions(
                            d.model(),
                            d.bind(),
                            0,
                            d.maxBatchWindows(),
                            d.batchDelay(),
                            d.maxQueuedWindows(),
                            d.limits(),
                            d.ioThreads(),
                            32,
                            null);
            try (ModelServer model =
                            ModelServer.start(
                                    modelOptions,
                                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                    FramePublisher publisher =
                            FramePublisher.start(
                                    PublisherOptions.builder()
                                            .bootstrapServers(servers)
                                            .spoolDir(dir.resolve("spool"))
                                            .build(),
                                    CstMetrics.registry());
                    TcpFrameSource tcp =
                            TcpFrameSource.start(
                                    new TcpFrameSource.Options("127.0.0.1", 0, 1 << 20, 2, ""),
                                    publisher,
                                    CstMetrics.registry())) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (client.getJobStatus().get() != JobStatus.RUNNING
                        || !CstMetrics.isServing()) {
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.sleep(200);
                }
                // let every task deploy and open its ports
                Thread.sleep(3000);

                List<Listener> listening = listeners();

                assertThat(listening)
                        .as("listening sockets of this JVM")
                        .extracting(Listener::port)
                        .contains(
                                Integer.parseInt(servers.substring(servers.indexOf(':') + 1)),
                                model.port(),
                                tcp.port());
                assertThat(listening).allMatch(Listener::isLoopback, "loopback");
            } finally {
                client.cancel().get();
            }
        }
    }
}
