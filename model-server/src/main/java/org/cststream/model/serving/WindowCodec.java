package org.cststream.model.serving;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;

/**
 * The model server's binary wire format, version 1: windows of tokens in, each window's values and
 * the requested attention rows out. Every number is little-endian; values and coordinates are
 * float32, counts int32. The layout, with a Python client, is in {@code docs/model-protocol.md};
 * this class is its source of truth in code.
 *
 * <p>Request ({@value #REQUEST_CONTENT_TYPE}): magic {@code CSTW}, uint16 version, uint16 flags
 * (bit 0: attention rows requested), int32 window count, int32 attention rows from and to; then per
 * window int32 tokens, observed, value size and coordinate size, followed by tokens x value size
 * values and tokens x coordinate size coordinates, token-major.
 *
 * <p>Response ({@value #RESPONSE_CONTENT_TYPE}): magic {@code CSTP}, uint16 version, uint16 flags
 * (bit 0: attention rows present), int32 window count; then per window int32 tokens, value size and
 * attention row count, followed by the values and the attention rows (rows x tokens).
 *
 * <p>Decoding reads a stream once, front to back, and checks each declared size against the {@link
 * RequestLimits} and the bytes left before it allocates anything for it, so an oversize or
 * truncated body is refused without reading or holding more than one window.
 */
public final class WindowCodec {
    /** The format version this build writes and reads. */
    public static final int VERSION = 1;

    /** Content type of a request body. */
    public static final String REQUEST_CONTENT_TYPE = "application/x-cst-windows";

    /** Content type of a response body. */
    public static final String RESPONSE_CONTENT_TYPE = "application/x-cst-predictions";

    static final byte[] REQUEST_MAGIC = {'C', 'S', 'T', 'W'};
    static final byte[] RESPONSE_MAGIC = {'C', 'S', 'T', 'P'};
    static final int FLAG_ATTENTION_ROWS = 1;

    /** Bytes before the first window of a request. */
    public static final int REQUEST_HEADER_BYTES = 20;

    /** Bytes of a window's header in a request. */
    public static final int WINDOW_HEADER_BYTES = 16;

    /** Bytes before the first window of a response. */
    public static final int RESPONSE_HEADER_BYTES = 12;

    /** Bytes of a window's header in a response. */
    public static final int PREDICTION_HEADER_BYTES = 12;

    /** Largest value or coordinate size a body may declare (a 256x256 patch). */
    static final int MAX_DIM = 65536;

    private WindowCodec() {}

    /**
     * A decoded request.
     *
     * @param windows the windows, in order
     * @param rows the attention rows asked for, or null for none
     */
    public record Request(List<Window> windows, AttentionRows rows) {}

    /** Returns the encoded size of one window, bytes (its header included). */
    public static long windowBytes(Window w) {
        int tokens = w.values().length;
        return WINDOW_HEADER_BYTES
                + 4L * tokens * (dim(w.values(), "values") + dim(w.coords(), "coordinates"));
    }

    /** Returns the encoded size of a request for these windows, bytes. */
    public static long requestBytes(List<Window> windows) {
        long n = REQUEST_HEADER_BYTES;
        for (Window w : windows) {
            n += windowBytes(w);
        }
        return n;
    }

    /**
     * Encodes a request.
     *
     * @param windows 1 or more windows; every token of a window has the same value and coordinate
     *     sizes
     * @param rows attention rows to ask for, or null
     * @throws IllegalArgumentException if the body would exceed 2 GiB or a window's rows differ in
     *     size
     */
    public static byte[] encodeRequest(List<Window> windows, AttentionRows rows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a request needs at least one window");
        }
        ByteBuffer b = allocate(requestBytes(windows));
        b.put(REQUEST_MAGIC);
        b.putShort((short) VERSION);
        b.putShort((short) (rows == null ? 0 : FLAG_ATTENTION_ROWS));
        b.putInt(windows.size());
        b.putInt(rows == null ? 0 : rows.from());
        b.putInt(rows == null ? 0 : rows.to());
        for (Window w : windows) {
            int valueDim = dim(w.values(), "values");
            int coordDim = dim(w.coords(), "coordinates");
            b.putInt(w.values().length);
            b.putInt(w.observed());
            b.putInt(valueDim);
            b.putInt(coordDim);
            putRows(b, w.values(), valueDim, "values");
            putRows(b, w.coords(), coordDim, "coordinates");
        }
        return b.array();
    }

    /**
     * Decodes a request from a stream, checking limits and model sizes as each field arrives.
     *
     * @param in the body
     * @param contentLength the body's declared length in bytes, or -1 when unknown (chunked)
     * @param limits bounds on bytes, windows and tokens
     * @param valueDim values per token the model takes, or 0 to accept any
     * @param coordDim coordinates per token the model takes, or 0 to accept any
     * @throws RequestLimitException if a declared size exceeds a limit
     * @throws MalformedBodyException if the body does not follow the format or does not fit the
     *     model (message: offset, field, what was found)
     * @throws IOException if reading the stream fails
     */
    public static Request decodeRequest(
            InputStream in, long contentLength, RequestLimits limits, int valueDim, int coordDim)
            throws IOException {
        if (contentLength >= 0) {
            limits.checkBytes(contentLength);
        }
        Reader r = new Reader(in, contentLength, limits.maxBytes());
        r.magic(REQUEST_MAGIC, "request");
        int flags = r.header();
        if ((flags & ~FLAG_ATTENTION_ROWS) != 0) {
            throw new MalformedBodyException(
                    6, "flags", "unknown flag bits 0x" + Integer.toHexString(flags));
        }
        int count = r.readInt("window count");
        if (count < 1) {
            throw new MalformedBodyException(8, "window count", count + "; need 1 or more");
        }
        limits.checkWindows(count);
        int from = r.readInt("attention rows from");
        int to = r.readInt("attention rows to");
        AttentionRows rows = null;
        if ((flags & FLAG_ATTENTION_ROWS) != 0) {
            if (from < 0 || to <= from) {
                throw new MalformedBodyException(
                        12, "attention rows", from + " to " + to + "; need 0 <= from < to");
            }
            rows = new AttentionRows(from, to);
        } else if (from != 0 || to != 0) {
            throw new MalformedBodyException(
                    12,
                    "attention rows",
                    from + " to " + to + " without flag bit 0; set the flag or send zeros");
        }
        List<Window> windows = new ArrayList<>(count);
        for (int w = 0; w < count; w++) {
            String name = "window " + w;
            long start = r.offset;
            int tokens = r.readInt(name + " tokens");
            if (tokens < 1) {
                throw new MalformedBodyException(start, name + " tokens", tokens + "; need >= 1");
            }
            limits.checkTokens(w, tokens);
            int observed = r.readInt(name + " observed");
            if (observed < 1 || observed > tokens) {
                throw new MalformedBodyException(
                        start + 4,
                        name + " observed",
                        observed + "; need 1 <= observed <= tokens (" + tokens + ")");
            }
            int vd = r.readInt(name + " value size");
            checkDim(start + 8, name + " value size", vd, valueDim, "values");
            int cd = r.readInt(name + " coordinate size");
            checkDim(start + 12, name + " coordinate size", cd, coordDim, "coordinates");
            r.expect(4L * tokens * (vd + cd), name + " values and coordinates");
            float[][] values = r.readFloats(tokens, vd, name + " values");
            float[][] coords = r.readFloats(tokens, cd, name + " coordinates");
            windows.add(new Window(values, coords, observed));
        }
        r.end();
        return new Request(windows, rows);
    }

    /**
     * Encodes the server's answer.
     *
     * @param predictions one per window, in request order
     * @param withRows whether attention rows were asked for (then every prediction has them)
     */
    public static byte[] encodeResponse(List<Prediction> predictions, boolean withRows) {
        long size = RESPONSE_HEADER_BYTES;
        for (Prediction p : predictions) {
            int tokens = p.values().length;
            int rows = withRows ? p.attentionRows().length : 0;
            size += PREDICTION_HEADER_BYTES + 4L * tokens * dim(p.values(), "values");
            size += 4L * rows * tokens;
        }
        ByteBuffer b = allocate(size);
        b.put(RESPONSE_MAGIC);
        b.putShort((short) VERSION);
        b.putShort((short) (withRows ? FLAG_ATTENTION_ROWS : 0));
        b.putInt(predictions.size());
        for (Prediction p : predictions) {
            int tokens = p.values().length;
            int valueDim = dim(p.values(), "values");
            int rows = withRows ? p.attentionRows().length : 0;
            b.putInt(tokens);
            b.putInt(valueDim);
            b.putInt(rows);
            putRows(b, p.values(), valueDim, "values");
            if (rows > 0) {
                putRows(b, p.attentionRows(), tokens, "attention rows");
            }
        }
        return b.array();
    }

    /**
     * Decodes the server's answer.
     *
     * @throws MalformedBodyException if the body does not follow the format
     */
    public static List<Prediction> decodeResponse(byte[] body) throws MalformedBodyException {
        try {
            Reader r =
                    new Reader(new java.io.ByteArrayInputStream(body), body.length, Long.MAX_VALUE);
            r.magic(RESPONSE_MAGIC, "response");
            int flags = r.header();
            int count = r.readInt("window count");
            if (count < 0) {
                throw new MalformedBodyException(8, "window count", count + "; need >= 0");
            }
            boolean withRows = (flags & FLAG_ATTENTION_ROWS) != 0;
            List<Prediction> out = new ArrayList<>(Math.min(count, 1 << 16));
            for (int w = 0; w < count; w++) {
                String name = "window " + w;
                long start = r.offset;
                int tokens = r.readInt(name + " tokens");
                int vd = r.readInt(name + " value size");
                int rows = r.readInt(name + " attention rows");
                if (tokens < 1 || vd < 1 || rows < 0 || (!withRows && rows != 0)) {
                    throw new MalformedBodyException(
                            start,
                            name + " header",
                            "tokens " + tokens + ", value size " + vd + ", rows " + rows);
                }
                r.expect(4L * tokens * ((long) vd + rows), name + " values and attention rows");
                float[][] values = r.readFloats(tokens, vd, name + " values");
                float[][] att = withRows ? r.readFloats(rows, tokens, name + " attention") : null;
                out.add(new Prediction(values, null, att));
            }
            r.end();
            return out;
        } catch (MalformedBodyException e) {
            throw e;
        } catch (IOException e) {
            // a byte array cannot fail to read; a limit cannot apply without limits
            throw new IllegalStateException(e);
        }
    }

    private static void checkDim(long offset, String field, int found, int expected, String what)
            throws MalformedBodyException {
        if (found < 1 || found > MAX_DIM) {
            throw new MalformedBodyException(offset, field, found + "; need 1.." + MAX_DIM);
        }
        if (expected > 0 && found != expected) {
            throw new MalformedBodyException(
                    offset, field, found + " " + what + " per token; the model takes " + expected);
        }
    }

    private static int dim(float[][] rows, String what) {
        if (rows.length == 0) {
            return 0;
        }
        int d = rows[0].length;
        for (int t = 1; t < rows.length; t++) {
            if (rows[t].length != d) {
                throw new IllegalArgumentException(
                        what + " row " + t + " has " + rows[t].length + " entries, row 0 has " + d);
            }
        }
        return d;
    }

    private static ByteBuffer allocate(long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "encoded body of "
                            + RequestLimits.mib(size)
                            + " exceeds the 2 GiB an array holds; send fewer windows per request");
        }
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void putRows(ByteBuffer b, float[][] rows, int dim, String what) {
        for (int t = 0; t < rows.length; t++) {
            if (rows[t].length != dim) {
                throw new IllegalArgumentException(
                        what + " row " + t + " has " + rows[t].length + " entries, need " + dim);
            }
            b.asFloatBuffer().put(rows[t]);
            b.position(b.position() + 4 * dim);
        }
    }

    /** Reads little-endian fields front to back, tracking the offset for error messages. */
    private static final class Reader {
        private final InputStream in;
        private final long length;
        private final long maxBytes;
        private final byte[] buffer = new byte[64 * 1024];
        private final ByteBuffer view = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
        long offset;

        Reader(InputStream in, long length, long maxBytes) {
            this.in = in;
            this.length = length;
            this.maxBytes = maxBytes;
        }

        void magic(byte[] expected, String what) throws IOException {
            fill(4, "magic");
            for (int i = 0; i < 4; i++) {
                if (buffer[i] != expected[i]) {
                    throw new MalformedBodyException(
                            0,
                            "magic",
                            "found "
                                    + printable(buffer, 4)
                                    + ", expected "
                                    + new String(
                                            expected, java.nio.charset.StandardCharsets.US_ASCII)
                                    + ": not a "
                                    + what
                                    + " of the CST model protocol (binary, see"
                                    + " docs/model-protocol.md)");
                }
            }
        }

        /** Reads the version (checked) and returns the flags. */
        int header() throws IOException {
            fill(4, "version and flags");
            int version = view.getShort(0) & 0xFFFF;
            int flags = view.getShort(2) & 0xFFFF;
            if (version != VERSION) {
                throw new MalformedBodyException(
                        4,
                        "version",
                        "format version "
                                + version
                                + "; this build reads version "
                                + VERSION
                                + (version > VERSION
                                        ? ": upgrade the server"
                                        : ": upgrade the client"));
            }
            return flags;
        }

        int readInt(String field) throws IOException {
            fill(4, field);
            return view.getInt(0);
        }

        /**
         * Checks that {@code bytes} more can be read: within the declared length, or within the
         * byte limit when the length is unknown.
         */
        void expect(long bytes, String field) throws IOException {
            if (length >= 0 && offset + bytes > length) {
                throw new MalformedBodyException(
                        offset,
                        field,
                        "declares "
                                + bytes
                                + " bytes but the body has "
                                + (length - offset)
                                + " left (length "
                                + length
                                + ")");
            }
            if (offset + bytes > maxBytes) {
                throw new RequestLimitException(
                        field
                                + " at byte "
                                + offset
                                + " take the body past the server's limit of "
                                + RequestLimits.mib(maxBytes)
                                + " per request: send fewer windows per request, or start the"
                                + " server with a larger "
                                + RequestLimits.BYTES_FLAG);
            }
        }

        float[][] readFloats(int rows, int cols, String field) throws IOException {
            float[][] out = new float[rows][cols];
            int perChunk = buffer.length / 4;
            int r = 0;
            int c = 0;
            long remaining = (long) rows * cols;
            while (remaining > 0) {
                int n = (int) Math.min(perChunk, remaining);
                fill(4 * n, field);
                java.nio.FloatBuffer f = view.asFloatBuffer();
                f.limit(n);
                while (f.hasRemaining()) {
                    int take = Math.min(cols - c, f.remaining());
                    f.get(out[r], c, take);
                    c += take;
                    if (c == cols) {
                        c = 0;
                        r++;
                    }
                }
                remaining -= n;
            }
            return out;
        }

        /** Checks that nothing follows the last field. */
        void end() throws IOException {
            if (length >= 0 && offset < length) {
                throw new MalformedBodyException(
                        offset,
                        "end of body",
                        (length - offset) + " trailing bytes after the last window");
            }
            if (length < 0 && in.read() != -1) {
                throw new MalformedBodyException(
                        offset, "end of body", "trailing bytes after the last window");
            }
        }

        /** Reads exactly {@code n} bytes (at most the buffer) into the start of the buffer. */
        private void fill(int n, String field) throws IOException {
            if (length < 0 && offset + n > maxBytes) {
                throw new RequestLimitException(
                        "request body exceeds the server's limit of "
                                + RequestLimits.mib(maxBytes)
                                + " per request: send fewer windows per request, or start the"
                                + " server with a larger "
                                + RequestLimits.BYTES_FLAG);
            }
            int got = 0;
            try {
                while (got < n) {
                    int k = in.read(buffer, got, n - got);
                    if (k < 0) {
                        throw new EOFException();
                    }
                    got += k;
                }
            } catch (EOFException e) {
                throw new MalformedBodyException(
                        offset + got,
                        field,
                        "body ends after "
                                + (offset + got)
                                + " bytes, "
                                + (n - got)
                                + " short of this field (truncated)");
            }
            offset += n;
        }

        private static String printable(byte[] b, int n) {
            StringBuilder s = new StringBuilder("0x");
            for (int i = 0; i < n; i++) {
                s.append(String.format("%02x", b[i] & 0xFF));
            }
            return s.toString();
        }
    }
}
