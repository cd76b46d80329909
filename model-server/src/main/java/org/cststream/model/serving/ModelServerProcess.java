package org.cststream.model.serving;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model server in a JVM of its own, started with this JVM's class path and Java, as a deployment
 * would run it: for system tests and benchmarks. The child gets {@code -Dai.djl.offline=true} and
 * this JVM's engine thread settings; its output goes to a log file, whose last lines are quoted if
 * it fails to start.
 */
public final class ModelServerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelServerProcess.class);

    /** System properties passed on to the child when this JVM has them. */
    private static final List<String> INHERITED =
            List.of(
                    "ai.djl.pytorch.num_threads",
                    "ai.djl.pytorch.num_interop_threads",
                    "cst.log.dir",
                    "log4j2.configurationFile");

    private final Process process;
    private final Path log;
    private final int port;

    private ModelServerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts a server on a free loopback port and waits until {@code /ready} answers 200.
     *
     * @param model the model folder
     * @param serverArgs further server flags, e.g. {@code --batch-delay-ms 50}
     * @param jvmArgs JVM flags, e.g. {@code -Xmx1g}
     * @param log file for the child's output (created or replaced)
     * @param readyTimeout how long to wait for the server to be ready
     * @throws IOException if the process cannot start, exits early, or is not ready in time (the
     *     message quotes the end of its log)
     */
    public static ModelServerProcess start(
            Path model,
            List<String> serverArgs,
            List<String> jvmArgs,
            Path log,
            Duration readyTimeout)
            throws IOException {
        Path portFile = Files.createTempFile("cst-model-server-", ".port");
        Files.delete(portFile);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-Dai.djl.offline=true");
        for (String key : INHERITED) {
            String value = System.getProperty(key);
            if (value != null) {
                command.add("-D" + key + "=" + value);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ModelServer.class.getName());
        command.addAll(
                List.of(
                        "--model",
                        model.toString(),
                        "--bind",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--port-file",
                        portFile.toString()));
        command.addAll(serverArgs);
        Files.createDirectories(log.toAbsolutePath().getParent());
        LOG.info("starting model server process log={} command={}", log, command);
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            long deadline = System.nanoTime() + readyTimeout.toNanos();
            while (!Files.exists(portFile)) {
                waitAlive(process, log, deadline, "listening");
            }
            int port = Integer.parseInt(Files.readString(portFile).trim());
            Files.deleteIfExists(portFile);
            ModelServerProcess server = new ModelServerProcess(process, log, port);
            HttpClient client =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ready =
                    HttpRequest.newBuilder(server.uri().resolve(ModelServer.READY_PATH))
                            .timeout(Duration.ofSeconds(5))
                            .build();
            while (true) {
                try {
                    if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode()
                            == 200) {
                        return server;
                    }
                } catch (IOException e) {
                    LOG.debug("model server not answering yet error={}", e.toString());
                }
                waitAlive(process, log, deadline, "ready");
            }
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the model server", e);
        }
    }

    private static void waitAlive(Process process, Path log, long deadline, String what)
            throws IOException, InterruptedException {
        if (!process.isAlive()) {
            throw new IOException(
                    "model server process exited with code "
                            + process.exitValue()
                            + " before it was "
                            + what
                            + "; end of its log "
                            + log
                            + ":\n"
                            + tail(log));
        }
        if (System.nanoTime() > deadline) {
            throw new IOException(
                    "model server process was not "
                            + what
                            + " in time; end of its log "
                            + log
                            + ":\n"
                            + tail(log));
        }
        Thread.sleep(50);
    }

    /** Returns the last 20 lines of a log file. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Returns the server's base URI on loopback. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Returns the server's port. */
    public int port() {
        return port;
    }

    /** Returns true while the process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Returns the child's output file. */
    public Path log() {
        return log;
    }

    /** Returns the child's process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Stops the server as an operator would (SIGTERM: queued requests are answered, then it exits),
     * forcibly after 15 s.
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                LOG.warn("model server process did not stop in 15 s pid={}; killing it", pid());
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
