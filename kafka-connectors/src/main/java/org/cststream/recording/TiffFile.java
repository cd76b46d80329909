package org.cststream.recording;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import org.cststream.frame.PixelType;

/**
 * One open TIFF file whose pages are read one at a time through {@code javax.imageio}.
 *
 * <p>The stream is a random-access file stream, so reading page {@code i} seeks to its directory
 * and strips and reads nothing else. Not thread-safe, like the {@link ImageReader} it wraps.
 */
final class TiffFile implements Closeable {
    /** Pixel layouts a page may have, for error messages. */
    static final String SUPPORTED =
            "single-channel 8-bit unsigned, 16-bit unsigned or signed," + " or 32-bit float";

    static {
        // ImageIO's registry scans the class path once, with the class loader that first
        // touched it; under Flink's child-first loader the TIFF plugin can be missed, so scan
        // again with ours
        ImageIO.scanForPlugins();
    }

    /**
     * The size and pixel type of one page.
     *
     * @param width columns, 1 or more
     * @param height rows, 1 or more
     * @param type the pixel type the page's samples map to
     */
    record Geometry(int width, int height, PixelType type) {
        @Override
        public String toString() {
            return width + "x" + height + " " + ReaderSupport.typeName(type);
        }
    }

    private final Path path;
    private final ImageInputStream stream;
    private final ImageReader reader;
    private int pageCount = -1;

    private TiffFile(Path path, ImageInputStream stream, ImageReader reader) {
        this.path = path;
        this.stream = stream;
        this.reader = reader;
    }

    /**
     * Opens a TIFF file for page-wise reading.
     *
     * @throws IOException naming the file if it cannot be opened or no TIFF reader accepts it
     */
    static TiffFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": not a readable file");
        }
        ImageInputStream stream = ImageIO.createImageInputStream(path.toFile());
        if (stream == null) {
            throw new IOException(path + ": ImageIO cannot open a stream on the file");
        }
        try {
            ImageReader reader = pickReader(stream);
            if (reader == null) {
                throw new IOException(
                        path
                                + ": not a TIFF file (it does not start with a TIFF header);"
                                + " give a .tif/.tiff file, or a folder of them");
            }
            // seekForwardOnly=false for random access, ignoreMetadata=true as frames need none
            reader.setInput(stream, false, true);
            return new TiffFile(path, stream, reader);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private static ImageReader pickReader(ImageInputStream stream) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
        ImageReader chosen = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String format = "";
            try {
                format = r.getFormatName();
            } catch (IOException e) {
                // a reader that cannot name its format is not one we want
            }
            if (!format.toLowerCase(java.util.Locale.ROOT).contains("tif")) {
                r.dispose();
                continue;
            }
            // prefer TwelveMonkeys, the plugin this project tests against, over the JDK's own
            boolean preferred = r.getClass().getName().startsWith("com.twelvemonkeys.");
            if (chosen == null
                    || preferred && !chosen.getClass().getName().startsWith("com.twelvemonkeys.")) {
                if (chosen != null) {
                    chosen.dispose();
                }
                chosen = r;
            } else {
                r.dispose();
            }
        }
        return chosen;
    }

    /** Returns the file's path. */
    Path path() {
        return path;
    }

    /**
     * Returns the number of pages, walking the chain of image directories once.
     *
     * @throws IOException naming the file if the count cannot be determined or is 0
     */
    int pageCount() throws IOException {
        if (pageCount < 0) {
            int n;
            try {
                n = reader.getNumImages(true);
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        path + ": cannot determine the TIFF page count: " + e.getMessage(), e);
            }
            if (n < 1) {
                throw new IOException(
                        path
                                + ": no whole TIFF page (the file is cut short before its first"
                                + " page's directory, or empty; the reader counts "
                                + n
                                + "); copy the file again from the acquisition machine");
            }
            pageCount = n;
        }
        return pageCount;
    }

    /**
     * Returns the size and pixel type of one page from its image directory, without decoding
     * pixels.
     *
     * @param page 0-based page number
     * @throws IOException naming the file and page if the directory is unreadable or the page is
     *     not a supported grayscale layout
     */
    Geometry geometry(int page) throws IOException {
        int width;
        int height;
        ImageTypeSpecifier raw;
        try {
            width = reader.getWidth(page);
            height = reader.getHeight(page);
            raw = reader.getRawImageType(page);
        } catch (IOException | RuntimeException e) {
            throw new IOException(path + ": page " + page + " is unreadable: " + e.getMessage(), e);
        }
        if (raw == null) {
            throw new IOException(
                    path
                            + ": page "
                            + page
                            + " has no raw pixel layout the TIFF"
                            + " reader can report; supported: "
                            + SUPPORTED);
        }
        PixelType type = pixelType(raw.getSampleModel(), page);
        ReaderSupport.frameBytes(path, width, height, type);
        return new Geometry(width, height, type);
    }

    private PixelType pixelType(SampleModel sm, int page) throws IOException {
        int bands = sm.getNumBands();
        int bits = sm.getSampleSize(0);
        int dataType = sm.getDataType();
        if (bands == 1) {
            if (dataType == DataBuffer.TYPE_BYTE && bits == 8) {
                return PixelType.UINT8;
            }
            if (dataType == DataBuffer.TYPE_USHORT && bits == 16) {
                return PixelType.UINT16;
            }
            if (dataType == DataBuffer.TYPE_SHORT && bits == 16) {
                return PixelType.INT16;
            }
            if (dataType == DataBuffer.TYPE_FLOAT && bits == 32) {
                return PixelType.FLOAT32;
            }
        }
        throw new IOException(
                path
                        + ": page "
                        + page
                        + " has "
                        + bands
                        + " channel(s) of "
                        + bits
                        + "-bit samples ("
                        + dataTypeName(dataType)
                        + "); supported: "
                        + SUPPORTED);
    }

    /**
     * Decodes one page into row-major pixel bytes, little-endian for multi-byte types.
     *
     * @param page 0-based page number
     * @param expected the geometry every page of the recording must have
     * @throws IOException naming the file and page if the page is unreadable or differs from the
     *     expected geometry
     */
    byte[] readPixels(int page, Geometry expected) throws IOException {
        Geometry g = geometry(page);
        if (!g.equals(expected)) {
            throw new IOException(
                    path
                            + ": page "
                            + page
                            + " is "
                            + g
                            + " but the recording is "
                            + expected
                            + "; every frame must share size and pixel type");
        }
        Raster raster;
        try {
            raster =
                    reader.canReadRaster()
                            ? reader.readRaster(page, null)
                            : reader.read(page).getRaster();
        } catch (IOException | RuntimeException e) {
            throw new IOException(path + ": page " + page + " is unreadable: " + e.getMessage(), e);
        }
        if (raster.getWidth() != g.width()
                || raster.getHeight() != g.height()
                || raster.getNumBands() != 1) {
            throw new IOException(
                    path
                            + ": page "
                            + page
                            + " decoded to "
                            + raster.getWidth()
                            + "x"
                            + raster.getHeight()
                            + " with "
                            + raster.getNumBands()
                            + " bands, not the "
                            + g
                            + " its directory announces");
        }
        Object data =
                raster.getDataElements(
                        raster.getMinX(), raster.getMinY(), g.width(), g.height(), null);
        return toBytes(data, g, page);
    }

    private byte[] toBytes(Object data, Geometry g, int page) throws IOException {
        int n = g.width() * g.height();
        ByteBuffer out =
                ByteBuffer.allocate(n * g.type().bytesPerPixel()).order(ByteOrder.LITTLE_ENDIAN);
        if (data instanceof byte[] bytes && g.type() == PixelType.UINT8) {
            out.put(bytes, 0, n);
        } else if (data instanceof short[] shorts && g.type().bytesPerPixel() == 2) {
            // a short carries the 16 raw bits whether the type is signed or unsigned
            out.asShortBuffer().put(shorts, 0, n);
        } else if (data instanceof float[] floats && g.type() == PixelType.FLOAT32) {
            out.asFloatBuffer().put(floats, 0, n);
        } else {
            throw new IOException(
                    path
                            + ": page "
                            + page
                            + " decoded to "
                            + data.getClass().getSimpleName()
                            + ", which does not match its "
                            + g
                            + " layout");
        }
        return out.array();
    }

    private static String dataTypeName(int dataType) {
        switch (dataType) {
            case DataBuffer.TYPE_BYTE:
                return "byte";
            case DataBuffer.TYPE_USHORT:
                return "unsigned short";
            case DataBuffer.TYPE_SHORT:
                return "signed short";
            case DataBuffer.TYPE_INT:
                return "int";
            case DataBuffer.TYPE_FLOAT:
                return "float";
            case DataBuffer.TYPE_DOUBLE:
                return "double";
            default:
                return "data type " + dataType;
        }
    }

    @Override
    public void close() throws IOException {
        reader.dispose();
        stream.close();
    }
}
