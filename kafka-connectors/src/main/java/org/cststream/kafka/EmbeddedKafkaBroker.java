package org.cststream.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), running in this
 * JVM and listening on loopback only. Used when no {@code --bootstrap-servers} are given.
 *
 * <p>The broker accepts records up to {@link KafkaSettings#MAX_RECORD_BYTES}, so frames of 8 MiB
 * and more fit with the producer settings of {@link KafkaSettings}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private int controllerPort;

    /** Users and passwords clients must authenticate with (SASL/PLAIN), or null for none. */
    private Map<String, String> saslUsers;

    private KafkaRaftServer server;
    private Thread shutdownHook;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteOnClose, int brokerPort) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.brokerPort = brokerPort;
    }

    /**
     * Formats a fresh log directory under a temporary folder and starts the broker on a free
     * loopback port. The folder is deleted on {@link #close()}.
     */
    public static EmbeddedKafkaBroker start() {
        try {
            return start(Files.createTempDirectory("cst-kafka-"), true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for Kafka logs", e);
        }
    }

    /**
     * Starts the broker with its logs in {@code dataDir}, formatting it if it is empty.
     *
     * @param dataDir the log directory; kept on close unless {@code deleteOnClose}
     * @param deleteOnClose whether {@link #close()} deletes {@code dataDir}
     * @param port the client port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedKafkaBroker start(Path dataDir, boolean deleteOnClose, int port) {
        int brokerPort = port == 0 ? freePort() : port;
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, deleteOnClose, brokerPort);
        try {
            broker.startServer();
        } catch (RuntimeException e) {
            if (deleteOnClose) {
                TempFolders.delete(dataDir);
            }
            throw e;
        }
        // a Ctrl-C or SIGTERM still stops the broker and removes a temporary log folder
        broker.shutdownHook = new Thread(broker::close, "stop embedded Kafka");
        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
        return broker;
    }

    /**
     * Starts a broker on a free loopback port whose clients must authenticate with SASL/PLAIN as
     * one of {@code users} (name to password), in a temporary folder deleted on {@link #close()}:
     * to check that security settings reach every client ({@link #saslClientProperties}). The
     * connection itself is not encrypted; TLS settings travel to the clients the same way.
     */
    public static EmbeddedKafkaBroker startWithSaslPlain(Map<String, String> users) {
        Path dir;
        try {
            dir = Files.createTempDirectory("cst-kafka-sasl-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for Kafka logs", e);
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, true, freePort());
        broker.saslUsers = new HashMap<>(users);
        try {
            broker.startServer();
        } catch (RuntimeException e) {
            TempFolders.delete(dir);
            throw e;
        }
        broker.shutdownHook = new Thread(broker::close, "stop embedded Kafka");
        Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
        return broker;
    }

    /**
     * Returns the client settings that authenticate as {@code user} with SASL/PLAIN: what {@code
     * --kafka-property} passes to every client.
     */
    public static Map<String, String> saslClientProperties(String user, String password) {
        return Map.of(
                "security.protocol",
                "SASL_PLAINTEXT",
                "sasl.mechanism",
                "PLAIN",
                "sasl.jaas.config",
                plainLogin(user, password, Map.of()));
    }

    private static String plainLogin(String user, String password, Map<String, String> users) {
        StringBuilder jaas =
                new StringBuilder(
                        "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                + " username=\""
                                + user
                                + "\" password=\""
                                + password
                                + "\"");
        users.forEach((u, pw) -> jaas.append(" user_" + u + "=\"" + pw + "\""));
        return jaas.append(';').toString();
    }

    /** Returns the bootstrap servers string for clients, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Returns the broker's log directory. */
    public Path dataDir() {
        return dataDir;
    }

    private void startServer() {
        long started = System.nanoTime();
        if (controllerPort == 0) {
            controllerPort = freePort();
        }
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (saslUsers != null) {
            // clients authenticate on the broker's port; the controller stays on loopback plain
            props.put(
                    "listeners",
                    "SASL_PLAINTEXT://127.0.0.1:"
                            + brokerPort
                            + ",CONTROLLER://127.0.0.1:"
                            + controllerPort);
            props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + brokerPort);
            props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
            props.put(
                    "listener.security.protocol.map",
                    "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            Map<String, String> users = new HashMap<>(saslUsers);
            users.put(BROKER_USER, brokerPassword());
            props.put(
                    "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    plainLogin(BROKER_USER, brokerPassword(), users));
        }
        props.put("log.dirs", dataDir.toString());
        // a single node can hold only one replica of the internal topics
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        props.put("message.max.bytes", String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
        props.put("replica.fetch.max.bytes", String.valueOf(KafkaSettings.MAX_RECORD_BYTES));
        props.put("socket.request.max.bytes", String.valueOf(2 * KafkaSettings.MAX_RECORD_BYTES));
        props.put("log.segment.bytes", String.valueOf(256 * 1024 * 1024));
        // Flink's transactional sinks keep transactions open for a checkpoint interval
        props.put("transaction.max.timeout.ms", String.valueOf(Duration.ofHours(1).toMillis()));
        try {
            format();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot format the Kafka log directory "
                            + dataDir
                            + "; delete it or point --dir at an empty folder",
                    e);
        }
        Map<Object, Object> config = new HashMap<>(props);
        server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        server.startup();
        awaitReady();
        LOG.info(
                "embedded Kafka broker started bootstrap={} dir={} startMillis={}",
                bootstrapServers(),
                dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void format() throws Exception {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        Files.createDirectories(dataDir);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .addDirectory(dataDir.toString())
                .setMetadataLogDirectory(dataDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .run();
    }

    /** The broker's own user on a SASL listener. */
    private static final String BROKER_USER = "cst-broker";

    private String brokerPassword() {
        // fixed for the life of this object, so a restart accepts the same clients
        return "broker-" + Integer.toHexString(System.identityHashCode(this));
    }

    private void awaitReady() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (saslUsers != null) {
            p.putAll(saslClientProperties(BROKER_USER, brokerPassword()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "embedded Kafka broker at "
                                        + bootstrapServers()
                                        + " did not become ready in 60 s",
                                e);
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    /**
     * Stops the broker as an outage would, keeping its log directory and ports so that {@link
     * #restart()} brings it back with every record it had acknowledged. Clients see the broker
     * vanish.
     */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info(
                    "embedded Kafka broker stopped for a restart bootstrap={}", bootstrapServers());
        }
    }

    /**
     * Starts a broker stopped with {@link #stop()} again, on the same port and log directory.
     *
     * @throws IllegalStateException if the broker is running, or cannot start again (e.g. its port
     *     was taken meanwhile)
     */
    public synchronized void restart() {
        if (server != null) {
            throw new IllegalStateException("broker at " + bootstrapServers() + " is running");
        }
        startServer();
    }

    /** Returns true if the broker is running (not stopped, not closed). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker and, if asked at start, deletes its log directory. */
    @Override
    public synchronized void close() {
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down and runs the hook itself
            }
        }
        shutdownHook = null;
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info("embedded Kafka broker stopped bootstrap={}", bootstrapServers());
        }
        if (deleteOnClose) {
            TempFolders.delete(dataDir);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port for Kafka", e);
        }
    }
}
