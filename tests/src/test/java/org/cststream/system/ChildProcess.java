package org.cststream.system;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process a system test starts (a Kafka broker, a Flink JobManager or TaskManager, Prometheus),
 * with its output in a log file; stopped on close, forcibly if it does not stop in 10 s. Failures
 * quote the end of its log.
 */
final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command}, its output (stdout and stderr) going to {@code log}.
     *
     * @param env extra environment variables
     */
    static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return new ChildProcess(name, pb.start(), log);
    }

    /** Returns a {@code java} command line with this JVM's Java and the given class path. */
    static List<String> java(String classpath, List<String> jvmArgs, String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        return cmd;
    }

    /**
     * Waits until a line of the log matches {@code pattern} and returns the match.
     *
     * @throws IllegalStateException if the process exits first or the time runs out
     */
    Matcher awaitLog(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name
                                + " exited with "
                                + process.exitValue()
                                + " before '"
                                + pattern
                                + "'; end of "
                                + log
                                + ":\n"
                                + tail());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                name
                        + " did not log '"
                        + pattern
                        + "' within "
                        + timeout
                        + "; end of "
                        + log
                        + ":\n"
                        + tail());
    }

    /** Returns whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Returns the last 40 lines of the log. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Returns a TCP port free on loopback now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
