package org.cststream.source.labels;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads a text log line by line, optionally following it as a program appends to it: a line is
 * handed out only once its newline is written, so a half-written last line is never read.
 */
public final class LogFollower implements Closeable {
    private final Path path;
    private final RandomAccessFile file;
    private final boolean follow;
    private final Duration idle;
    private final Duration poll;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /** Longest line read, bytes; a longer one is an error, not unbounded memory. */
    public static final int MAX_LINE_BYTES = 1 << 20;

    private final byte[] buffer = new byte[1 << 16];
    private int bufferLength;
    private int bufferPos;
    private long lineNumber;
    private volatile boolean stopped;

    /**
     * Opens the log.
     *
     * @param follow wait for more lines at the end instead of stopping there
     * @param idle when following, stop after this long without a new line (zero: never)
     * @param poll how often to look for new lines when following
     * @throws IOException if the file cannot be opened
     */
    public LogFollower(Path path, boolean follow, Duration idle, Duration poll) throws IOException {
        this.path = path;
        this.file = new RandomAccessFile(path.toFile(), "r");
        this.follow = follow;
        this.idle = idle;
        this.poll = poll;
    }

    /** Makes {@link #nextLine()} return null at its next wait; safe from any thread. */
    public void stop() {
        stopped = true;
    }

    /** Returns the 1-based number of the line last returned. */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * Returns the next complete line without its line ending, or null at the end (not following),
     * when stopped, or after the idle time (following).
     */
    public String nextLine() throws IOException, InterruptedException {
        long lastData = System.nanoTime();
        while (true) {
            while (bufferPos < bufferLength) {
                byte b = buffer[bufferPos++];
                if (b == '\n') {
                    return line();
                }
                if (partial.size() >= MAX_LINE_BYTES) {
                    throw new IOException(
                            path
                                    + ": line "
                                    + (lineNumber + 1)
                                    + " is longer than "
                                    + MAX_LINE_BYTES
                                    + " bytes; this is not a text log (check the path)");
                }
                partial.write(b);
            }
            bufferLength = file.read(buffer);
            bufferPos = 0;
            if (bufferLength > 0) {
                lastData = System.nanoTime();
                continue;
            }
            bufferLength = 0;
            if (!follow || stopped) {
                return partial.size() > 0 && !follow ? line() : null;
            }
            if (!idle.isZero() && System.nanoTime() - lastData > idle.toNanos()) {
                return null;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    private String line() {
        lineNumber++;
        String s = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** Returns the file being read. */
    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
