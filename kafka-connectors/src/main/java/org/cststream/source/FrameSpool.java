package org.cststream.source;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk spool of a live source: append-only segment files of records in sequence order, and a
 * state file with the sequence number below which every record was acknowledged by Kafka.
 *
 * <p>Layout of {@code dir}: segment files {@code spool-<first seq, 20 digits>.seg} and {@code
 * spool.state} (a properties file with {@code committed-seq}). A record on disk is: int32 length of
 * what follows, int64 sequence number, one flag byte (bit 0: end-of-session marker), uint16 key
 * length, the key (UTF-8), the frame record, and a CRC-32 of everything after the length field;
 * integers little-endian.
 *
 * <p>Records are read back in sequence order, merged across segments: normally segments follow each
 * other, but a stop that could not reach Kafka writes the records it had sent and not seen
 * acknowledged to a segment of their own, whose numbers fall between those of earlier segments. On
 * opening, a segment that ends in a torn record (the process died while writing it) is cut back to
 * its last whole record.
 *
 * <p>Not thread-safe: the publisher's router thread is its only user.
 */
final class FrameSpool implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameSpool.class);
    private static final Pattern SEGMENT = Pattern.compile("spool-(\\d{20})\\.seg");
    private static final String STATE = "spool.state";
    private static final String COMMITTED = "committed-seq";

    /** Bytes of a record besides its key and value: length, seq, flags, key length, CRC. */
    static final int OVERHEAD_BYTES = 4 + 8 + 1 + 2 + 4;

    /** Free disk space the spool leaves to everything else, bytes. */
    static final long DISK_RESERVE_BYTES = 64L * 1024 * 1024;

    /** Usable space at the last check, bytes; -1 before the first. */
    private long usableAtCheck = -1;

    /** Bytes appended since that check. */
    private long writtenSinceSpaceCheck;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final List<Segment> segments = new ArrayList<>();
    private Segment active;
    private long committed;
    private long persistedCommitted = -1;
    private long bytesOnDisk;
    private long unread;
    private long recordsDiscarded;

    private FrameSpool(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Opens the spool in {@code dir}, creating the folder if needed, and recovers what an earlier
     * run left: records at or above the committed sequence number are unread and will be read back
     * first.
     *
     * @param maxBytes most bytes of segment files (0: nothing is ever spooled)
     * @param segmentBytes size at which a new segment is started
     * @throws IOException if the folder cannot be created or a segment cannot be read
     */
    static FrameSpool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
        Files.createDirectories(dir);
        FrameSpool spool = new FrameSpool(dir, maxBytes, segmentBytes);
        spool.recover();
        return spool;
    }

    private void recover() throws IOException {
        Path state = dir.resolve(STATE);
        if (Files.exists(state)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(state)) {
                p.load(in);
            }
            try {
                committed = Long.parseLong(p.getProperty(COMMITTED, "0").trim());
            } catch (NumberFormatException e) {
                throw new IOException(
                        state
                                + ": "
                                + COMMITTED
                                + " is not a number ('"
                                + p.getProperty(COMMITTED)
                                + "'); the spool state is damaged: move the folder aside to"
                                + " keep its frames, or delete it",
                        e);
            }
            persistedCommitted = committed;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches())
                            .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                            .toList();
        }
        for (Path f : files) {
            Matcher m = SEGMENT.matcher(f.getFileName().toString());
            m.matches();
            Segment s = Segment.recover(f, Long.parseLong(m.group(1)), committed);
            if (s.recordCount == 0 || s.lastSeq < committed) {
                s.delete();
                continue;
            }
            segments.add(s);
            bytesOnDisk += s.end;
            unread += s.unreadCount;
            if (s.tornBytes > 0) {
                LOG.warn(
                        "spool segment ended in a torn record, cut back file={} bytesDropped={}"
                                + " (the process stopped while writing it; that frame was never"
                                + " acknowledged to its source)",
                        f,
                        s.tornBytes);
            }
        }
        if (!segments.isEmpty()) {
            LOG.info(
                    "spool recovered dir={} segments={} unreadRecords={} bytes={}"
                            + " committedSeq={}",
                    dir,
                    segments.size(),
                    unread,
                    bytesOnDisk,
                    committed);
        }
    }

    /** Returns the folder of the spool. */
    Path dir() {
        return dir;
    }

    /** Returns the lowest sequence number a new record may take: above everything stored. */
    long nextSeq() {
        long next = committed;
        for (Segment s : segments) {
            next = Math.max(next, s.lastSeq + 1);
        }
        return next;
    }

    /** Returns true if records wait on disk to be read back. */
    boolean hasUnread() {
        return unread > 0;
    }

    /** Returns how many records wait on disk to be read back. */
    long unreadCount() {
        return unread;
    }

    /** Returns the sequence number of the next record {@link #readNext()} returns, or -1. */
    long firstUnreadSeq() {
        Segment s = nextSegment();
        return s == null ? -1 : s.peekSeq;
    }

    /** Returns the size in memory of the next unread record, bytes, or 0 if none. */
    long peekMemoryBytes() {
        Segment s = nextSegment();
        return s == null ? 0 : s.peekLength + 64L;
    }

    /** Returns the bytes of segment files on disk. */
    long bytesOnDisk() {
        return bytesOnDisk;
    }

    /** Returns the records dropped while reading back because they failed their checksum. */
    long recordsDiscarded() {
        return recordsDiscarded;
    }

    /**
     * Returns the file system's usable space less what was written since it was last asked: the
     * file system is asked again once half the reserve has been written, not for every frame.
     */
    private long usableSpace(long next) throws IOException {
        if (usableAtCheck < 0 || writtenSinceSpaceCheck + next > DISK_RESERVE_BYTES / 2) {
            usableAtCheck = Files.getFileStore(dir).getUsableSpace();
            writtenSinceSpaceCheck = 0;
        }
        return usableAtCheck - writtenSinceSpaceCheck;
    }

    /**
     * Appends a record at the end of the active segment.
     *
     * @return null if it was written, else why it was not ({@code spool-full}, {@code disk-full},
     *     {@code spool-error}); the caller counts the frame as lost
     */
    String append(Outgoing r) {
        long size = recordBytes(r);
        if (maxBytes == 0 || bytesOnDisk + size > maxBytes && !r.marker) {
            return "spool-full";
        }
        try {
            if (usableSpace(size) < size + DISK_RESERVE_BYTES) {
                return "disk-full";
            }
            if (active == null || active.end >= segmentBytes || active.lastSeq >= r.seq) {
                active = Segment.create(dir, r.seq);
                segments.add(active);
            }
            active.write(r);
            bytesOnDisk += size;
            writtenSinceSpaceCheck += size;
            unread++;
            return null;
        } catch (IOException e) {
            LOG.warn("cannot write to the spool dir={}: {}", dir, e.toString());
            return "spool-error";
        }
    }

    /**
     * Writes records that were sent but not acknowledged when Kafka stayed out of reach at a stop,
     * in a segment of their own, so that a later run sends them again in their place in the order.
     *
     * @param records records in ascending sequence order
     * @throws IOException if the segment cannot be written; those records are then lost
     */
    void keep(List<Outgoing> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Segment s = Segment.create(dir, records.get(0).seq);
        for (Outgoing r : records) {
            s.write(r);
            bytesOnDisk += recordBytes(r);
            unread++;
        }
        s.force();
        segments.add(s);
        if (active != null) {
            active.force();
        }
        active = null;
    }

    /**
     * Reads the unread record of lowest sequence number.
     *
     * @return the record, marked as coming from the spool, or null if none is unread
     * @throws UncheckedIOException if the segment cannot be read
     */
    Outgoing readNext() {
        while (true) {
            Segment s = nextSegment();
            if (s == null) {
                return null;
            }
            try {
                Outgoing r = s.read();
                unread--;
                if (r == null) {
                    recordsDiscarded++;
                    LOG.warn(
                            "spool record failed its checksum and is skipped file={}"
                                    + " (the disk returned damaged data)",
                            s.path);
                    continue;
                }
                r.fromSpool = true;
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the spool segment " + s.path, e);
            }
        }
    }

    private Segment nextSegment() {
        Segment best = null;
        for (Segment s : segments) {
            if (s.unreadCount > 0 && (best == null || s.peekSeq < best.peekSeq)) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Records that every record below {@code seq} was acknowledged: deletes segments holding
     * nothing else and rewrites the state file if it changed.
     */
    void commit(long seq) {
        if (seq <= committed) {
            return;
        }
        committed = seq;
        List<Segment> done = new ArrayList<>();
        for (Segment s : segments) {
            if (s.lastSeq < committed && s.unreadCount == 0) {
                done.add(s);
            }
        }
        for (Segment s : done) {
            segments.remove(s);
            bytesOnDisk -= s.end;
            if (s == active) {
                active = null;
            }
            try {
                s.delete();
            } catch (IOException e) {
                LOG.warn("cannot delete a sent spool segment file={}: {}", s.path, e.toString());
            }
        }
        // with nothing on disk the number only orders future records, and a restart may start
        // from an older one: no need to rewrite the file ten times a second while Kafka keeps up
        if (segments.isEmpty() && done.isEmpty()) {
            return;
        }
        try {
            persistState();
        } catch (IOException e) {
            LOG.warn("cannot write the spool state dir={}: {}", dir, e.toString());
        }
    }

    /** Forces written records to the disk. */
    void force() throws IOException {
        if (active != null) {
            active.force();
        }
    }

    private void persistState() throws IOException {
        if (committed == persistedCommitted) {
            return;
        }
        Path tmp = dir.resolve(STATE + ".tmp");
        String text =
                "# CST Stream spool: records below this sequence number were sent\n"
                        + COMMITTED
                        + "="
                        + committed
                        + "\n";
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(
                    tmp,
                    dir.resolve(STATE),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
        }
        persistedCommitted = committed;
    }

    /** Forces the active segment and writes the state file; segments stay for the next run. */
    @Override
    public void close() throws IOException {
        try {
            force();
            persistState();
        } finally {
            for (Segment s : segments) {
                s.channel.close();
            }
        }
    }

    static long recordBytes(Outgoing r) {
        return OVERHEAD_BYTES + r.keyBytes.length + r.value.length;
    }

    /** One segment file: its channel, where writing and reading stand, and its sequence range. */
    private static final class Segment {
        final Path path;
        final FileChannel channel;
        long end;
        long readPos;
        long recordCount;
        long lastSeq = -1;
        long unreadCount;
        long peekSeq = -1;
        int peekLength;
        long tornBytes;

        private Segment(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        static Segment create(Path dir, long firstSeq) throws IOException {
            Path p = dir.resolve(String.format("spool-%020d.seg", firstSeq));
            FileChannel ch =
                    FileChannel.open(
                            p,
                            StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
            return new Segment(p, ch);
        }

        /** Scans a segment: validates each record, cuts a torn tail, finds the first unread. */
        static Segment recover(Path p, long firstSeq, long committed) throws IOException {
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Segment s = new Segment(p, ch);
            long size = ch.size();
            long pos = 0;
            boolean readSet = false;
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (pos + 4 <= size) {
                head.clear().limit(12);
                readFully(ch, head, pos);
                int length = head.getInt(0);
                if (length < OVERHEAD_BYTES - 4 || pos + 4 + length > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, body, pos + 4);
                if (!checksumMatches(body, length)) {
                    break;
                }
                long seq = body.getLong(0);
                s.recordCount++;
                s.lastSeq = seq;
                if (seq >= committed) {
                    s.unreadCount++;
                    if (!readSet) {
                        s.readPos = pos;
                        s.peekSeq = seq;
                        s.peekLength = length;
                        readSet = true;
                    }
                }
                pos += 4 + length;
            }
            if (pos < size) {
                s.tornBytes = size - pos;
                ch.truncate(pos);
            }
            s.end = pos;
            if (!readSet) {
                s.readPos = pos;
            }
            return s;
        }

        void write(Outgoing r) throws IOException {
            int length = (int) (recordBytes(r) - 4);
            ByteBuffer head =
                    ByteBuffer.allocate(4 + 8 + 1 + 2 + r.keyBytes.length)
                            .order(ByteOrder.LITTLE_ENDIAN);
            head.putInt(length).putLong(r.seq).put((byte) (r.marker ? 1 : 0));
            head.putShort((short) r.keyBytes.length).put(r.keyBytes);
            CRC32 crc = new CRC32();
            crc.update(head.array(), 4, head.capacity() - 4);
            crc.update(r.value);
            ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            tail.putInt((int) crc.getValue());
            head.flip();
            tail.flip();
            ByteBuffer[] parts = {head, ByteBuffer.wrap(r.value), tail};
            long pos = end;
            channel.position(pos);
            long total = length + 4L;
            long written = 0;
            while (written < total) {
                written += channel.write(parts);
            }
            boolean wasEmpty = unreadCount == 0;
            end += total;
            recordCount++;
            lastSeq = r.seq;
            unreadCount++;
            if (wasEmpty) {
                readPos = pos;
                peekSeq = r.seq;
                peekLength = length;
            }
        }

        /** Reads the record at the read position; null if it fails its checksum. */
        Outgoing read() throws IOException {
            int length = peekLength;
            ByteBuffer body = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, body, readPos + 4);
            readPos += 4 + length;
            unreadCount--;
            peekNext();
            if (!checksumMatches(body, length)) {
                return null;
            }
            long seq = body.getLong(0);
            boolean marker = (body.get(8) & 1) != 0;
            int keyLength = body.getShort(9) & 0xFFFF;
            String key = new String(body.array(), 11, keyLength, StandardCharsets.UTF_8);
            int valueStart = 11 + keyLength;
            byte[] value = new byte[length - valueStart - 4];
            System.arraycopy(body.array(), valueStart, value, 0, value.length);
            return new Outgoing(seq, key, value, marker, null);
        }

        private void peekNext() throws IOException {
            if (unreadCount == 0) {
                peekSeq = -1;
                peekLength = 0;
                return;
            }
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, head, readPos);
            peekLength = head.getInt(0);
            peekSeq = head.getLong(4);
        }

        void force() throws IOException {
            if (channel.isOpen()) {
                channel.force(false);
            }
        }

        void delete() throws IOException {
            channel.close();
            Files.deleteIfExists(path);
        }

        private static boolean checksumMatches(ByteBuffer body, int length) {
            CRC32 crc = new CRC32();
            crc.update(body.array(), 0, length - 4);
            return body.getInt(length - 4) == (int) crc.getValue();
        }

        private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
            long p = pos;
            while (b.hasRemaining()) {
                int n = ch.read(b, p);
                if (n < 0) {
                    throw new IOException("unexpected end of spool segment at byte " + p);
                }
                p += n;
            }
        }
    }
}
