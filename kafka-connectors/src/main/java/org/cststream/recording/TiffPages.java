package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Page-level access to TIFF files that acquisition software may still be writing: which pages are
 * whole on disk, their pixels, and their frame number and time from the file's metadata ({@link
 * TiffMetadata}). Used by the watch-folder source.
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
        try (TiffFile file = TiffFile.open(path)) {
            TiffFile.Geometry g = file.geometry(page);
            byte[] pixels = file.readPixels(page, g);
            org.cststream.frame.Frame f =
                    ReaderSupport.frame(
                            page, g.width(), g.height(), g.type(), ByteOrder.LITTLE_ENDIAN, pixels);
            f.acquisitionNanos = meta.timeFromStartNanos().orElse(-1);
            return new PageFrame(f, meta);
        }
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
