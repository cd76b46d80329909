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
    private final TiffFile file;
    private final int pageCount;
    private final TiffFile.Geometry geometry;
    private final java.util.List<TiffMetadata> metadata;

    private TiffStackReader(
            TiffFile file,
            int pageCount,
            TiffFile.Geometry geometry,
            java.util.List<TiffMetadata> metadata) {
        this.file = file;
        this.pageCount = pageCount;
        this.geometry = geometry;
        this.metadata = metadata;
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
            return new TiffStackReader(file, pages, g, TiffPages.metadata(path));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
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
                        pageCount, geometry.width(), geometry.height(), geometry.type());
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
