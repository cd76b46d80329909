package org.cststream.recording.phantom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cststream.recording.SplitMix64;

/**
 * Where the phantom's neural signal comes from: a parcel map (a label per map pixel, 0 outside the
 * brain), one dF/F-like trace per parcel sampled at a fixed rate, and a region that responds to
 * visual stimuli.
 *
 * <p>{@link #higley} reads the real recording in {@code ../shared/data/higley-widefield} (48
 * functional parcels, 4000 samples at 10 Hz, the Allen parcellation for the visual region); {@link
 * #synthetic} builds a stand-in of the same shape from a seed (Voronoi parcels, smooth random
 * traces) for machines without that folder.
 */
public final class ParcelAtlas {
    /** Side of the map of both atlases, in map pixels. */
    public static final int MAP_SIDE = 256;

    /** Anatomical label of the primary visual cortex in {@code anatomic_parcels_256x256.npy}. */
    static final int HIGLEY_VISUAL_LABEL = 23;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final int[] labels;
    private final boolean[] visual;
    private final double[][] traces;
    private final double samplesPerSecond;
    private final String description;

    private ParcelAtlas(
            int[] labels,
            boolean[] visual,
            double[][] traces,
            double samplesPerSecond,
            String description) {
        this.labels = labels;
        this.visual = visual;
        this.traces = traces;
        this.samplesPerSecond = samplesPerSecond;
        this.description = description;
    }

    /**
     * Loads the real parcel traces and maps.
     *
     * @param dir the {@code higley-widefield} folder
     * @throws IOException if a file is missing or not the expected array; the message names it
     */
    public static ParcelAtlas higley(Path dir) throws IOException {
        double[] flat =
                readFloat64(
                        dir.resolve("parcel_traces_48x4000_float64.npy"), new long[] {48, 4000});
        int[] labels =
                readUint8(
                        dir.resolve("func_map_256x256_uint8.npy"), new long[] {MAP_SIDE, MAP_SIDE});
        int[] anatomy =
                readUint8(
                        dir.resolve("anatomic_parcels_256x256.npy"),
                        new long[] {MAP_SIDE, MAP_SIDE});
        double[][] traces = new double[48][4000];
        for (int k = 0; k < 48; k++) {
            System.arraycopy(flat, k * 4000, traces[k], 0, 4000);
        }
        boolean[] visual = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            visual[i] = anatomy[i] == HIGLEY_VISUAL_LABEL;
        }
        return new ParcelAtlas(
                labels, visual, traces, 10.0, "higley-widefield (48 real parcel traces, 10 Hz)");
    }

    /**
     * Returns the real atlas when {@code dir} holds it, else the synthetic one.
     *
     * @param dir the {@code higley-widefield} folder, or null
     * @param seed seed of the synthetic atlas
     */
    public static ParcelAtlas loadOrSynthetic(Path dir, long seed) throws IOException {
        if (dir != null && Files.isRegularFile(dir.resolve("parcel_traces_48x4000_float64.npy"))) {
            return higley(dir);
        }
        return synthetic(seed);
    }

    /**
     * Builds a stand-in atlas: 40 Voronoi parcels inside an oval hemisphere on a {@value
     * #MAP_SIDE}-pixel map, each with a trace of 4000 samples at 10 Hz mixing three shared slow
     * processes with its own, scaled to a standard deviation of 0.01 (1% dF/F, as the real traces).
     */
    public static ParcelAtlas synthetic(long seed) {
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(seed, 0x41544C4153L));
        int parcels = 40;
        double[] sx = new double[parcels];
        double[] sy = new double[parcels];
        for (int k = 0; k < parcels; k++) {
            double[] p;
            do {
                p = new double[] {rng.nextDouble(), rng.nextDouble()};
            } while (!insideOval(p[0], p[1]));
            sx[k] = p[0];
            sy[k] = p[1];
        }
        int[] labels = new int[MAP_SIDE * MAP_SIDE];
        boolean[] visual = new boolean[labels.length];
        for (int y = 0; y < MAP_SIDE; y++) {
            for (int x = 0; x < MAP_SIDE; x++) {
                double u = (x + 0.5) / MAP_SIDE;
                double v = (y + 0.5) / MAP_SIDE;
                if (!insideOval(u, v)) {
                    continue;
                }
                int best = 0;
                double bestD = Double.MAX_VALUE;
                for (int k = 0; k < parcels; k++) {
                    double d = (u - sx[k]) * (u - sx[k]) + (v - sy[k]) * (v - sy[k]);
                    if (d < bestD) {
                        bestD = d;
                        best = k;
                    }
                }
                labels[y * MAP_SIDE + x] = best + 1;
                double dv = (u - 0.72) * (u - 0.72) + (v - 0.75) * (v - 0.75);
                visual[y * MAP_SIDE + x] = dv < 0.012;
            }
        }
        int samples = 4000;
        double[][] shared = new double[3][samples];
        for (int s = 0; s < 3; s++) {
            ar1(shared[s], 10 + 15 * s, rng);
        }
        double[][] traces = new double[parcels][samples];
        for (int k = 0; k < parcels; k++) {
            double[] own = new double[samples];
            ar1(own, 6, rng);
            double[] w = {rng.nextDouble(), rng.nextDouble(), rng.nextDouble()};
            for (int t = 0; t < samples; t++) {
                traces[k][t] =
                        own[t] + w[0] * shared[0][t] + w[1] * shared[1][t] + w[2] * shared[2][t];
            }
            normalise(traces[k], 0.01);
        }
        return new ParcelAtlas(
                labels,
                visual,
                traces,
                10.0,
                "synthetic atlas seed=" + seed + " (40 Voronoi parcels, 10 Hz)");
    }

    private static boolean insideOval(double u, double v) {
        double a = (u - 0.72) / 0.2;
        double b = (v - 0.5) / 0.36;
        return a * a + b * b < 1;
    }

    /** Fills {@code out} with an AR(1) process of time constant {@code tau} samples. */
    private static void ar1(double[] out, double tau, SplitMix64 rng) {
        double a = Math.exp(-1 / tau);
        double s = Math.sqrt(1 - a * a);
        double v = 0;
        for (int t = 0; t < out.length; t++) {
            v = a * v + s * rng.nextGaussian();
            out[t] = v;
        }
    }

    private static void normalise(double[] x, double std) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        double scale = std / Math.sqrt(Math.max(var / x.length, 1e-30));
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] - mean) * scale;
        }
    }

    /** Returns the number of parcels (labels 1..parcels). */
    public int parcels() {
        return traces.length;
    }

    /** Returns the parcel label of a map pixel, 0 outside the brain. */
    public int label(int mapRow, int mapCol) {
        return labels[mapRow * MAP_SIDE + mapCol];
    }

    /** Returns whether a map pixel lies in the region that responds to visual stimuli. */
    public boolean isVisual(int mapRow, int mapCol) {
        return visual[mapRow * MAP_SIDE + mapCol];
    }

    /** Returns the length of the traces in seconds; the phantom loops them past that. */
    public double durationSeconds() {
        return traces[0].length / samplesPerSecond;
    }

    /**
     * Returns parcel {@code parcel}'s value (dF/F) at a time, linearly interpolated between
     * samples; times past the end wrap around to the start.
     *
     * @param parcel 0..parcels()-1
     * @param seconds any time; negative times wrap too
     */
    public double trace(int parcel, double seconds) {
        double[] x = traces[parcel];
        double pos = seconds * samplesPerSecond;
        double n = x.length;
        pos = pos - Math.floor(pos / n) * n;
        int i = (int) pos;
        double f = pos - i;
        return x[i % x.length] * (1 - f) + x[(i + 1) % x.length] * f;
    }

    /** Returns the sampling rate of the traces, samples per second. */
    public double samplesPerSecond() {
        return samplesPerSecond;
    }

    /** Returns where the atlas came from, for descriptions. */
    public String describe() {
        return description;
    }

    private static double[] readFloat64(Path path, long[] shape) throws IOException {
        ByteBuffer data = readArray(path, "<f8", shape, 8);
        double[] out = new double[data.remaining() / 8];
        data.asDoubleBuffer().get(out);
        return out;
    }

    private static int[] readUint8(Path path, long[] shape) throws IOException {
        ByteBuffer data = readArray(path, "|u1", shape, 1);
        int[] out = new int[data.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i) & 0xFF;
        }
        return out;
    }

    /** Reads a small .npy file of a known dtype and shape and returns its data bytes. */
    private static ByteBuffer readArray(Path path, String descr, long[] shape, int bytes)
            throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(
                    path
                            + ": not found; the phantom's real neural signal needs the"
                            + " higley-widefield data (or use neural=synthetic)");
        }
        byte[] all = Files.readAllBytes(path);
        if (all.length < 10 || all[0] != (byte) 0x93 || all[1] != 'N') {
            throw new IOException(path + ": not a .npy file");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int major = all[6];
        int headerLength = major == 1 ? b.getShort(8) & 0xFFFF : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(all, start, headerLength, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher s = SHAPE.matcher(header);
        StringBuilder expected = new StringBuilder();
        for (long v : shape) {
            expected.append(expected.length() == 0 ? "" : ", ").append(v);
        }
        if (!d.find()
                || !d.group(1).equals(descr)
                || !s.find()
                || !s.group(1).replace(" ", "").equals(expected.toString().replace(" ", ""))) {
            throw new IOException(
                    path
                            + ": expected dtype "
                            + descr
                            + " and shape ("
                            + expected
                            + "), header says "
                            + header.trim());
        }
        int offset = start + headerLength;
        long count = 1;
        for (long v : shape) {
            count *= v;
        }
        if (all.length - offset != count * bytes) {
            throw new IOException(
                    path
                            + ": holds "
                            + (all.length - offset)
                            + " data bytes, expected "
                            + count * bytes);
        }
        return ByteBuffer.wrap(all, offset, (int) (count * bytes))
                .slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }
}
