package org.cststream.model.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;
import org.junit.jupiter.api.Test;

class WindowCodecTest {
    private static final RequestLimits LIMITS = new RequestLimits(1 << 20, 8, 512);

    static Window window(Random r, int tokens, int observed, int valueDim, int coordDim) {
        float[][] v = new float[tokens][valueDim];
        float[][] x = new float[tokens][coordDim];
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < valueDim; d++) {
                v[t][d] = (float) r.nextGaussian();
            }
            for (int d = 0; d < coordDim; d++) {
                x[t][d] = r.nextFloat();
            }
        }
        return new Window(v, x, observed);
    }

    private static WindowCodec.Request decode(byte[] body) throws IOException {
        return WindowCodec.decodeRequest(new ByteArrayInputStream(body), body.length, LIMITS, 0, 0);
    }

    /** A stream that counts what was read from it. */
    private static final class CountingStream extends ByteArrayInputStream {
        int read;

        CountingStream(byte[] b) {
            super(b);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read += Math.max(0, n);
            return n;
        }
    }

    @Test
    void requestRoundTripKeepsEveryWindowAndTheAttentionRows() throws IOException {
        Random r = new Random(1);
        List<Window> windows = List.of(window(r, 7, 5, 4, 3), window(r, 12, 12, 4, 3));

        WindowCodec.Request back =
                decode(WindowCodec.encodeRequest(windows, new AttentionRows(2, 6)));

        assertThat(back.rows()).isEqualTo(new AttentionRows(2, 6));
        assertThat(back.windows()).hasSize(2);
        for (int w = 0; w < 2; w++) {
            assertThat(back.windows().get(w).values()).isDeepEqualTo(windows.get(w).values());
            assertThat(back.windows().get(w).coords()).isDeepEqualTo(windows.get(w).coords());
            assertThat(back.windows().get(w).observed()).isEqualTo(windows.get(w).observed());
        }
        assertThat(WindowCodec.encodeRequest(windows, null).length)
                .isEqualTo(WindowCodec.requestBytes(windows));
        assertThat(decode(WindowCodec.encodeRequest(windows, null)).rows()).isNull();
    }

    @Test
    void responseRoundTripKeepsValuesAndAttentionRows() throws IOException {
        Random r = new Random(2);
        Window a = window(r, 6, 6, 3, 1);
        Window b = window(r, 4, 2, 3, 1);
        float[][] rowsA = window(r, 2, 2, 6, 1).values();
        List<Prediction> predictions =
                List.of(
                        new Prediction(a.values(), null, rowsA),
                        new Prediction(b.values(), null, new float[0][4]));

        List<Prediction> back =
                WindowCodec.decodeResponse(WindowCodec.encodeResponse(predictions, true));
        List<Prediction> noRows =
                WindowCodec.decodeResponse(WindowCodec.encodeResponse(predictions, false));

        assertThat(back.get(0).values()).isDeepEqualTo(a.values());
        assertThat(back.get(0).attentionRows()).isDeepEqualTo(rowsA);
        assertThat(back.get(1).values()).isDeepEqualTo(b.values());
        assertThat(back.get(1).attentionRows()).isEmpty();
        assertThat(noRows.get(0).attentionRows()).isNull();
        assertThat(noRows.get(1).values()).isDeepEqualTo(b.values());
    }

    @Test
    void layoutMatchesTheDocumentedFormat() throws IOException {
        // built by hand from docs/model-protocol.md, as a client in another language would
        ByteBuffer b =
                ByteBuffer.allocate(20 + 16 + 2 * 4 * (2 + 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'C', 'S', 'T', 'W'}).putShort((short) 1).putShort((short) 1);
        b.putInt(1).putInt(1).putInt(2);
        b.putInt(2).putInt(1).putInt(2).putInt(1);
        b.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f);
        b.putFloat(0.25f).putFloat(0.75f);

        WindowCodec.Request r = decode(b.array());

        assertThat(r.rows()).isEqualTo(new AttentionRows(1, 2));
        Window w = r.windows().get(0);
        assertThat(w.values()).isDeepEqualTo(new float[][] {{1f, 2f}, {3f, 4f}});
        assertThat(w.coords()).isDeepEqualTo(new float[][] {{0.25f}, {0.75f}});
        assertThat(w.observed()).isEqualTo(1);
    }

    @Test
    void everyTruncationIsABadRequestNamingOffsetAndField() throws IOException {
        byte[] body =
                WindowCodec.encodeRequest(
                        List.of(window(new Random(3), 5, 3, 2, 2)), new AttentionRows(0, 2));

        for (int cut = 0; cut < body.length; cut++) {
            byte[] part = Arrays.copyOf(body, cut);
            // as the server sees it: a chunked body (length unknown) that simply ends early
            assertThatThrownBy(
                            () ->
                                    WindowCodec.decodeRequest(
                                            new ByteArrayInputStream(part), -1, LIMITS, 0, 0))
                    .as("body cut at %d", cut)
                    .isInstanceOf(MalformedBodyException.class)
                    .hasMessageContaining("truncated");
        }
        assertThatThrownBy(() -> decode(Arrays.copyOf(body, 40)))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("at byte 36 (window 0 values and coordinates)")
                .hasMessageContaining("declares 80 bytes but the body has 4 left");
    }

    @Test
    void responseTruncationIsMalformed() {
        byte[] body =
                WindowCodec.encodeResponse(
                        List.of(new Prediction(new float[][] {{1f}, {2f}}, null, null)), false);

        assertThatThrownBy(() -> WindowCodec.decodeResponse(Arrays.copyOf(body, body.length - 1)))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("window 0 values and attention rows");
    }

    @Test
    void oversizeDeclaredCountsAreRefusedBeforeTheDataIsRead() throws IOException {
        ByteBuffer manyWindows = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        manyWindows.put(new byte[] {'C', 'S', 'T', 'W'}).putShort((short) 1).putShort((short) 0);
        manyWindows.putInt(1_000_000).putInt(0).putInt(0);
        CountingStream in = new CountingStream(manyWindows.array());

        assertThatThrownBy(() -> WindowCodec.decodeRequest(in, -1, LIMITS, 0, 0))
                .isInstanceOf(RequestLimitException.class)
                .hasMessageContaining("1000000 windows")
                .hasMessageContaining("limit of 8")
                .hasMessageContaining("--max-windows");
        assertThat(in.read).isLessThanOrEqualTo(WindowCodec.REQUEST_HEADER_BYTES);

        ByteBuffer manyTokens = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        manyTokens.put(new byte[] {'C', 'S', 'T', 'W'}).putShort((short) 1).putShort((short) 0);
        manyTokens.putInt(1).putInt(0).putInt(0);
        manyTokens.putInt(Integer.MAX_VALUE).putInt(1).putInt(256).putInt(3);
        CountingStream in2 = new CountingStream(manyTokens.array());

        assertThatThrownBy(() -> WindowCodec.decodeRequest(in2, -1, LIMITS, 0, 0))
                .isInstanceOf(RequestLimitException.class)
                .hasMessageContaining("window 0 has 2147483647 tokens")
                .hasMessageContaining("--max-tokens");
        assertThat(in2.read).isLessThanOrEqualTo(24);
    }

    @Test
    void oversizeBodiesAreRefusedByLengthOrWhileReading() {
        InputStream nothing = new ByteArrayInputStream(new byte[0]);

        assertThatThrownBy(() -> WindowCodec.decodeRequest(nothing, 5L << 20, LIMITS, 0, 0))
                .isInstanceOf(RequestLimitException.class)
                .hasMessageContaining(
                        "request body of 5.0 MiB exceeds the server's limit of 1.0 MiB")
                .hasMessageContaining("--max-request-mib");

        // length unknown (chunked): 8 windows of 128 tokens x 300 floats, 1.2 MiB in all
        Random r = new Random(4);
        List<Window> big = java.util.Collections.nCopies(8, window(r, 128, 128, 297, 3));
        byte[] body = WindowCodec.encodeRequest(big, null);
        assertThatThrownBy(
                        () ->
                                WindowCodec.decodeRequest(
                                        new ByteArrayInputStream(body), -1, LIMITS, 0, 0))
                .isInstanceOf(RequestLimitException.class)
                .hasMessageContaining("limit of 1.0 MiB");
    }

    @Test
    void badBodiesSayWhatWasWrong() {
        byte[] json = "{\"windows\": []}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("at byte 0 (magic)")
                .hasMessageContaining("expected CSTW");

        byte[] body = WindowCodec.encodeRequest(List.of(window(new Random(5), 3, 2, 4, 3)), null);
        byte[] v2 = body.clone();
        v2[4] = 2;
        assertThatThrownBy(() -> decode(v2))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("format version 2; this build reads version 1");

        assertThatThrownBy(
                        () ->
                                WindowCodec.decodeRequest(
                                        new ByteArrayInputStream(body), body.length, LIMITS, 16, 3))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("at byte 28 (window 0 value size)")
                .hasMessageContaining("4 values per token; the model takes 16");

        byte[] observed = body.clone();
        ByteBuffer.wrap(observed).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 9);
        assertThatThrownBy(() -> decode(observed))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("(window 0 observed): 9; need 1 <= observed <= tokens (3)");

        byte[] trailing = Arrays.copyOf(body, body.length + 3);
        assertThatThrownBy(() -> decode(trailing))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("3 trailing bytes");

        byte[] rows = body.clone();
        ByteBuffer.wrap(rows).order(ByteOrder.LITTLE_ENDIAN).putShort(6, (short) 1).putInt(12, 4);
        assertThatThrownBy(() -> decode(rows))
                .isInstanceOf(MalformedBodyException.class)
                .hasMessageContaining("4 to 0; need 0 <= from < to");
    }

    @Test
    void randomBodiesGiveOnlyDocumentedErrors() {
        Random r = new Random(6);
        byte[] valid = WindowCodec.encodeRequest(List.of(window(r, 4, 2, 2, 1)), null);
        for (int i = 0; i < 2000; i++) {
            byte[] body = valid.clone();
            // keep the magic so that the fields behind it are what gets exercised
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                body[4 + r.nextInt(body.length - 4)] = (byte) r.nextInt(256);
            }
            byte[] cut = Arrays.copyOf(body, r.nextInt(body.length + 8));
            try {
                decode(cut);
            } catch (MalformedBodyException | RequestLimitException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("body " + Arrays.toString(cut) + " gave " + e, e);
            }
        }
    }
}
