package org.cststream.recording;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cststream.frame.PixelType;

/**
 * Reads the header of a NumPy {@code .npy} file (format versions 1.0, 2.0 and 3.0).
 *
 * <p>The header is a Python dict literal with the keys {@code descr}, {@code fortran_order} and
 * {@code shape}. Only simple pixel dtypes map to a {@link PixelType}: {@code |u1}, {@code <u2},
 * {@code >u2}, {@code <i2}, {@code >i2}, {@code <f4} and {@code >f4}. Arrays must be in C order
 * (row-major), because frames are handed on as row-major pixel bytes without a transpose.
 */
public final class NpyFormat {
    /** The six bytes every {@code .npy} file starts with: {@code \x93NUMPY}. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Dtype descriptors accepted, for error messages. */
    static final String SUPPORTED_DTYPES = "|u1, <u2, >u2, <i2, >i2, <f4, >f4";

    /** Largest header accepted, in bytes: bounds the allocation for a corrupt length field. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    // numpy writes repr() of a dict, so keys and strings are single-quoted; double quotes are
    // accepted too because hand-written headers use them
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*(['\"])(.*?)\\1");
    private static final Pattern FORTRAN =
            Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

    private NpyFormat() {}

    /**
     * The parsed header of one {@code .npy} file.
     *
     * @param version format version as {@code major.minor}, e.g. {@code "1.0"}
     * @param descr the dtype descriptor as written, e.g. {@code "<i2"}
     * @param pixelType the pixel type the descriptor maps to
     * @param byteOrder the byte order of the data; little-endian for one-byte types
     * @param shape the array shape, outermost axis first; every entry is 0 or more
     * @param dataOffset the byte offset of the first array element from the file start
     */
    public record Header(
            String version,
            String descr,
            PixelType pixelType,
            ByteOrder byteOrder,
            long[] shape,
            long dataOffset) {

        /** Copies the shape so that the header stays immutable. */
        public Header {
            shape = shape.clone();
        }

        /** Returns a copy of the shape, outermost axis first. */
        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Returns the number of axes (2 for one frame, 3 for a stack of frames). */
        public int ndim() {
            return shape.length;
        }

        /** Returns the number of elements, the product of the shape (1 for a 0-d array). */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** Returns the size of the array data in bytes. */
        public long dataBytes() {
            return Math.multiplyExact(elementCount(), pixelType.bytesPerPixel());
        }

        /** Returns the shape as NumPy prints it, e.g. {@code (440, 256)} or {@code (5,)}. */
        public String shapeText() {
            return NpyFormat.shapeText(shape);
        }

        /** Returns true if both headers describe arrays of the same shape and dtype. */
        public boolean sameArrayAs(Header other) {
            return descr.equals(other.descr) && Arrays.equals(shape, other.shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Header h
                    && version.equals(h.version)
                    && descr.equals(h.descr)
                    && Arrays.equals(shape, h.shape)
                    && dataOffset == h.dataOffset;
        }

        @Override
        public int hashCode() {
            return 31 * descr.hashCode() + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return "npy "
                    + version
                    + " descr="
                    + descr
                    + " shape="
                    + shapeText()
                    + " data at "
                    + dataOffset;
        }
    }

    /**
     * Reads and validates the header of a {@code .npy} file, and checks that the file holds exactly
     * the data the header announces.
     *
     * @param path the file to read
     * @return the parsed header
     * @throws IOException if the file cannot be read, is not a {@code .npy} file, uses an
     *     unsupported version or dtype, is in Fortran order, or its size does not match the header;
     *     the message names the file and what is wrong
     */
    public static Header readHeader(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(ch, path);
        }
    }

    /**
     * Reads and validates the header from an open channel, from position 0.
     *
     * @param ch an open channel on the file; its position is not changed
     * @param path the file's path, for error messages
     * @return the parsed header
     * @throws IOException as for {@link #readHeader(Path)}
     */
    public static Header readHeader(FileChannel ch, Path path) throws IOException {
        long fileSize = ch.size();
        RawHeader raw = readRawHeader(ch, path);
        Header header = parseDict(raw.dict(), raw.version(), raw.dataOffset(), path);
        long expected = header.dataOffset() + header.dataBytes();
        if (fileSize != expected) {
            throw new IOException(
                    path
                            + ": header says "
                            + header.shapeText()
                            + " "
                            + header.descr()
                            + " ("
                            + header.dataBytes()
                            + " data bytes from offset "
                            + header.dataOffset()
                            + ", "
                            + expected
                            + " bytes in all) but the file has "
                            + fileSize
                            + " bytes; it is truncated or was not written by NumPy");
        }
        return header;
    }

    /** The header dict as text, the format version and where the data start. */
    private record RawHeader(String dict, String version, long dataOffset) {}

    private static RawHeader readRawHeader(FileChannel ch, Path path) throws IOException {
        long fileSize = ch.size();
        ByteBuffer preamble = readFully(ch, 0, 12, path, "preamble");
        byte[] magic = new byte[MAGIC.length];
        preamble.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(
                    path + ": not a .npy file (the first six bytes are not" + " \\x93NUMPY)");
        }
        int major = preamble.get() & 0xFF;
        int minor = preamble.get() & 0xFF;
        String version = major + "." + minor;
        long headerLength;
        int preambleLength;
        Charset charset;
        switch (major) {
            case 1:
                headerLength = preamble.getShort() & 0xFFFF;
                preambleLength = 10;
                charset = StandardCharsets.ISO_8859_1;
                break;
            case 2:
            case 3:
                headerLength = preamble.getInt() & 0xFFFF_FFFFL;
                preambleLength = 12;
                // version 3.0 only differs from 2.0 in allowing UTF-8 in the header
                charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
                break;
            default:
                throw new IOException(
                        path
                                + ": .npy format version "
                                + version
                                + " is not supported (supported: 1.0, 2.0, 3.0)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new IOException(
                    path
                            + ": header announces "
                            + headerLength
                            + " bytes, more"
                            + " than the "
                            + MAX_HEADER_BYTES
                            + " accepted; the file is corrupt");
        }
        if (preambleLength + headerLength > fileSize) {
            throw new IOException(
                    path
                            + ": header announces "
                            + headerLength
                            + " bytes but the file has only "
                            + fileSize
                            + " bytes in all");
        }
        ByteBuffer text = readFully(ch, preambleLength, (int) headerLength, path, "header");
        String dict = charset.decode(text).toString();
        return new RawHeader(dict, version, preambleLength + headerLength);
    }

    private static Header parseDict(String dict, String version, long dataOffset, Path path)
            throws IOException {
        Matcher descr = DESCR.matcher(dict);
        if (!descr.find()) {
            throw new IOException(
                    path
                            + ": header has no simple 'descr' string (structured"
                            + " dtypes are not supported; supported dtypes: "
                            + SUPPORTED_DTYPES
                            + "); header: "
                            + dict.trim());
        }
        Matcher fortran = FORTRAN.matcher(dict);
        if (!fortran.find()) {
            throw new IOException(
                    path + ": header has no 'fortran_order' entry; header: " + dict.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new IOException(
                    path
                            + ": array is stored with fortran_order True (column"
                            + " major); only C order is supported, save it with"
                            + " numpy.save(path, numpy.ascontiguousarray(a))");
        }
        Matcher shape = SHAPE.matcher(dict);
        if (!shape.find()) {
            throw new IOException(path + ": header has no 'shape' tuple; header: " + dict.trim());
        }
        String descrText = descr.group(2);
        PixelType type = pixelType(descrText, path);
        ByteOrder order =
                descrText.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return new Header(
                version, descrText, type, order, parseShape(shape.group(1), path), dataOffset);
    }

    private static PixelType pixelType(String descr, Path path) throws IOException {
        switch (descr) {
            case "|u1":
            case "<u1":
            case ">u1":
                return PixelType.UINT8;
            case "<u2":
            case ">u2":
                return PixelType.UINT16;
            case "<i2":
            case ">i2":
                return PixelType.INT16;
            case "<f4":
            case ">f4":
                return PixelType.FLOAT32;
            default:
                throw new IOException(
                        path
                                + ": dtype '"
                                + descr
                                + "' is not supported"
                                + " (supported: "
                                + SUPPORTED_DTYPES
                                + "); convert the array with"
                                + " a.astype(...) before saving");
        }
    }

    private static long[] parseShape(String tuple, Path path) throws IOException {
        String t = tuple.trim();
        if (t.isEmpty()) {
            return new long[0];
        }
        String[] parts = t.split(",", -1);
        int n = parts.length;
        // a one-element tuple is written "(5,)", leaving an empty last part
        if (parts[n - 1].isBlank()) {
            n--;
        }
        long[] shape = new long[n];
        for (int i = 0; i < n; i++) {
            String p = parts[i].trim().toUpperCase(Locale.ROOT);
            // Python 2 wrote long integers with an L suffix
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1);
            }
            try {
                shape[i] = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new IOException(
                        path
                                + ": shape ("
                                + tuple
                                + ") has a non-integer entry '"
                                + parts[i].trim()
                                + "'",
                        e);
            }
            if (shape[i] < 0) {
                throw new IOException(path + ": shape (" + tuple + ") has a negative entry");
            }
        }
        return shape;
    }

    /**
     * A numeric array read whole as doubles: traces, timestamps, behaviour samples.
     *
     * @param shape the array shape, outermost axis first
     * @param values the elements in C order
     */
    public record Numbers(long[] shape, double[] values) {
        /** Copies the shape. */
        public Numbers {
            shape = shape.clone();
        }

        /** Returns a copy of the shape. */
        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /** Dtypes {@link #readNumbers(Path)} accepts, for error messages. */
    static final String NUMERIC_DTYPES = "float64, float32, int8..int64, uint8..uint64, bool";

    /** Largest array {@link #readNumbers(Path)} reads, in elements. */
    static final long MAX_NUMBERS = 1L << 28;

    /**
     * Reads a whole {@code .npy} array of any plain numeric dtype ({@value #NUMERIC_DTYPES}, either
     * byte order) as doubles, e.g. behaviour traces and their timestamps.
     *
     * @throws IOException naming the file if it is not a {@code .npy} file, its dtype is not
     *     numeric, it is in Fortran order, it holds more than {@value #MAX_NUMBERS} elements, or
     *     its size does not match the header
     */
    public static Numbers readNumbers(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            RawHeader raw = readRawHeader(ch, path);
            Matcher descr = DESCR.matcher(raw.dict());
            Matcher fortran = FORTRAN.matcher(raw.dict());
            Matcher shapeText = SHAPE.matcher(raw.dict());
            if (!descr.find() || !fortran.find() || !shapeText.find()) {
                throw new IOException(
                        path
                                + ": header is not a plain numeric array; header: "
                                + raw.dict().trim());
            }
            if (fortran.group(1).equals("True")) {
                throw new IOException(
                        path
                                + ": array is in Fortran (column-major) order; save it with"
                                + " numpy.save(path, numpy.ascontiguousarray(a))");
            }
            String d = descr.group(2);
            ByteOrder order = d.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            String kind = d.length() >= 2 ? d.substring(1) : d;
            int size;
            try {
                size = Integer.parseInt(kind.substring(1));
            } catch (RuntimeException e) {
                size = -1;
            }
            char k = kind.isEmpty() ? '?' : kind.charAt(0);
            boolean ok =
                    (k == 'f' && (size == 4 || size == 8))
                            || ((k == 'i' || k == 'u')
                                    && (size == 1 || size == 2 || size == 4 || size == 8))
                            || (k == 'b' && size == 1);
            if (!ok) {
                throw new IOException(
                        path
                                + ": dtype '"
                                + d
                                + "' is not a plain number (supported: "
                                + NUMERIC_DTYPES
                                + ")");
            }
            long[] shape = parseShape(shapeText.group(1), path);
            long n = 1;
            for (long dim : shape) {
                n = Math.multiplyExact(n, dim);
            }
            if (n > MAX_NUMBERS) {
                throw new IOException(
                        path
                                + ": "
                                + n
                                + " elements, more than the "
                                + MAX_NUMBERS
                                + " read whole");
            }
            long expected = raw.dataOffset() + n * size;
            if (ch.size() != expected) {
                throw new IOException(
                        path
                                + ": header says "
                                + shapeText(shape)
                                + " "
                                + d
                                + " ("
                                + expected
                                + " bytes in all) but the file has "
                                + ch.size()
                                + " bytes");
            }
            ByteBuffer b =
                    readFully(ch, raw.dataOffset(), (int) (n * size), path, "data").order(order);
            double[] values = new double[(int) n];
            for (int i = 0; i < n; i++) {
                values[i] = element(b, k, size, i);
            }
            return new Numbers(shape, values);
        }
    }

    private static double element(ByteBuffer b, char kind, int size, int i) {
        int at = i * size;
        switch (kind) {
            case 'f':
                return size == 8 ? b.getDouble(at) : b.getFloat(at);
            case 'b':
                return b.get(at) != 0 ? 1 : 0;
            case 'u':
                switch (size) {
                    case 1:
                        return b.get(at) & 0xFF;
                    case 2:
                        return b.getShort(at) & 0xFFFF;
                    case 4:
                        return b.getInt(at) & 0xFFFFFFFFL;
                    default:
                        long v = b.getLong(at);
                        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
                }
            default:
                switch (size) {
                    case 1:
                        return b.get(at);
                    case 2:
                        return b.getShort(at);
                    case 4:
                        return b.getInt(at);
                    default:
                        return b.getLong(at);
                }
        }
    }

    /** Returns a shape as NumPy prints it: {@code (440, 256)}, {@code (5,)} or {@code ()}. */
    static String shapeText(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(shape[i]);
        }
        if (shape.length == 1) {
            s.append(',');
        }
        return s.append(')').toString();
    }

    /** Returns the NumPy dtype descriptor for a pixel type in the given byte order. */
    static String descr(PixelType type, ByteOrder order) {
        if (type == PixelType.UINT8) {
            return "|u1";
        }
        char o = order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        switch (type) {
            case UINT16:
                return o + "u2";
            case INT16:
                return o + "i2";
            case FLOAT32:
                return o + "f4";
            default:
                throw new IllegalArgumentException("no .npy dtype for pixel type " + type);
        }
    }

    private static ByteBuffer readFully(
            FileChannel ch, long position, int length, Path path, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new EOFException(
                        path
                                + ": file ends inside the .npy "
                                + what
                                + " ("
                                + ch.size()
                                + " bytes in all); it is not a complete .npy file");
            }
            pos += n;
        }
        return b.flip();
    }
}
