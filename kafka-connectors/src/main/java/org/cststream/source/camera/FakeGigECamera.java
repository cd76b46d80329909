package org.cststream.source.camera;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aravis's fake GigE Vision camera ({@code arv-fake-gv-camera-0.8} from Debian's {@code
 * aravis-tools}) run as a child process on loopback, for tests and the benchmark.
 *
 * <p>It answers GigE Vision control on UDP port 3956 of 127.0.0.1 (the port is fixed by the
 * protocol, so one fake camera runs per machine at a time) and is opened by its address, {@link
 * #CAMERA_ID}, which needs no broadcast discovery. Its image is a diagonal ramp that moves one step
 * per frame: in Mono16, pixel (x, y) of the frame with id f is {@code (256 * (x + y + f)) % 65535},
 * times {@code 1 + gain + log10(exposure / 10 ms)}; in Mono8 it is {@code (x + y + f) % 255} times
 * the same factor.
 */
public final class FakeGigECamera implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FakeGigECamera.class);

    /** The program Debian's aravis-tools installs. */
    public static final String PROGRAM = "arv-fake-gv-camera-0.8";

    /** The camera id that opens the fake camera directly on loopback. */
    public static final String CAMERA_ID = "127.0.0.1";

    private final Process process;
    private final Path log;

    private FakeGigECamera(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Returns the program's path if it is installed on the {@code PATH}. */
    public static Optional<Path> program() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, PROGRAM);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns why the fake camera cannot run here, or empty if it can: Aravis's library and the
     * fake camera program must both be installed.
     */
    public static Optional<String> unavailableReason() {
        Optional<String> library = AravisCamera.unavailableReason();
        if (library.isPresent()) {
            return library;
        }
        if (program().isEmpty()) {
            return Optional.of(
                    PROGRAM
                            + " not found on the PATH; install Debian's aravis-tools (apt-get"
                            + " install aravis-tools)");
        }
        return Optional.empty();
    }

    /**
     * Starts the fake camera on 127.0.0.1 and waits until it answers.
     *
     * @param serial the serial number it reports
     * @throws IOException if it is not installed, exits, or does not answer within 10 s (for
     *     example because another fake camera already holds port 3956)
     */
    public static FakeGigECamera start(String serial) throws IOException {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new IOException(reason.get());
        }
        Path log = Files.createTempFile("cst-fake-camera-", ".log");
        Process p =
                new ProcessBuilder(
                                List.of(program().get().toString(), "-i", CAMERA_ID, "-s", serial))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        FakeGigECamera fake = new FakeGigECamera(p, log);
        try {
            fake.awaitAnswer();
        } catch (IOException e) {
            fake.close();
            throw e;
        }
        LOG.info("fake GigE Vision camera started pid={} serial={}", p.pid(), serial);
        return fake;
    }

    private void awaitAnswer() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CameraException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        PROGRAM + " exited with code " + process.exitValue() + ": " + output());
            }
            if (output().contains("Failed to start")) {
                throw new IOException(
                        PROGRAM
                                + " could not start ("
                                + output().trim()
                                + "); is another fake camera holding UDP port 3956 on"
                                + " 127.0.0.1?");
            }
            try (AravisCamera c = AravisCamera.open(CAMERA_ID)) {
                c.serialNumber();
                return;
            } catch (CameraException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the fake camera", e);
            }
        }
        throw new IOException(
                PROGRAM
                        + " did not answer within 10 s: "
                        + (last == null ? "" : last.getMessage())
                        + " "
                        + output(),
                last);
    }

    private String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the child process and removes its log. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            LOG.debug("fake camera log not deleted", e);
        }
    }
}
