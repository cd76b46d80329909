package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Reads frames from a multi-page TIFF, one page a frame, through {@code javax.imageio} and the
 * TwelveMonkeys TIFF plugin.
 *
 * <p>Opening walks the chain of page directories to count the pages and reads the first page's
 * layout; pixels are decoded only when a page is read, so a stack larger than the heap can be
 * replayed. Pages must be single-channel 8-bit, 16-bit (unsigned stays {@link PixelType#UINT16},
 * signed becomes {@link PixelType#INT16}) or 32-bit float, all of one size and type. A frame
 * carries the time its page's metadata records ({@link TiffMetadata}), else none. Reads are
 * serialised, because one image reader serves the whole file.
 */
public final class TiffStackReader implements RecordingReader {
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(TiffStackReader.class);

    private final TiffFile file;
    private final int pageCount;
    private final TiffFile.Geometry geometry;
    private final java.util.List<TiffMetadata> metadata;

    /** Why the file holds fewer pages than its directories announce, or null if it is whole. */
    private final String cutShort;

    private TiffStackReader(
            TiffFile file,
            int pageCount,
            TiffFile.Geometry geometry,
            java.util.List<TiffMetadata> metadata,
            String cutShort) {
        this.file = file;
        this.pageCount = pageCount;
        this.geometry = geometry;
        this.metadata = metadata;
        this.cutShort = cutShort;
    }

    /**
     * Opens a multi-page (or single-page) TIFF.
     *
     * @param path the {@code .tif} or {@code .tiff} file
     * @return an open reader; close it to release the file
     * @throws IOException naming the file (and page) if it is not a readable TIFF, its page count
     *     cannot be determined, or its first page is not a supported layout
     */
    public static TiffStackReader open(Path path) throws IOException {
        TiffFile file = TiffFile.open(path);
        try {
            int pages = file.pageCount();
            TiffFile.Geometry g = file.geometry(0);
            // a file cut short (copied or closed while being written) keeps its whole pages
            TiffStructure.Scan scan = TiffStructure.scan(path);
            String cutShort = null;
            if (!scan.isComplete() && !scan.damaged() && isCutAtTheEnd(scan)) {
                int whole = Math.min(pages, scan.wholePages());
                cutShort =
                        "cut short after page "
                                + (whole - 1)
                                + " of "
                                + scan.fileBytes()
                                + " bytes ("
                                + (scan.problem() != null
                                        ? scan.problem()
                                        : "page " + whole + "'s pixels lie past the end")
                                + "): was it copied while still being written?";
                LOG.warn(
                        "TIFF file cut short, reading its {} whole page(s) file={}: {}",
                        whole,
                        path,
                        cutShort);
                pages = whole;
            }
            return new TiffStackReader(file, pages, g, TiffPages.metadata(path), cutShort);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Returns whether the file holds at least one whole page and every page after the whole ones
     * lies (at least partly) past its end, as when a writer stopped early; a page in the middle
     * that points outside the file is damage, reported when it is read.
     */
    private static boolean isCutAtTheEnd(TiffStructure.Scan scan) {
        int whole = scan.wholePages();
        if (whole < 1) {
            return false;
        }
        for (int i = whole; i < scan.pages().size(); i++) {
            if (scan.pages().get(i).dataEnd() <= scan.fileBytes()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int frameCount() {
        return pageCount;
    }

    @Override
    public int width() {
        return geometry.width();
    }

    @Override
    public int height() {
        return geometry.height();
    }

    @Override
    public PixelType pixelType() {
        return geometry.type();
    }

    /**
     * {@inheritDoc} Frame {@code index} is page {@code index}; a page of another size or type than
     * the first is an error naming the page.
     */
    @Override
    public synchronized Frame read(int index) throws IOException {
        ReaderSupport.checkIndex(index, pageCount, file.path());
        byte[] pixels = file.readPixels(index, geometry);
        Frame frame =
                ReaderSupport.frame(
                        index,
                        geometry.width(),
                        geometry.height(),
                        geometry.type(),
                        ByteOrder.LITTLE_ENDIAN,
                        pixels);
        if (index < metadata.size()) {
            frame.acquisitionNanos = metadata.get(index).timeFromStartNanos().orElse(-1);
        }
        return frame;
    }

    @Override
    public String describe() {
        return "tiff-stack path="
                + file.path()
                + " "
                + ReaderSupport.describeShape(
                        pageCount, geometry.width(), geometry.height(), geometry.type())
                + (cutShort == null ? "" : "; " + cutShort);
    }

    @Override
    public synchronized void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
