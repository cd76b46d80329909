package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Page-level access to TIFF files that acquisition software may still be writing: which pages are
 * whole on disk, their pixels, and their frame number and time from the file's metadata ({@link
 * TiffMetadata}). Used by the watch-folder source. Uncompressed one-sample pages (what cameras'
 * software writes) are read straight from their strips; other layouts go through ImageIO.
 */
public final class TiffPages {
    private TiffPages() {}

    /**
     * The state of a TIFF file at one moment.
     *
     * @param fileBytes file size when inspected, bytes
     * @param pageDirectories page directories read so far
     * @param wholePages leading pages whose directory and pixel data are all on disk
     * @param chainEnds true if the last directory says no page follows
     * @param damaged true if the file is not a TIFF or its structure is broken (not merely short)
     * @param problem what stopped the inspection early, or null
     */
    public record Inspection(
            long fileBytes,
            int pageDirectories,
            int wholePages,
            boolean chainEnds,
            boolean damaged,
            String problem) {
        /** Returns true if every page is whole and no further page is announced. */
        public boolean isComplete() {
            return chainEnds
                    && problem == null
                    && pageDirectories > 0
                    && wholePages == pageDirectories;
        }
    }

    /**
     * A page read as a frame.
     *
     * @param frame pixels and geometry; {@code frameCounter} is the page number and {@code
     *     acquisitionNanos} the metadata's time from start, or -1 when the file records none
     * @param metadata what the file's text said about the page
     */
    public record PageFrame(org.cststream.frame.Frame frame, TiffMetadata metadata) {}

    /**
     * Compares file names in natural order ({@code frame_9.tif} before {@code frame_10.tif}), the
     * order of {@link #list(Path)}.
     */
    public static int compareNames(String a, String b) {
        return NaturalOrder.INSTANCE.compare(a, b);
    }

    /** Lists the {@code .tif}/{@code .tiff} files of a folder in natural order of their names. */
    public static List<Path> list(Path folder) throws IOException {
        return NaturalOrder.list(folder, NaturalOrder.anyOf("tif", "tiff"));
    }

    /**
     * Reads the directories of a file without decoding pixels.
     *
     * @throws IOException if the file cannot be read
     */
    public static Inspection inspect(Path path) throws IOException {
        TiffStructure.Scan s = TiffStructure.scan(path);
        return new Inspection(
                s.fileBytes(),
                s.pages().size(),
                s.wholePages(),
                s.chainEnds(),
                s.damaged(),
                s.problem());
    }

    /**
     * Reads one page: pixels through ImageIO, metadata from the file's text tags.
     *
     * @param page 0-based page number; the page must be whole on disk
     * @throws IOException naming the file and page if the page is unreadable or not a supported
     *     grayscale layout
     */
    public static PageFrame read(Path path, int page) throws IOException {
        TiffStructure.Scan s = TiffStructure.scan(path);
        if (page >= s.wholePages()) {
            throw new IOException(
                    path + ": page " + page + " is not complete on disk (" + s.problem() + ")");
        }
        TiffMetadata meta =
                TiffMetadata.of(
                        TiffMetadata.texts(s.pages().get(0)),
                        TiffMetadata.texts(s.pages().get(page)),
                        page);
        org.cststream.frame.Frame f = readPlain(path, s, page);
        if (f == null) {
            try (TiffFile file = TiffFile.open(path)) {
                TiffFile.Geometry g = file.geometry(page);
                byte[] pixels = file.readPixels(page, g);
                f =
                        ReaderSupport.frame(
                                page,
                                g.width(),
                                g.height(),
                                g.type(),
                                ByteOrder.LITTLE_ENDIAN,
                                pixels);
            }
        }
        f.acquisitionNanos = meta.timeFromStartNanos().orElse(-1);
        return new PageFrame(f, meta);
    }

    /**
     * Reads an uncompressed one-sample page straight from its strips, as acquisition software
     * writes them; returns null for any other layout, which goes through ImageIO.
     */
    private static org.cststream.frame.Frame readPlain(Path path, TiffStructure.Scan s, int page)
            throws IOException {
        TiffStructure.Page p = s.pages().get(page);
        if (p.compression() != 1
                || p.samplesPerPixel() != 1
                || p.stripOffsets() == null
                || p.stripByteCounts() == null
                || s.order() == null) {
            return null;
        }
        org.cststream.frame.PixelType type;
        if (p.bits() == 8 && p.sampleFormat() == 1) {
            type = org.cststream.frame.PixelType.UINT8;
        } else if (p.bits() == 16 && p.sampleFormat() == 1) {
            type = org.cststream.frame.PixelType.UINT16;
        } else if (p.bits() == 16 && p.sampleFormat() == 2) {
            type = org.cststream.frame.PixelType.INT16;
        } else if (p.bits() == 32 && p.sampleFormat() == 3) {
            type = org.cststream.frame.PixelType.FLOAT32;
        } else {
            return null;
        }
        int bytes = ReaderSupport.frameBytes(path, p.width(), p.height(), type);
        byte[] pixels = new byte[bytes];
        int filled = 0;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
            for (int i = 0; i < p.stripOffsets().length && filled < bytes; i++) {
                int n = (int) Math.min(p.stripByteCounts()[i], bytes - filled);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pixels, filled, n);
                long at = p.stripOffsets()[i];
                while (b.hasRemaining()) {
                    int r = ch.read(b, at);
                    if (r < 0) {
                        throw new IOException(
                                path + ": page " + page + " ends before its strip " + i + " does");
                    }
                    at += r;
                }
                filled += n;
            }
        }
        if (filled < bytes) {
            throw new IOException(
                    path
                            + ": page "
                            + page
                            + " has "
                            + filled
                            + " pixel bytes, "
                            + p.width()
                            + "x"
                            + p.height()
                            + " "
                            + ReaderSupport.typeName(type)
                            + " needs "
                            + bytes);
        }
        int bpp = type.bytesPerPixel();
        if (s.order() == ByteOrder.BIG_ENDIAN && bpp > 1) {
            for (int i = 0; i < bytes; i += bpp) {
                for (int k = 0; k < bpp / 2; k++) {
                    byte t = pixels[i + k];
                    pixels[i + k] = pixels[i + bpp - 1 - k];
                    pixels[i + bpp - 1 - k] = t;
                }
            }
        }
        return ReaderSupport.frame(
                page, (int) p.width(), (int) p.height(), type, ByteOrder.LITTLE_ENDIAN, pixels);
    }

    /**
     * Returns the metadata of every page of a file, from one scan of its directories.
     *
     * @throws IOException if the file cannot be read
     */
    static List<TiffMetadata> metadata(Path path) throws IOException {
        TiffStructure.Scan s = TiffStructure.scan(path);
        if (s.pages().isEmpty()) {
            return List.of();
        }
        List<String> first = TiffMetadata.texts(s.pages().get(0));
        List<TiffMetadata> out = new java.util.ArrayList<>(s.pages().size());
        for (int i = 0; i < s.pages().size(); i++) {
            out.add(TiffMetadata.of(first, TiffMetadata.texts(s.pages().get(i)), i));
        }
        return out;
    }
}
