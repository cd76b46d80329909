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
 * for offline analysis. A file is written under a temporary name and renamed, so a reader never
 * sees half a frame; a rewrite after recovery replaces the file with identical content.
 */
public class NpyDirectorySink implements Sink<DffFrame> {
    private static final long serialVersionUID = 1L;

    private final String directory;

    /**
     * @param directory the output folder; created if missing
     */
    public NpyDirectorySink(String directory) {
        this.directory = directory;
    }

    @Override
    public SinkWriter<DffFrame> createWriter(WriterInitContext context) {
        return new Writer(Paths.get(directory));
    }

    /** Returns the file a frame is written to. */
    public static Path fileFor(Path dir, DffFrame d) {
        return dir.resolve(safe(d.sessionId))
                .resolve(safe(d.channelLabel()))
                .resolve(String.format("dff_%08d.npy", d.frameCounter));
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static final class Writer implements SinkWriter<DffFrame> {
        private final Path dir;

        Writer(Path dir) {
            this.dir = dir;
        }

        @Override
        public void write(DffFrame d, Context context) throws IOException {
            Path target = fileFor(dir, d);
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
