package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Writes NumPy {@code .npy} files (format 1.0, or 2.0 when the header does not fit in 64 KiB) that
 * {@code numpy.load} and {@link NpyFormat} read back.
 *
 * <p>Data are written little-endian in C order. The header is padded with spaces so that the data
 * start at a multiple of 64 bytes, as NumPy itself does, which keeps memory-mapped element access
 * aligned.
 */
public final class NpyWriter {
    private static final int ALIGNMENT = 64;

    private NpyWriter() {}

    /**
     * Writes a 2-D float32 array ({@code <f4}, shape {@code (rows, cols)}).
     *
     * @param path the file to create or replace
     * @param data row-major values, exactly {@code rows * cols} long
     * @param rows number of rows, 1 or more
     * @param cols number of columns, 1 or more
     * @throws IllegalArgumentException if a dimension is below 1 or the array length does not match
     * @throws IOException if the file cannot be written
     */
    public static void write(Path path, float[] data, int rows, int cols) throws IOException {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(
                    "rows and cols must be 1 or more, got rows=" + rows + " cols=" + cols);
        }
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(
                    "data has "
                            + data.length
                            + " values but rows="
                            + rows
                            + " x cols="
                            + cols
                            + " needs "
                            + (long) rows * cols);
        }
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        write(
                path,
                PixelType.FLOAT32,
                ByteOrder.LITTLE_ENDIAN,
                new long[] {rows, cols},
                List.of(b));
    }

    /**
     * Writes frames as one 3-D stack of shape {@code (T, height, width)} in their pixel type;
     * multi-byte pixels are written little-endian whatever the frames' byte order.
     *
     * @param path the file to create or replace
     * @param frames one or more frames, all of the same width, height and pixel type
     * @throws IllegalArgumentException if the list is empty or the frames differ in size or type,
     *     or a frame's pixel array does not match its size
     * @throws IOException if the file cannot be written
     */
    public static void writeStack(Path path, List<Frame> frames) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to write to " + path);
        }
        Frame first = frames.get(0);
        int bpp = first.pixelType.bytesPerPixel();
        long frameBytes = (long) first.width * first.height * bpp;
        List<ByteBuffer> chunks = new java.util.ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            if (f.width != first.width
                    || f.height != first.height
                    || f.pixelType != first.pixelType) {
                throw new IllegalArgumentException(
                        "frame "
                                + i
                                + " is "
                                + f.width
                                + "x"
                                + f.height
                                + " "
                                + f.pixelType
                                + " but frame 0 is "
                                + first.width
                                + "x"
                                + first.height
                                + " "
                                + first.pixelType
                                + "; a stack needs one shape");
            }
            if (f.pixels.length != frameBytes) {
                throw new IllegalArgumentException(
                        "frame "
                                + i
                                + " has "
                                + f.pixels.length
                                + " pixel bytes but "
                                + f.width
                                + "x"
                                + f.height
                                + " "
                                + f.pixelType
                                + " needs "
                                + frameBytes);
            }
            chunks.add(littleEndian(f.pixels, bpp, f.byteOrder()));
        }
        write(
                path,
                first.pixelType,
                ByteOrder.LITTLE_ENDIAN,
                new long[] {frames.size(), first.height, first.width},
                chunks);
    }

    /**
     * Writes an array of any supported pixel type and shape.
     *
     * @param path the file to create or replace
     * @param type the element type
     * @param order the byte order the data chunks are in, recorded in the dtype
     * @param shape the array shape, outermost axis first, no entry below 0
     * @param data the C-order element bytes in one or more chunks, written in list order; together
     *     exactly the product of the shape times the element size
     * @throws IllegalArgumentException if the data length does not match the shape
     * @throws IOException if the file cannot be written
     */
    public static void write(
            Path path, PixelType type, ByteOrder order, long[] shape, List<ByteBuffer> data)
            throws IOException {
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "shape " + NpyFormat.shapeText(shape) + " has a negative entry");
            }
            elements = Math.multiplyExact(elements, d);
        }
        long expected = elements * type.bytesPerPixel();
        long given = 0;
        for (ByteBuffer b : data) {
            given += b.remaining();
        }
        if (given != expected) {
            throw new IllegalArgumentException(
                    "data has "
                            + given
                            + " bytes but shape "
                            + NpyFormat.shapeText(shape)
                            + " of "
                            + type
                            + " needs "
                            + expected);
        }
        try (FileChannel ch =
                FileChannel.open(
                        path,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            writeAll(ch, header(NpyFormat.descr(type, order), shape));
            for (ByteBuffer b : data) {
                writeAll(ch, b.duplicate());
            }
        }
    }

    /**
     * Returns the preamble and header of a little-endian array, for writers that stream the data
     * after it (a stack too large to hold in memory).
     *
     * @param type the element type
     * @param shape the array shape, outermost axis first
     */
    public static ByteBuffer header(PixelType type, long[] shape) {
        return header(NpyFormat.descr(type, ByteOrder.LITTLE_ENDIAN), shape);
    }

    /** Returns the preamble and padded header dict for the given dtype and shape. */
    static ByteBuffer header(String descr, long[] shape) {
        String dict =
                "{'descr': '"
                        + descr
                        + "', 'fortran_order': False, 'shape': "
                        + NpyFormat.shapeText(shape)
                        + ", }";
        int preamble = 10;
        int major = 1;
        // the dict plus its newline must fit the 16-bit length of format 1.0
        if (dict.length() + 1 + ALIGNMENT > 0xFFFF) {
            preamble = 12;
            major = 2;
        }
        int total = preamble + dict.length() + 1;
        int padded = (total + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        String text = dict + " ".repeat(padded - total) + "\n";
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(preamble + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyFormat.MAGIC);
        b.put((byte) major);
        b.put((byte) 0);
        if (major == 1) {
            b.putShort((short) bytes.length);
        } else {
            b.putInt(bytes.length);
        }
        b.put(bytes);
        return b.flip();
    }

    private static ByteBuffer littleEndian(byte[] pixels, int bpp, ByteOrder order) {
        if (bpp == 1 || order == ByteOrder.LITTLE_ENDIAN) {
            return ByteBuffer.wrap(pixels);
        }
        byte[] swapped = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i += bpp) {
            for (int k = 0; k < bpp; k++) {
                swapped[i + k] = pixels[i + bpp - 1 - k];
            }
        }
        return ByteBuffer.wrap(swapped);
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
