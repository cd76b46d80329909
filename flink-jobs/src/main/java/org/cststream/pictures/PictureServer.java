package org.cststream.pictures;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.cststream.frame.FrameImages;
import org.cststream.pictures.LatestPictures.Attention;
import org.cststream.pictures.LatestPictures.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the pictures of a {@link LatestPictures} registry over HTTP (the JDK's server, loopback by
 * default):
 *
 * <ul>
 *   <li>{@code GET /}: a live page that shows the newest frames and the attention map and reloads
 *       them (query {@code refresh} in ms, {@code embed=KIND} for one picture alone, e.g. in a
 *       Grafana panel);
 *   <li>{@code GET /picture/KIND.png} with KIND {@code dff}, {@code corrected}, {@code filled} or
 *       {@code attention}, and optional {@code session}, {@code channel}, {@code patch} (attention:
 *       row-major patch index), {@code scale} (1 to 8 pixels per value) and {@code limit} (the
 *       value drawn fully saturated); a frame is {@code width x height} pixels times the scale, an
 *       attention map the patch grid times the patch size times the scale;
 *   <li>{@code GET /pictures.json}: what the registry holds;
 *   <li>{@code GET /health}: 200.
 * </ul>
 *
 * Nothing is rendered until asked for; a request renders one PNG from the newest frame.
 */
public final class PictureServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PictureServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SCALE = 8;

    private static PictureServer shared;

    private final HttpServer server;
    private final ExecutorService executor;
    private final LatestPictures pictures;
    private final byte[] page;

    private PictureServer(HttpServer server, ExecutorService executor, LatestPictures pictures) {
        this.server = server;
        this.executor = executor;
        this.pictures = pictures;
        try (InputStream in = PictureServer.class.getResourceAsStream("live.html")) {
            if (in == null) {
                throw new IllegalStateException("live.html is missing from the class path");
            }
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the live page", e);
        }
    }

    /**
     * Starts a server for {@code pictures}.
     *
     * @param host address to bind; {@code 127.0.0.1} unless browsers elsewhere must reach it (there
     *     is no authentication)
     * @param port TCP port, or 0 for a free one
     * @throws UncheckedIOException if the port cannot be bound (the message names it)
     */
    public static PictureServer start(LatestPictures pictures, String host, int port) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve pictures on "
                            + host
                            + ":"
                            + port
                            + "; choose another --pictures-port (or pictures.port) or 0 for a free"
                            + " one",
                    e);
        }
        ExecutorService executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "cst-pictures");
                            t.setDaemon(true);
                            return t;
                        });
        PictureServer s = new PictureServer(http, executor, pictures);
        http.createContext("/", s::handle);
        http.setExecutor(executor);
        http.start();
        if (!InetAddress.getLoopbackAddress().getHostAddress().equals(host)
                && !"localhost".equals(host)) {
            LOG.warn(
                    "picture server bound to a non-loopback address host={} (no authentication)",
                    host);
        }
        LOG.info("picture server started url={}", s.url());
        return s;
    }

    /**
     * Starts the server of this JVM's shared registry once; later calls return the one running.
     *
     * @return the server
     */
    public static synchronized PictureServer serveShared(String host, int port) {
        if (shared == null) {
            shared = start(LatestPictures.shared(), host, port);
        }
        return shared;
    }

    /** Stops the shared server if it runs. */
    public static synchronized void stopShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    /** Returns the bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Returns the live page's URL. */
    public URI url() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (IllegalArgumentException e) {
            text(ex, 400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("picture request failed uri={}", ex.getRequestURI(), e);
            text(ex, 500, "cannot draw the picture: " + e);
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
            text(ex, 405, "only GET is served");
            return;
        }
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (path.equals("/") || path.equals("/index.html")) {
            send(ex, 200, "text/html; charset=utf-8", page);
        } else if (path.equals("/health")) {
            text(ex, 200, "ok");
        } else if (path.equals("/pictures.json")) {
            send(ex, 200, "application/json", listing());
        } else if (path.startsWith("/picture/") && path.endsWith(".png")) {
            String name = path.substring("/picture/".length(), path.length() - 4);
            Optional<Kind> kind = Kind.fromUrl(name);
            if (kind.isEmpty()) {
                text(
                        ex,
                        404,
                        "no picture kind '" + name + "'; kinds: dff, corrected, filled, attention");
                return;
            }
            picture(ex, kind.get(), q);
        } else {
            text(ex, 404, "not found: " + path + " (see / for the live page)");
        }
    }

    private void picture(HttpExchange ex, Kind kind, Map<String, String> q) throws IOException {
        String session = q.get("session");
        String channel = q.get("channel");
        int scale = intParam(q, "scale", 1, 1, MAX_SCALE);
        float limit = floatParam(q, "limit");
        BufferedImage image;
        long version;
        long counter;
        if (kind == Kind.ATTENTION) {
            Optional<Attention> found = pictures.attention(session, channel);
            if (found.isEmpty()) {
                text(
                        ex,
                        404,
                        "no attention yet"
                                + where(session, channel)
                                + ": it comes from the CST stage (--cst-model) running in this"
                                + " JVM");
                return;
            }
            Attention a = found.get();
            int patch = intParam(q, "patch", a.patches() / 2 + a.gridCols() / 2, 0, 1 << 20);
            float[] map = a.map(patch);
            float max = limit > 0 ? limit : max(map);
            int px = a.patchSize() * scale;
            image = FrameImages.render(map, a.gridCols(), a.gridRows(), px, max);
            outline(image, patch % a.gridCols(), patch / a.gridCols(), px);
            version = a.version();
            counter = a.slot();
        } else {
            Optional<LatestPictures.Frame> found = pictures.frame(kind, session, channel);
            if (found.isEmpty()) {
                text(ex, 404, "no " + kind.urlName() + " frame yet" + where(session, channel));
                return;
            }
            LatestPictures.Frame f = found.get();
            float range = limit > 0 ? limit : robustLimit(f.values());
            image = FrameImages.render(f.values(), f.width(), f.height(), scale, range);
            version = f.version();
            counter = f.counter();
        }
        ex.getResponseHeaders().set("X-Cst-Version", String.valueOf(version));
        ex.getResponseHeaders().set("X-Cst-Counter", String.valueOf(counter));
        send(ex, 200, "image/png", FrameImages.png(image));
    }

    private static String where(String session, String channel) {
        StringBuilder s = new StringBuilder();
        if (session != null && !session.isEmpty()) {
            s.append(" session=").append(session);
        }
        if (channel != null && !channel.isEmpty()) {
            s.append(" channel=").append(channel);
        }
        return s.toString();
    }

    private byte[] listing() throws IOException {
        ArrayNode items = JSON.createArrayNode();
        for (LatestPictures.Entry e : pictures.entries()) {
            ObjectNode n = items.addObject();
            n.put("kind", e.kind().urlName());
            n.put("session", e.session());
            n.put("channel", e.channel());
            n.put("counter", e.counter());
            n.put("version", e.version());
            n.put("updatedMillis", e.updated());
            if (e.kind() == Kind.ATTENTION) {
                pictures.attention(e.session(), e.channel())
                        .ifPresent(
                                a -> {
                                    n.put("gridRows", a.gridRows());
                                    n.put("gridCols", a.gridCols());
                                    n.put("patchSize", a.patchSize());
                                });
            } else {
                pictures.frame(e.kind(), e.session(), e.channel())
                        .ifPresent(
                                f -> {
                                    n.put("width", f.width());
                                    n.put("height", f.height());
                                    n.put("filled", f.filled());
                                });
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("nowMillis", System.currentTimeMillis());
        root.set("pictures", items);
        return JSON.writeValueAsBytes(root);
    }

    /** The 99th percentile of absolute values, so one hot pixel does not wash the frame out. */
    static float robustLimit(float[] values) {
        float[] abs = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            abs[i] = Float.isFinite(values[i]) ? Math.abs(values[i]) : 0f;
        }
        Arrays.sort(abs);
        float v = abs[Math.min(abs.length - 1, (int) Math.floor(0.99 * (abs.length - 1)))];
        return v > 0 ? v : 1f;
    }

    private static float max(float[] values) {
        float m = 0;
        for (float v : values) {
            m = Math.max(m, v);
        }
        return m > 0 ? m : 1f;
    }

    private static void outline(BufferedImage image, int col, int row, int px) {
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(Math.max(1, px / 8f)));
            g.drawRect(col * px, row * px, px - 1, px - 1);
        } finally {
            g.dispose();
        }
    }

    private static int intParam(Map<String, String> q, String name, int dflt, int min, int max) {
        String s = q.get(name);
        if (s == null || s.isEmpty()) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, was '" + s + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "], was " + v);
        }
        return v;
    }

    private static float floatParam(Map<String, String> q, String name) {
        String s = q.get(name);
        if (s == null || s.isEmpty()) {
            return 0f;
        }
        try {
            float v = Float.parseFloat(s);
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name
                            + " must be a positive number (the value drawn saturated), was '"
                            + s
                            + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(
                    URLDecoder.decode(k, StandardCharsets.UTF_8),
                    URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
