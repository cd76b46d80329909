package org.cststream.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Temporary folders of embedded services (Kafka logs, Flink checkpoints), removed on exit. */
public final class TempFolders {
    private static final Logger LOG = LoggerFactory.getLogger(TempFolders.class);

    private TempFolders() {}

    /**
     * Creates a temporary folder that is deleted when the JVM exits, also on Ctrl-C or SIGTERM.
     *
     * @param prefix the folder name's prefix, e.g. {@code cst-checkpoints-}
     */
    public static Path create(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir), "delete " + dir));
        return dir;
    }

    /** Deletes a folder and everything in it; a failure is logged, not thrown. */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("could not delete temporary folder dir={}", dir, e);
        }
    }
}
