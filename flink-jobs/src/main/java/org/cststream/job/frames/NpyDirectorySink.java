package org.cststream.job.frames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.cststream.recording.NpyWriter;

/**
 * Writes each dF/F frame to {@code <dir>/<session>/<channel>/dff_<counter>.npy} (float32, H x W)
 * for offline analysis (another prefix than {@code dff} for other frames, e.g. {@code corrected}).
 * A file is written under a temporary name and renamed, so a reader never sees half a frame; a
 * rewrite after recovery replaces the file with identical content.
 */
public class NpyDirectorySink implements Sink<DffFrame> {
    private static final long serialVersionUID = 1L;

    private final String directory;
    private final String prefix;

    /**
     * @param directory the output folder; created if missing
     */
    public NpyDirectorySink(String directory) {
        this(directory, "dff");
    }

    /**
     * @param directory the output folder; created if missing
     * @param prefix the file names' prefix, e.g. {@code corrected}
     */
    public NpyDirectorySink(String directory, String prefix) {
        this.directory = directory;
        this.prefix = prefix;
    }

    @Override
    public SinkWriter<DffFrame> createWriter(WriterInitContext context) {
        return new Writer(Paths.get(directory), prefix);
    }

    /** Returns the file a dF/F frame is written to. */
    public static Path fileFor(Path dir, DffFrame d) {
        return fileFor(dir, d, "dff");
    }

    /** Returns the file a frame is written to under the given prefix. */
    public static Path fileFor(Path dir, DffFrame d, String prefix) {
        return dir.resolve(safe(d.sessionId))
                .resolve(safe(d.channelLabel()))
                .resolve(String.format("%s_%08d.npy", prefix, d.frameCounter));
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static final class Writer implements SinkWriter<DffFrame> {
        private final Path dir;
        private final String prefix;

        Writer(Path dir, String prefix) {
            this.dir = dir;
            this.prefix = prefix;
        }

        @Override
        public void write(DffFrame d, Context context) throws IOException {
            Path target = fileFor(dir, d, prefix);
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".part");
            NpyWriter.write(tmp, d.values, d.height, d.width);
            Files.move(
                    tmp,
                    target,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }
}
