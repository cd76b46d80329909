package org.cststream.source.folder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.cststream.frame.Frame;
import org.cststream.frame.WallClock;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.TiffPages;
import org.cststream.source.FramePublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch-folder source: follows a folder that acquisition software fills with TIFF files (one
 * per frame, or stacks that grow page by page) and publishes each page once it is complete, in
 * natural order of the file names and page order within a file.
 *
 * <p>A page is taken when its directory and all its pixel data are on disk and either a later
 * page's directory exists or the file has stopped changing (same size, and last modified at least
 * {@link Options#settle()} ago) with no further page announced. A file that shrinks while it is
 * read (software that rewrites it from the start) or cannot be opened for a moment is looked at
 * again at the next poll. A file that stays incomplete, damaged or unreadable and unchanged for
 * {@link Options#giveUpAfter()} is skipped with a warning (what it had of whole pages is
 * published), so that one broken file does not hold back the rest. Later files wait behind an
 * incomplete one, so the order is kept.
 *
 * <p>Frame number and time come from the file's metadata when it has them ({@link
 * org.cststream.recording.TiffMetadata}: OME-TIFF, Hamamatsu-style text headers, ImageJ); else the
 * counter is the frame's index in the folder and the time is {@code index / fps}.
 *
 * <p>Progress is kept in a state folder ({@link WatchState}) and advances only over frames the
 * publisher made safe, so a restart neither resends nor skips a file. Call {@link #saveState()}
 * after closing the publisher, which makes every queued frame safe.
 */
public final class WatchFolderSource {
    private static final Logger LOG = LoggerFactory.getLogger(WatchFolderSource.class);

    /** Metric tag of this source. */
    public static final String SOURCE_NAME = "folder";

    private final Options options;
    private final FramePublisher publisher;
    private final WatchState state;
    private final Map<String, FileWatch> watches = new HashMap<>();
    private final Counter rejected;
    private volatile boolean stopRequested;
    private volatile boolean endSessionOnStop = true;
    private boolean warnedNoTime;
    private long nextIndex;
    private long lastCounter;
    private volatile long framesQueued;
    private long filesFinished;
    private long filesSkipped;
    private String lastFinished;

    /**
     * How the source runs.
     *
     * @param folder the folder to follow
     * @param stateDir where progress is kept across restarts
     * @param sessionId session id of every frame (the Kafka key)
     * @param cameraId camera id written into frames
     * @param channelsNm excitation wavelengths cycled over frames (one entry: one channel)
     * @param fps frame rate for the time of frames whose file records none, frames/s
     * @param pollInterval how often the folder is listed
     * @param settle how long a file must stay unchanged before its last page is taken
     * @param giveUpAfter how long an incomplete file may stay unchanged before it is skipped
     * @param stopAfterIdle end the session when no frame came for this long (zero: run until
     *     stopped)
     * @param maxFrames stop after this many frames in this run (0: no limit)
     */
    public record Options(
            Path folder,
            Path stateDir,
            String sessionId,
            String cameraId,
            List<Integer> channelsNm,
            double fps,
            Duration pollInterval,
            Duration settle,
            Duration giveUpAfter,
            Duration stopAfterIdle,
            long maxFrames) {
        /** Checks the values; the message names the one out of range with its unit. */
        public Options {
            if (sessionId == null || sessionId.isBlank()) {
                throw new IllegalArgumentException("session id must not be empty");
            }
            if (channelsNm == null || channelsNm.isEmpty()) {
                throw new IllegalArgumentException("give at least one channel wavelength in nm");
            }
            if (!(fps > 0 && fps <= 100_000)) {
                throw new IllegalArgumentException(
                        "fps must be in (0, 100000] frames/s, was " + fps);
            }
            if (pollInterval.toMillis() < 1 || pollInterval.toSeconds() > 60) {
                throw new IllegalArgumentException(
                        "poll interval must be in 1 ms..60 s, was "
                                + pollInterval.toMillis()
                                + " ms");
            }
            if (settle.isNegative()) {
                throw new IllegalArgumentException("settle time must be >= 0 ms");
            }
            if (giveUpAfter.compareTo(settle) < 0) {
                throw new IllegalArgumentException(
                        "give-up time ("
                                + giveUpAfter.toMillis()
                                + " ms) must not be shorter than the settle time ("
                                + settle.toMillis()
                                + " ms)");
            }
            if (maxFrames < 0) {
                throw new IllegalArgumentException("frame limit must be >= 0 (0 = none)");
            }
            cameraId = cameraId == null ? "" : cameraId;
            channelsNm = List.copyOf(channelsNm);
        }
    }

    /**
     * What a run did.
     *
     * @param framesQueued frames handed to the publisher in this run
     * @param filesFinished files whose every frame was handed over in this run
     * @param filesSkipped files given up on (not TIFF, damaged, or incomplete for too long)
     * @param lastCounter counter of the last frame, over all runs, or -1
     * @param elapsedNanos duration of the run, ns
     */
    public record Report(
            long framesQueued,
            long filesFinished,
            long filesSkipped,
            long lastCounter,
            long elapsedNanos) {}

    /** How far the source got in one file, and when the file last changed. */
    private static final class FileWatch {
        long size = -1;
        long modified;
        long changedAt;
        int pagesQueued;
    }

    /**
     * Loads the progress of an earlier run from the state folder.
     *
     * @throws IOException if the state cannot be read
     * @throws IllegalArgumentException if the state folder belongs to another session
     */
    public WatchFolderSource(Options options, FramePublisher publisher, MeterRegistry registry)
            throws IOException {
        if (!Files.isDirectory(options.folder)) {
            throw new NoSuchFileException(
                    options.folder.toString(), null, "the folder to watch does not exist");
        }
        this.options = options;
        this.publisher = publisher;
        this.state = WatchState.load(options.stateDir, options.sessionId);
        this.nextIndex = state.nextIndex();
        this.lastCounter = state.lastCounter();
        this.rejected =
                Counter.builder(MetricNames.SOURCE_REJECTED)
                        .description("files or records a live source refused")
                        .tag(MetricNames.TAG_SOURCE, SOURCE_NAME)
                        .tag(MetricNames.TAG_REASON, "unusable-file")
                        .register(registry);
        if (state.filesDone() > 0 || nextIndex > 0) {
            LOG.info(
                    "watch folder resumes folder={} session={} filesDone={} nextIndex={}",
                    options.folder,
                    options.sessionId,
                    state.filesDone(),
                    nextIndex);
        }
    }

    /**
     * Asks {@link #run(Consumer)} to return after the file it is reading.
     *
     * @param endSession whether to send the end-of-session marker (false when the same session will
     *     be continued by a later run)
     */
    public void stop(boolean endSession) {
        endSessionOnStop = endSession;
        stopRequested = true;
    }

    /**
     * Follows the folder until stopped, idle for {@link Options#stopAfterIdle()}, or the frame
     * limit is reached.
     *
     * @param progress called about once a second with the frames queued so far; may be null
     * @throws IOException if the folder cannot be listed or the state cannot be written
     */
    public Report run(Consumer<Long> progress) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long lastFrameAt = start;
        long lastSave = start;
        long lastProgress = start;
        boolean ended = false;
        while (!stopRequested) {
            boolean progressed = false;
            for (String name : pendingFiles()) {
                Path p = options.folder.resolve(name);
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                long before = framesQueued;
                boolean finished = follow(p, name);
                progressed |= framesQueued > before || finished;
                if (!finished || stopRequested || limitReached()) {
                    // later files wait behind one that is still being written
                    break;
                }
            }
            long now = System.nanoTime();
            if (progressed) {
                lastFrameAt = now;
            }
            if (now - lastSave > 500_000_000L) {
                state.save();
                lastSave = now;
            }
            if (progress != null && now - lastProgress > 1_000_000_000L) {
                progress.accept(framesQueued);
                lastProgress = now;
            }
            if (limitReached()) {
                ended = true;
                break;
            }
            if (!options.stopAfterIdle.isZero()
                    && now - lastFrameAt > options.stopAfterIdle.toNanos()) {
                LOG.info(
                        "no new frame for {} ms, ending the session folder={} session={}",
                        options.stopAfterIdle.toMillis(),
                        options.folder,
                        options.sessionId);
                ended = true;
                break;
            }
            if (!progressed) {
                Thread.sleep(options.pollInterval.toMillis());
            }
        }
        // a run that added nothing (a restart after the end) does not end the session again
        if ((ended || endSessionOnStop) && framesQueued > 0) {
            publisher.endSession(options.sessionId, options.cameraId, lastCounter);
        }
        state.save();
        Report r =
                new Report(
                        framesQueued,
                        filesFinished,
                        filesSkipped,
                        lastCounter,
                        System.nanoTime() - start);
        LOG.info(
                "watch folder stopped folder={} session={} frames={} files={} skipped={}",
                options.folder,
                options.sessionId,
                framesQueued,
                filesFinished,
                filesSkipped);
        return r;
    }

    /**
     * Returns the TIFF files not yet finished, in natural order of their names. Finished files are
     * left out before anything else is done with them, so a poll of a folder holding many finished
     * files costs one directory read, not a file-system call per file.
     */
    private List<String> pendingFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(options.folder)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                String lower = name.toLowerCase(Locale.ROOT);
                if (name.startsWith(".")
                        || !(lower.endsWith(".tif") || lower.endsWith(".tiff"))
                        || state.isDone(name)
                        || isFinishedInThisRun(name)) {
                    continue;
                }
                names.add(name);
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(
                    options.folder.toString(), null, "the watched folder disappeared");
        }
        names.sort(TiffPages::compareNames);
        return names;
    }

    private boolean limitReached() {
        return options.maxFrames > 0 && framesQueued >= options.maxFrames;
    }

    private boolean isFinishedInThisRun(String name) {
        FileWatch w = watches.get(name);
        return w != null && w.pagesQueued < 0;
    }

    /**
     * Publishes the pages of one file that are ready.
     *
     * @return true if the file is finished (every page queued, or given up on)
     */
    private boolean follow(Path p, String name) throws IOException, InterruptedException {
        FileWatch w =
                watches.computeIfAbsent(
                        name,
                        n -> {
                            FileWatch fw = new FileWatch();
                            fw.pagesQueued = state.pagesDone(n);
                            return fw;
                        });
        long now = System.nanoTime();
        long size;
        long modified;
        try {
            size = Files.size(p);
            modified = Files.getLastModifiedTime(p).toMillis();
        } catch (NoSuchFileException e) {
            // renamed or removed by the acquisition software between listing and reading
            return false;
        }
        if (size != w.size || modified != w.modified) {
            w.size = size;
            w.modified = modified;
            w.changedAt = now;
        }
        long unchanged = now - w.changedAt;
        // settled: unchanged while watched, or last written longer ago than the settle time (a
        // file first seen after the software finished it need not be watched again)
        long writtenAgoMillis = System.currentTimeMillis() - modified;
        boolean settled =
                unchanged >= options.settle.toNanos()
                        || writtenAgoMillis >= options.settle.toMillis();
        TiffPages.Inspection in;
        try {
            in = TiffPages.inspect(p);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // unreadable for now (locked or protected by the writer): the same rule as for a file
            // that stays incomplete
            return giveUpIfStuck(p, name, w, unchanged, "cannot be read: " + e);
        }
        if (in.damaged()) {
            return giveUpIfStuck(p, name, w, unchanged, in.problem());
        }
        int ready =
                Math.min(
                        in.wholePages(),
                        in.chainEnds() && settled
                                ? in.pageDirectories()
                                : in.pageDirectories() - 1);
        while (w.pagesQueued < ready && !stopRequested && !limitReached()) {
            TiffPages.PageFrame pf;
            try {
                pf = TiffPages.read(p, w.pagesQueued);
            } catch (IOException e) {
                if (settled && !hasChangedSince(p, w)) {
                    // a whole page of a file at rest that cannot be read will not become readable
                    return skip(p, name, w, e.getMessage());
                }
                // the file changed under the reader (rewritten or cut): look again at the next poll
                LOG.debug(
                        "page not readable yet file={} page={}: {}",
                        p,
                        w.pagesQueued,
                        e.toString());
                return false;
            }
            queue(name, w, pf);
        }
        if (in.chainEnds() && settled && w.pagesQueued >= in.pageDirectories()) {
            finish(name, w, false);
            return true;
        }
        if (!in.isComplete() && unchanged >= options.giveUpAfter.toNanos()) {
            // the writer is gone (a file cut short, a last page that points past the end): every
            // page whole on disk is still a frame, the last one included
            while (w.pagesQueued < in.wholePages() && !stopRequested && !limitReached()) {
                try {
                    queue(name, w, TiffPages.read(p, w.pagesQueued));
                } catch (IOException e) {
                    break;
                }
            }
            return skip(p, name, w, in.problem());
        }
        return false;
    }

    /** Skips a file that stayed unchanged and unusable for the give-up time; else waits for it. */
    private boolean giveUpIfStuck(
            Path p, String name, FileWatch w, long unchangedNanos, String why) {
        if (unchangedNanos >= options.giveUpAfter.toNanos()) {
            return skip(p, name, w, why);
        }
        return false;
    }

    /** Returns true if the file's size or modification time differs from what the poll saw. */
    private static boolean hasChangedSince(Path p, FileWatch w) {
        try {
            return Files.size(p) != w.size || Files.getLastModifiedTime(p).toMillis() != w.modified;
        } catch (IOException e) {
            return true;
        }
    }

    private void queue(String name, FileWatch w, TiffPages.PageFrame pf)
            throws InterruptedException {
        Frame f = pf.frame();
        long index = nextIndex++;
        f.sessionId = options.sessionId;
        f.cameraId = options.cameraId;
        f.frameCounter = pf.metadata().frameNumber().orElse(index);
        f.channelNm = options.channelsNm.get((int) (index % options.channelsNm.size()));
        if (f.acquisitionNanos < 0) {
            if (!warnedNoTime) {
                warnedNoTime = true;
                LOG.warn(
                        "TIFF files carry no acquisition time folder={} file={}; using frame index"
                                + " / {} fps as the time",
                        options.folder,
                        name,
                        options.fps);
            }
            f.acquisitionNanos = Math.round(index * 1e9 / options.fps);
        }
        f.hostReceiveNanos = WallClock.nanos();
        w.pagesQueued++;
        WatchState.Entry e = state.queued(name, w.pagesQueued, nextIndex, f.frameCounter);
        publisher.put(f, () -> state.markSafe(e));
        lastCounter = Math.max(lastCounter, f.frameCounter);
        framesQueued++;
    }

    private void finish(String name, FileWatch w, boolean skipped) {
        if (lastFinished != null && TiffPages.compareNames(name, lastFinished) < 0) {
            LOG.warn(
                    "file appeared after later files were published, so its frames came out of"
                            + " name order folder={} file={} after={}",
                    options.folder,
                    name,
                    lastFinished);
        } else {
            lastFinished = name;
        }
        state.fileFinished(name);
        w.pagesQueued = -1;
        if (skipped) {
            filesSkipped++;
        } else {
            filesFinished++;
        }
    }

    private boolean skip(Path p, String name, FileWatch w, String why) {
        rejected.increment();
        LOG.warn(
                "skipping a file that stayed unusable for {} ms file={} pagesPublished={}: {}",
                options.giveUpAfter.toMillis(),
                p,
                Math.max(0, w.pagesQueued),
                why);
        finish(name, w, true);
        return true;
    }

    /** Returns the frames handed to the publisher so far in this run; safe from any thread. */
    public long framesQueued() {
        return framesQueued;
    }

    /**
     * Writes the progress made safe so far; call it after closing the publisher so that every
     * queued frame counts.
     */
    public void saveState() throws IOException {
        state.save();
        int unsafe = state.unsafeFrames();
        if (unsafe > 0) {
            LOG.warn(
                    "{} frame(s) were queued but not made safe folder={}; a restart sends them"
                            + " again",
                    unsafe,
                    options.folder);
        }
    }
}
