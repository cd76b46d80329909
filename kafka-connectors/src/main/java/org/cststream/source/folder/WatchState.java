package org.cststream.source.folder;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * What a watch-folder source has made safe, kept across restarts: the files whose every frame was
 * acknowledged by Kafka or written to the publisher's spool, how far it got in a file still being
 * written, and the next frame index.
 *
 * <p>Frames become safe out of order (a spooled frame is safe before an earlier one Kafka has not
 * yet acknowledged), so progress advances only over the leading run of safe frames: a restart
 * resends what lies beyond it and skips nothing.
 *
 * <p>Files in {@code stateDir}: {@code watch.state} (properties: session, next index, last counter,
 * a partly published file and its page count) and {@code published.txt} (one finished file name per
 * line, appended).
 */
final class WatchState {
    private static final String STATE = "watch.state";
    private static final String PUBLISHED = "published.txt";

    private final Path dir;
    private final String sessionId;
    private final Set<String> done = new HashSet<>();
    private final Deque<Entry> pending = new ArrayDeque<>();
    private final List<String> newlyDone = new ArrayList<>();
    private long nextIndex;
    private long lastCounter = -1;
    private String partialFile;
    private int partialPages;
    private boolean dirty;

    /** One queued frame, or the end of a file, in the order the source queued them. */
    static final class Entry {
        final String file;
        final int pagesAfter;
        final long indexAfter;
        final long counter;
        final boolean fileEnd;
        volatile boolean safe;

        Entry(String file, int pagesAfter, long indexAfter, long counter, boolean fileEnd) {
            this.file = file;
            this.pagesAfter = pagesAfter;
            this.indexAfter = indexAfter;
            this.counter = counter;
            this.fileEnd = fileEnd;
        }
    }

    private WatchState(Path dir, String sessionId) {
        this.dir = dir;
        this.sessionId = sessionId;
    }

    /**
     * Loads the state of an earlier run from {@code dir}, or starts afresh if there is none.
     *
     * @throws IllegalArgumentException if the folder holds the state of another session
     * @throws IOException if the state files cannot be read
     */
    static WatchState load(Path dir, String sessionId) throws IOException {
        Files.createDirectories(dir);
        WatchState s = new WatchState(dir, sessionId);
        Path state = dir.resolve(STATE);
        if (Files.exists(state)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(state)) {
                p.load(in);
            }
            String owner = p.getProperty("session", "");
            if (!owner.equals(sessionId)) {
                throw new IllegalArgumentException(
                        "state folder "
                                + dir
                                + " belongs to session '"
                                + owner
                                + "', not '"
                                + sessionId
                                + "'; give that --session to continue it, or another"
                                + " --state-dir to start a new session");
            }
            s.nextIndex = Long.parseLong(p.getProperty("next-index", "0"));
            s.lastCounter = Long.parseLong(p.getProperty("last-counter", "-1"));
            s.partialFile = p.getProperty("partial-file");
            s.partialPages = Integer.parseInt(p.getProperty("partial-pages", "0"));
        }
        Path published = dir.resolve(PUBLISHED);
        if (Files.exists(published)) {
            for (String line : Files.readAllLines(published, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    s.done.add(line);
                }
            }
        }
        return s;
    }

    /** Returns true if every frame of the file was made safe (or the file was given up on). */
    synchronized boolean isDone(String file) {
        return done.contains(file);
    }

    /** Returns the pages of {@code file} already safe, 0 unless it is the partly published file. */
    synchronized int pagesDone(String file) {
        return file.equals(partialFile) ? partialPages : 0;
    }

    /** Returns the index the next frame takes (frames published so far, over all files). */
    synchronized long nextIndex() {
        return nextIndex;
    }

    /** Returns the counter of the last frame made safe, or -1. */
    synchronized long lastCounter() {
        return lastCounter;
    }

    /** Returns the number of finished files on record. */
    synchronized int filesDone() {
        return done.size();
    }

    /** Records a queued frame; mark it with {@link #markSafe(Entry)} when it is safe. */
    synchronized Entry queued(String file, int pagesAfter, long indexAfter, long counter) {
        Entry e = new Entry(file, pagesAfter, indexAfter, counter, false);
        pending.add(e);
        return e;
    }

    /** Records that every frame of {@code file} was queued; the file is done once they are safe. */
    synchronized void fileFinished(String file) {
        Entry e = new Entry(file, 0, -1, -1, true);
        e.safe = true;
        pending.add(e);
        advance();
    }

    /** Marks a frame safe and advances over the leading run of safe frames. */
    synchronized void markSafe(Entry e) {
        e.safe = true;
        advance();
    }

    private void advance() {
        while (!pending.isEmpty() && pending.peekFirst().safe) {
            Entry e = pending.pollFirst();
            if (e.fileEnd) {
                done.add(e.file);
                newlyDone.add(e.file);
                if (e.file.equals(partialFile)) {
                    partialFile = null;
                    partialPages = 0;
                }
            } else {
                partialFile = e.file;
                partialPages = e.pagesAfter;
                nextIndex = e.indexAfter;
                lastCounter = Math.max(lastCounter, e.counter);
            }
            dirty = true;
        }
    }

    /** Returns the frames queued and not yet safe. */
    synchronized int unsafeFrames() {
        int n = 0;
        for (Entry e : pending) {
            if (!e.fileEnd && !e.safe) {
                n++;
            }
        }
        return n;
    }

    /** Writes what was made safe since the last save. */
    synchronized void save() throws IOException {
        if (!dirty) {
            return;
        }
        if (!newlyDone.isEmpty()) {
            try (BufferedWriter w =
                    Files.newBufferedWriter(
                            dir.resolve(PUBLISHED),
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND)) {
                for (String f : newlyDone) {
                    w.write(f);
                    w.write('\n');
                }
            }
            newlyDone.clear();
        }
        StringBuilder b = new StringBuilder("# CST Stream watch-folder progress\n");
        b.append("session=").append(escape(sessionId)).append('\n');
        b.append("next-index=").append(nextIndex).append('\n');
        b.append("last-counter=").append(lastCounter).append('\n');
        if (partialFile != null) {
            b.append("partial-file=").append(escape(partialFile)).append('\n');
            b.append("partial-pages=").append(partialPages).append('\n');
        }
        Path tmp = dir.resolve(STATE + ".tmp");
        Files.writeString(tmp, b.toString(), StandardCharsets.ISO_8859_1);
        try {
            Files.move(
                    tmp,
                    dir.resolve(STATE),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
        }
        dirty = false;
    }

    /**
     * Escapes a value for a properties file (separators escaped, other characters as \\u and four
     * hex digits).
     */
    private static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '\\' || c == '=' || c == ':' || c == '#' || c == '!') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
