package org.cststream.pictures;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest pictures of this JVM: per kind, the latest frame of each session and channel, and the
 * latest attention of the CST stage. Operators offer references (no copy, nothing rendered); the
 * picture server renders on request. Bounded: at most {@link #MAX_STREAMS} session-channel streams
 * per kind, and frames of at most {@link #MAX_BYTES_PER_KIND} bytes per kind (the newest stream is
 * always kept), the least recently updated forgotten first.
 *
 * <p>Operators must not change an array after offering it; the job's operators offer the arrays
 * they emit, which nothing changes afterwards.
 */
public final class LatestPictures {
    /** Session-channel streams kept per kind. */
    public static final int MAX_STREAMS = 16;

    /** Bytes of frame values kept per kind: 4 frames of 2048 x 2048 floats. */
    public static final long MAX_BYTES_PER_KIND = 64L << 20;

    private static final LatestPictures SHARED = new LatestPictures(MAX_STREAMS);

    /** What a picture shows. */
    public enum Kind {
        /** dF/F after binning, every channel. */
        DFF,
        /** Hemodynamically corrected, z-scored calcium frames. */
        CORRECTED,
        /** The CST stage's regular output: observed or filled grid times. */
        FILLED,
        /** Attention of the newest observed frame's patches over the CST window. */
        ATTENTION;

        /** Returns the name used in URLs: {@code dff}, {@code corrected}, ... */
        public String urlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Returns the kind named in a URL, or empty. */
        public static Optional<Kind> fromUrl(String name) {
            for (Kind k : values()) {
                if (k.urlName().equals(name)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One frame.
     *
     * @param counter camera counter, or the grid index for the CST stage's output
     * @param timeNanos acquisition (or grid) time, ns on the camera clock
     * @param filled whether the CST filled this grid time
     * @param values row-major {@code height x width}
     * @param version increases with every offer to this registry
     * @param updatedMillis wall-clock time of the offer, ms since the epoch
     */
    public record Frame(
            Kind kind,
            String session,
            String channel,
            long counter,
            long timeNanos,
            boolean filled,
            int width,
            int height,
            float[] values,
            long version,
            long updatedMillis) {}

    /**
     * Attention of the newest observed frame of a CST window.
     *
     * @param slot the window's last emitted grid index
     * @param gridRows patch rows of a frame
     * @param gridCols patch columns of a frame
     * @param patchSize patch side, pixels
     * @param rows one row per patch of the newest frame (row-major grid order), over every token of
     *     the window; a token's patch is its index modulo {@code gridRows * gridCols}
     */
    public record Attention(
            String session,
            String channel,
            long slot,
            int gridRows,
            int gridCols,
            int patchSize,
            float[][] rows,
            long version,
            long updatedMillis) {

        /** Patches per frame. */
        public int patches() {
            return gridRows * gridCols;
        }

        /**
         * Returns where patch {@code patch} looks: its attention summed over the window's frames
         * for each patch position, {@code gridRows x gridCols}, row-major.
         *
         * @throws IllegalArgumentException if the patch is outside {@code [0, patches)}
         */
        public float[] map(int patch) {
            int n = patches();
            if (patch < 0 || patch >= n || patch >= rows.length) {
                throw new IllegalArgumentException(
                        "patch "
                                + patch
                                + " is outside the grid of "
                                + gridRows
                                + " x "
                                + gridCols
                                + " patches (0.."
                                + (Math.min(n, rows.length) - 1)
                                + ")");
            }
            float[] out = new float[n];
            float[] row = rows[patch];
            for (int t = 0; t < row.length; t++) {
                out[t % n] += row[t];
            }
            return out;
        }
    }

    /** A stream the registry holds, for listings. */
    public record Entry(
            Kind kind, String session, String channel, long counter, long version, long updated) {}

    private final int maxStreams;
    private final AtomicLong versions = new AtomicLong();
    private final Map<Kind, LinkedHashMap<String, Frame>> frames = new LinkedHashMap<>();
    private final LinkedHashMap<String, Attention> attention;

    /**
     * Creates an empty registry.
     *
     * @param maxStreams session-channel streams kept per kind, 1 or more
     */
    public LatestPictures(int maxStreams) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be >= 1, was " + maxStreams);
        }
        this.maxStreams = maxStreams;
        for (Kind k : Kind.values()) {
            if (k != Kind.ATTENTION) {
                frames.put(k, bounded());
            }
        }
        attention = bounded();
    }

    /** Returns the registry the operators of this JVM offer to. */
    public static LatestPictures shared() {
        return SHARED;
    }

    private <V> LinkedHashMap<String, V> bounded() {
        return new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxStreams;
            }
        };
    }

    private static String key(String session, String channel) {
        return session + "\u0000" + channel;
    }

    /**
     * Keeps {@code values} as the newest frame of its kind, session and channel.
     *
     * @param kind {@link Kind#DFF}, {@link Kind#CORRECTED} or {@link Kind#FILLED}
     * @param values row-major {@code height x width}; not copied
     */
    public void offerFrame(
            Kind kind,
            String session,
            String channel,
            long counter,
            long timeNanos,
            boolean filled,
            int width,
            int height,
            float[] values) {
        if (kind == Kind.ATTENTION) {
            throw new IllegalArgumentException("attention is offered with offerAttention");
        }
        if (values == null || width < 1 || height < 1 || values.length != width * height) {
            return;
        }
        Frame f =
                new Frame(
                        kind,
                        session,
                        channel,
                        counter,
                        timeNanos,
                        filled,
                        width,
                        height,
                        values,
                        versions.incrementAndGet(),
                        System.currentTimeMillis());
        LinkedHashMap<String, Frame> map = frames.get(kind);
        synchronized (map) {
            // re-insert so the eldest entry is the least recently updated stream
            map.remove(key(session, channel));
            map.put(key(session, channel), f);
            long bytes = 0;
            for (Frame kept : map.values()) {
                bytes += 4L * kept.values().length;
            }
            var eldest = map.entrySet().iterator();
            while (bytes > MAX_BYTES_PER_KIND && map.size() > 1) {
                bytes -= 4L * eldest.next().getValue().values().length;
                eldest.remove();
            }
        }
    }

    /**
     * Keeps the attention of a CST window as the newest of its session and channel.
     *
     * @param rows one row per patch of the newest frame over every token of the window; not copied
     */
    public void offerAttention(
            String session,
            String channel,
            long slot,
            int gridRows,
            int gridCols,
            int patchSize,
            float[][] rows) {
        if (rows == null || rows.length == 0 || gridRows < 1 || gridCols < 1) {
            return;
        }
        Attention a =
                new Attention(
                        session,
                        channel,
                        slot,
                        gridRows,
                        gridCols,
                        patchSize,
                        rows,
                        versions.incrementAndGet(),
                        System.currentTimeMillis());
        synchronized (attention) {
            attention.remove(key(session, channel));
            attention.put(key(session, channel), a);
        }
    }

    /**
     * Returns the newest frame of a kind: of the given session and channel, or when either is null
     * or empty the most recently updated stream that matches the other.
     */
    public Optional<Frame> frame(Kind kind, String session, String channel) {
        LinkedHashMap<String, Frame> map = frames.get(kind);
        if (map == null) {
            return Optional.empty();
        }
        synchronized (map) {
            return newest(map, session, channel, Frame::session, Frame::channel);
        }
    }

    /** Returns the newest attention, chosen as {@link #frame} chooses frames. */
    public Optional<Attention> attention(String session, String channel) {
        synchronized (attention) {
            return newest(attention, session, channel, Attention::session, Attention::channel);
        }
    }

    private static <V> Optional<V> newest(
            LinkedHashMap<String, V> map,
            String session,
            String channel,
            java.util.function.Function<V, String> sessionOf,
            java.util.function.Function<V, String> channelOf) {
        V found = null;
        // insertion order is update order: the last match is the newest
        for (V v : map.values()) {
            if ((session == null || session.isEmpty() || session.equals(sessionOf.apply(v)))
                    && (channel == null
                            || channel.isEmpty()
                            || channel.equals(channelOf.apply(v)))) {
                found = v;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Returns every stream held, newest first. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (var e : frames.entrySet()) {
            synchronized (e.getValue()) {
                for (Frame f : e.getValue().values()) {
                    out.add(
                            new Entry(
                                    f.kind(),
                                    f.session(),
                                    f.channel(),
                                    f.counter(),
                                    f.version(),
                                    f.updatedMillis()));
                }
            }
        }
        synchronized (attention) {
            for (Attention a : attention.values()) {
                out.add(
                        new Entry(
                                Kind.ATTENTION,
                                a.session(),
                                a.channel(),
                                a.slot(),
                                a.version(),
                                a.updatedMillis()));
            }
        }
        out.sort(Comparator.comparingLong(Entry::version).reversed());
        return out;
    }

    /** Forgets everything (for tests and a new run in the same JVM). */
    public void clear() {
        for (LinkedHashMap<String, Frame> map : frames.values()) {
            synchronized (map) {
                map.clear();
            }
        }
        synchronized (attention) {
            attention.clear();
        }
    }
}
