package org.cststream.job.frames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds retained checkpoints in a checkpoint folder, to resume a stopped or crashed job from where
 * it was. Flink writes each completed checkpoint to {@code <folder>/<job id>/chk-<n>/} and its
 * {@code _metadata} file last, so a folder with that file is complete.
 */
public final class Checkpoints {
    private static final Pattern CHECKPOINT = Pattern.compile("chk-\\d+");

    private Checkpoints() {}

    /**
     * Returns the most recently completed checkpoint under {@code folder}, over every job that
     * wrote there, or empty if there is none.
     *
     * @param folder the job's checkpoint folder ({@code execution.checkpointing.dir})
     */
    public static Optional<Path> latest(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(folder)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(Checkpoints::completed)
                    .max(Comparator.comparing(Checkpoints::completedAt))
                    .map(p -> p.getParent());
        }
    }

    private static Stream<Path> completed(Path job) {
        try (Stream<Path> dirs = Files.list(job)) {
            return dirs
                    .filter(d -> CHECKPOINT.matcher(d.getFileName().toString()).matches())
                    .map(d -> d.resolve("_metadata"))
                    .filter(Files::isRegularFile)
                    .toList()
                    .stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static FileTime completedAt(Path metadata) {
        try {
            return Files.getLastModifiedTime(metadata);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Returns the bytes of a checkpoint (every file under its folder). */
    public static long sizeBytes(Path checkpoint) throws IOException {
        try (Stream<Path> files = Files.walk(checkpoint)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        }
    }
}
