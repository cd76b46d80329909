package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The page directories of a TIFF file (classic or BigTIFF), read without decoding pixels: size,
 * where each page's pixel data lie, and the text tags (ImageDescription, Software, private ASCII
 * tags) that carry acquisition metadata.
 *
 * <p>Made for files that are still being written: the scan stops quietly at the first directory or
 * data block that lies beyond the end of the file, and reports which pages are whole so far. A file
 * that gets shorter while it is scanned (software that rewrites a file from its start) is reported
 * as not written yet, with no pages, rather than as an error.
 */
final class TiffStructure {
    /** Most pages scanned; a longer chain is treated as damaged. */
    static final int MAX_PAGES = 1_000_000;

    private static final int TAG_IMAGE_DESCRIPTION = 270;
    private static final int TAG_STRIP_OFFSETS = 273;
    private static final int TAG_STRIP_BYTE_COUNTS = 279;
    private static final int TAG_TILE_OFFSETS = 324;
    private static final int TAG_TILE_BYTE_COUNTS = 325;

    /**
     * One page directory.
     *
     * @param width ImageWidth, pixels
     * @param height ImageLength, pixels
     * @param dataEnd one past the last byte of the page's strips or tiles
     * @param texts ASCII tags of the page by tag number, ImageDescription first when present
     * @param bits BitsPerSample (first sample), 0 if absent
     * @param compression Compression, 1 (none) if absent
     * @param samplesPerPixel SamplesPerPixel, 1 if absent
     * @param sampleFormat SampleFormat: 1 unsigned, 2 signed, 3 float; 1 if absent
     * @param stripOffsets strip offsets, or null for a tiled page
     * @param stripByteCounts strip sizes in bytes, or null for a tiled page
     */
    record Page(
            long width,
            long height,
            long dataEnd,
            Map<Integer, String> texts,
            int bits,
            int compression,
            int samplesPerPixel,
            int sampleFormat,
            long[] stripOffsets,
            long[] stripByteCounts) {
        /** Returns the ImageDescription, or "" if the page has none. */
        String description() {
            return texts.getOrDefault(TAG_IMAGE_DESCRIPTION, "");
        }
    }

    /**
     * What a scan found.
     *
     * @param fileBytes size of the file when it was scanned
     * @param pages the directories read, in chain order
     * @param order the file's byte order, or null if the header is not read yet
     * @param chainEnds true if the last directory read says no page follows
     * @param problem why the scan stopped early (a directory or data beyond the end of the file, or
     *     a damaged structure), or null
     * @param damaged true if the file cannot be a TIFF being written (bad header, bad directory)
     */
    record Scan(
            long fileBytes,
            List<Page> pages,
            ByteOrder order,
            boolean chainEnds,
            String problem,
            boolean damaged) {
        /** Returns how many leading pages have their directory and all their pixel data on disk. */
        int wholePages() {
            int n = 0;
            for (Page p : pages) {
                if (p.dataEnd > fileBytes) {
                    break;
                }
                n++;
            }
            return n;
        }

        /** Returns true if every page is on disk and the chain of directories ends. */
        boolean isComplete() {
            return chainEnds && problem == null && wholePages() == pages.size() && !pages.isEmpty();
        }
    }

    private final FileChannel ch;
    private final long size;
    private ByteOrder order;
    private boolean big;

    private TiffStructure(FileChannel ch, long size) {
        this.ch = ch;
        this.size = size;
    }

    /**
     * Scans a TIFF file's directories.
     *
     * @throws IOException if the file cannot be opened or read
     */
    static Scan scan(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return scan(ch, ch.size());
        }
    }

    /**
     * Scans the directories of an open file whose size was {@code size} bytes when the scan began;
     * the file may be shorter by now.
     *
     * @throws IOException if the file cannot be read
     */
    static Scan scan(FileChannel ch, long size) throws IOException {
        try {
            return new TiffStructure(ch, size).scan();
        } catch (Shrunk e) {
            // what was read before the file shrank may belong to its earlier content
            return new Scan(
                    size,
                    List.of(),
                    null,
                    false,
                    "file shrank from "
                            + size
                            + " bytes to "
                            + e.endedAt
                            + " or fewer while its TIFF structure was read (it is being"
                            + " rewritten)",
                    false);
        }
    }

    /** The file ended before the size it had when the scan began: it is being rewritten. */
    private static final class Shrunk extends IOException {
        final long endedAt;

        Shrunk(long endedAt) {
            super("file ended at byte " + endedAt + " while reading its TIFF structure");
            this.endedAt = endedAt;
        }
    }

    private Scan scan() throws IOException {
        List<Page> pages = new ArrayList<>();
        if (size < 8) {
            return new Scan(
                    size,
                    pages,
                    order,
                    false,
                    "file has " + size + " bytes, no TIFF header yet",
                    false);
        }
        ByteBuffer head = read(0, 16 > size ? 8 : 16);
        byte b0 = head.get(0);
        byte b1 = head.get(1);
        if (b0 == 'I' && b1 == 'I') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (b0 == 'M' && b1 == 'M') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return new Scan(
                    size, pages, order, false, "not a TIFF file (no II/MM byte order mark)", true);
        }
        head.order(order);
        int version = head.getShort(2) & 0xFFFF;
        long next;
        if (version == 42) {
            next = head.getInt(4) & 0xFFFFFFFFL;
        } else if (version == 43) {
            if (size < 16) {
                return new Scan(
                        size, pages, order, false, "BigTIFF header not complete yet", false);
            }
            big = true;
            next = head.getLong(8);
        } else {
            return new Scan(
                    size, pages, order, false, "not a TIFF file (version " + version + ")", true);
        }
        while (next != 0) {
            if (pages.size() >= MAX_PAGES) {
                return new Scan(
                        size, pages, order, false, "more than " + MAX_PAGES + " pages", true);
            }
            if (next < 8) {
                return new Scan(
                        size,
                        pages,
                        order,
                        false,
                        "directory offset " + next + " is invalid",
                        true);
            }
            int countBytes = big ? 8 : 2;
            if (next + countBytes > size) {
                return new Scan(
                        size,
                        pages,
                        order,
                        false,
                        "page " + pages.size() + " not written yet",
                        false);
            }
            ByteBuffer c = read(next, countBytes);
            long entries = big ? c.getLong(0) : c.getShort(0) & 0xFFFF;
            int entryBytes = big ? 20 : 12;
            int pointerBytes = big ? 8 : 4;
            if (entries < 1 || entries > 4096) {
                return new Scan(
                        size,
                        pages,
                        order,
                        false,
                        "page " + pages.size() + " has " + entries + " tags",
                        true);
            }
            long dirEnd = next + countBytes + entries * entryBytes + pointerBytes;
            if (dirEnd > size) {
                return new Scan(
                        size,
                        pages,
                        order,
                        false,
                        "page " + pages.size() + " not written yet",
                        false);
            }
            ByteBuffer dir = read(next + countBytes, (int) (entries * entryBytes + pointerBytes));
            Page page = page(dir, (int) entries, entryBytes);
            if (page == null) {
                return new Scan(
                        size,
                        pages,
                        order,
                        false,
                        "page " + pages.size() + " not written yet",
                        false);
            }
            pages.add(page);
            long following =
                    big
                            ? dir.getLong((int) (entries * entryBytes))
                            : dir.getInt((int) (entries * entryBytes)) & 0xFFFFFFFFL;
            if (following != 0 && following <= next) {
                return new Scan(size, pages, order, false, "directory chain loops back", true);
            }
            next = following;
        }
        return new Scan(size, pages, order, true, null, false);
    }

    /** Reads one directory's tags; null if a value it points to is not on disk yet. */
    private Page page(ByteBuffer dir, int entries, int entryBytes) throws IOException {
        long width = 0;
        long height = 0;
        int bits = 0;
        int compression = 1;
        int samplesPerPixel = 1;
        int sampleFormat = 1;
        boolean tiled = false;
        long[] offsets = null;
        long[] counts = null;
        Map<Integer, String> texts = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            int at = i * entryBytes;
            int tag = dir.getShort(at) & 0xFFFF;
            int type = dir.getShort(at + 2) & 0xFFFF;
            long count = big ? dir.getLong(at + 4) : dir.getInt(at + 4) & 0xFFFFFFFFL;
            int valueAt = at + (big ? 12 : 8);
            int inline = big ? 8 : 4;
            int unit = typeBytes(type);
            if (unit == 0 || count < 0 || count > Integer.MAX_VALUE / 8) {
                continue;
            }
            long bytes = count * unit;
            ByteBuffer value;
            if (bytes <= inline) {
                value = dir.duplicate().order(order).position(valueAt).slice().order(order);
            } else {
                long offset = big ? dir.getLong(valueAt) : dir.getInt(valueAt) & 0xFFFFFFFFL;
                if (offset + bytes > size) {
                    return null;
                }
                if (!(tag == 256
                        || tag == 257
                        || tag == TAG_STRIP_OFFSETS
                        || tag == TAG_STRIP_BYTE_COUNTS
                        || tag == TAG_TILE_OFFSETS
                        || tag == TAG_TILE_BYTE_COUNTS
                        || type == 2)) {
                    continue;
                }
                value = read(offset, (int) bytes);
            }
            switch (tag) {
                case 256:
                    width = number(value, type, 0);
                    break;
                case 257:
                    height = number(value, type, 0);
                    break;
                case 258:
                    bits = (int) number(value, type, 0);
                    break;
                case 259:
                    compression = (int) number(value, type, 0);
                    break;
                case 277:
                    samplesPerPixel = (int) number(value, type, 0);
                    break;
                case 339:
                    sampleFormat = (int) number(value, type, 0);
                    break;
                case TAG_STRIP_OFFSETS:
                case TAG_TILE_OFFSETS:
                    offsets = numbers(value, type, (int) count);
                    tiled |= tag == TAG_TILE_OFFSETS;
                    break;
                case TAG_STRIP_BYTE_COUNTS:
                case TAG_TILE_BYTE_COUNTS:
                    counts = numbers(value, type, (int) count);
                    break;
                default:
                    if (type == 2) {
                        texts.put(tag, ascii(value, (int) count));
                    }
            }
        }
        long dataEnd = 0;
        if (offsets != null && counts != null) {
            for (int i = 0; i < Math.min(offsets.length, counts.length); i++) {
                dataEnd = Math.max(dataEnd, offsets[i] + counts[i]);
            }
        } else {
            // a page without data extents cannot be checked: treat it as not written yet
            dataEnd = Long.MAX_VALUE;
        }
        return new Page(
                width,
                height,
                dataEnd,
                texts,
                bits,
                compression,
                samplesPerPixel,
                sampleFormat,
                tiled ? null : offsets,
                tiled ? null : counts);
    }

    private static int typeBytes(int type) {
        switch (type) {
            case 1:
            case 2:
            case 6:
            case 7:
                return 1;
            case 3:
            case 8:
                return 2;
            case 4:
            case 9:
            case 11:
            case 13:
                return 4;
            case 5:
            case 10:
            case 12:
            case 16:
            case 17:
            case 18:
                return 8;
            default:
                return 0;
        }
    }

    private static long number(ByteBuffer v, int type, int index) {
        switch (type) {
            case 1:
                return v.get(index) & 0xFF;
            case 3:
                return v.getShort(2 * index) & 0xFFFF;
            case 4:
            case 13:
                return v.getInt(4 * index) & 0xFFFFFFFFL;
            case 16:
            case 18:
                return v.getLong(8 * index);
            default:
                return 0;
        }
    }

    private static long[] numbers(ByteBuffer v, int type, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = number(v, type, i);
        }
        return out;
    }

    private static String ascii(ByteBuffer v, int count) {
        byte[] b = new byte[count];
        v.duplicate().position(0).get(b, 0, count);
        int end = count;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer b =
                ByteBuffer.allocate(length).order(order == null ? ByteOrder.LITTLE_ENDIAN : order);
        long p = offset;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                // every read lies below the size taken at the start of the scan
                throw new Shrunk(p);
            }
            p += n;
        }
        b.flip();
        return b;
    }
}
