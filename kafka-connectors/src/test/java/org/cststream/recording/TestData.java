package org.cststream.recording;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/** Locates the shared test recordings and writes test files in other formats. */
final class TestData {
    /** Frames in the improv recording. */
    static final int IMPROV_FRAMES = 300;

    /** Rows of one improv frame. */
    static final int IMPROV_HEIGHT = 440;

    /** Columns of one improv frame. */
    static final int IMPROV_WIDTH = 256;

    private TestData() {}

    /** Returns the improv frame folder, or skips the test when the shared data are absent. */
    static Path improvFrames() {
        Path shared = Paths.get(System.getProperty("cst.shared.dir", "../../shared"));
        Path frames = shared.resolve("data/improv-mesoscope/frames").toAbsolutePath().normalize();
        assumeTrue(
                Files.isDirectory(frames),
                "shared data absent: "
                        + frames
                        + " (set -Dcst.shared.dir to the folder holding data/)");
        return frames;
    }

    /**
     * Reads one pixel of a 2-D little-endian int16 .npy without the code under test: the header
     * length is the 16-bit field at byte 8 of a version 1.0 file.
     */
    static short independentPixel(Path npy, int row, int col, int cols) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(npy)).order(ByteOrder.LITTLE_ENDIAN);
        int dataOffset = 10 + (b.getShort(8) & 0xFFFF);
        return b.getShort(dataOffset + 2 * (row * cols + col));
    }

    /** Returns a frame's pixel at (row, col) as a double, for any pixel type. */
    static double pixel(Frame f, int row, int col) {
        ByteBuffer b = ByteBuffer.wrap(f.pixels).order(f.byteOrder());
        int i = row * f.width + col;
        switch (f.pixelType) {
            case UINT8:
                return f.pixels[i] & 0xFF;
            case UINT16:
                return b.getShort(2 * i) & 0xFFFF;
            case INT16:
                return b.getShort(2 * i);
            case FLOAT32:
                return b.getFloat(4 * i);
            default:
                throw new IllegalStateException(f.pixelType.toString());
        }
    }

    /** Returns a little-endian frame of the given type filled by {@code value(row, col)}. */
    static Frame frame(int width, int height, PixelType type, PixelFunction value) {
        ByteBuffer b =
                ByteBuffer.allocate(width * height * type.bytesPerPixel())
                        .order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = value.at(y, x);
                switch (type) {
                    case UINT8:
                        b.put((byte) v);
                        break;
                    case UINT16:
                    case INT16:
                        b.putShort((short) v);
                        break;
                    case FLOAT32:
                        b.putFloat((float) v);
                        break;
                    default:
                        throw new IllegalStateException(type.toString());
                }
            }
        }
        Frame f = new Frame();
        f.width = width;
        f.height = height;
        f.pixelType = type;
        f.pixels = b.array();
        return f;
    }

    /** A pixel value as a function of row and column. */
    interface PixelFunction {
        double at(int row, int col);
    }

    /** Writes frames as pages of one TIFF through ImageIO (8- or 16-bit, signed or not). */
    static void writeTiff(Path path, List<Frame> frames) throws IOException {
        ImageIO.scanForPlugins();
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        Files.deleteIfExists(path);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(path.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (Frame f : frames) {
                writer.writeToSequence(new IIOImage(image(f), null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    private static BufferedImage image(Frame f) {
        int dataType;
        switch (f.pixelType) {
            case UINT8:
                dataType = DataBuffer.TYPE_BYTE;
                break;
            case UINT16:
                dataType = DataBuffer.TYPE_USHORT;
                break;
            case INT16:
                // a signed raster makes the writer record SampleFormat 2 (signed integer)
                dataType = DataBuffer.TYPE_SHORT;
                break;
            default:
                throw new IllegalArgumentException("ImageIO cannot write " + f.pixelType);
        }
        ComponentColorModel cm =
                new ComponentColorModel(
                        ColorSpace.getInstance(ColorSpace.CS_GRAY),
                        false,
                        false,
                        Transparency.OPAQUE,
                        dataType);
        WritableRaster r = cm.createCompatibleWritableRaster(f.width, f.height);
        ByteBuffer b = ByteBuffer.wrap(f.pixels).order(f.byteOrder());
        for (int y = 0; y < f.height; y++) {
            for (int x = 0; x < f.width; x++) {
                int i = y * f.width + x;
                int v =
                        f.pixelType == PixelType.UINT8
                                ? f.pixels[i] & 0xFF
                                : f.pixelType == PixelType.UINT16
                                        ? b.getShort(2 * i) & 0xFFFF
                                        : b.getShort(2 * i);
                r.setSample(x, y, 0, v);
            }
        }
        return new BufferedImage(cm, r, false, null);
    }

    /**
     * Writes an uncompressed little-endian TIFF byte by byte, one strip per page, so that tests can
     * make layouts ImageIO's writer cannot (32-bit float) and broken files.
     *
     * @param sampleFormat TIFF SampleFormat: 1 unsigned, 2 signed, 3 float
     * @param pages little-endian pixel bytes per page
     * @param stripOffsetShift added to every page's strip offset except page 0's, to make later
     *     pages point past the end of the file
     */
    static void writeRawTiff(
            Path path,
            int width,
            int height,
            int bits,
            int sampleFormat,
            List<byte[]> pages,
            long stripOffsetShift)
            throws IOException {
        int entries = 10;
        int ifdBytes = 2 + entries * 12 + 4;
        long size = 8;
        for (byte[] p : pages) {
            size += ifdBytes + p.length;
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        for (int i = 0; i < pages.size(); i++) {
            byte[] p = pages.get(i);
            int ifdStart = b.position();
            int dataStart = ifdStart + ifdBytes;
            int next = i + 1 < pages.size() ? dataStart + p.length : 0;
            long stripOffset = dataStart + (i == 0 ? 0 : stripOffsetShift);
            b.putShort((short) entries);
            entry(b, 256, 4, width);
            entry(b, 257, 4, height);
            entry(b, 258, 3, bits);
            entry(b, 259, 3, 1);
            entry(b, 262, 3, 1);
            entry(b, 273, 4, stripOffset);
            entry(b, 277, 3, 1);
            entry(b, 278, 4, height);
            entry(b, 279, 4, p.length);
            entry(b, 339, 3, sampleFormat);
            b.putInt(next);
            b.put(p);
        }
        Files.write(path, b.array());
    }

    private static void entry(ByteBuffer b, int tag, int type, long value) {
        b.putShort((short) tag).putShort((short) type).putInt(1);
        if (type == 3) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt((int) value);
        }
    }
}
