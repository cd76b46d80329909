package org.cststream.model.decoding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import org.cststream.model.CstModel;
import org.cststream.model.window.WindowLayout;

/**
 * A fitted decoder: which label it predicts, from which features of which model's windows, and its
 * PCA and K-nearest-neighbour regressor. {@link #predict} applies it to one window's features.
 *
 * <p>File format, version {@value #FORMAT_VERSION} (all numbers little-endian): the 8 ASCII bytes
 * {@code CSTDECOD}; a 4-byte header length; the header, UTF-8 JSON ({@code formatVersion}, {@code
 * target}, {@code features} with the window layout and the model's fingerprint, {@code pca}, {@code
 * knn}, {@code arrays}: name, dtype and shape of each binary array, {@code payloadBytes}, {@code
 * payloadCrc32}, and free-form {@code notes}); then the arrays' values in the order listed: {@code
 * pca.mean} and {@code pca.components} as {@code <f4}, {@code knn.points} and {@code knn.labels} as
 * {@code <f8}. A file of another format version is refused with a message that names both versions;
 * a file whose payload does not match its length or checksum is refused as damaged.
 */
public final class Decoder {
    /** The decoder file format this build writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final byte[] MAGIC = "CSTDECOD".getBytes(StandardCharsets.US_ASCII);

    /** Largest header this build reads, bytes: far above any real one, a guard against garbage. */
    private static final int MAX_HEADER_BYTES = 16 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a decoder's labels come from. */
    public enum LabelSource {
        /** A sampled behaviour trace (pupil, wheel, whisking...), interpolated at a time. */
        BEHAVIOUR,
        /** A stimulus log: a field of the stimulus showing at a time, 0 between stimuli. */
        STIMULUS;

        /** Returns the name used in files and messages: {@code behaviour} or {@code stimulus}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Returns the source named {@code behaviour} or {@code stimulus}. */
        public static LabelSource ofWireName(String name) {
            for (LabelSource s : values()) {
                if (s.wireName().equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(
                    "label source '" + name + "'; use behaviour or stimulus");
        }
    }

    /**
     * What a decoder predicts.
     *
     * @param name the target's name in outputs and metrics (e.g. {@code pupil}, {@code contrast})
     * @param source where its labels come from
     * @param field the behaviour trace's name, or the stimulus log's column
     */
    public record Target(String name, LabelSource source, String field) {}

    /** Which features of a window a decoder reads ({@link DecoderFeatures}). */
    public enum FeatureKind {
        /** The newest observed frame's attention, on the window's grid. */
        CST_ATTENTION,
        /** The window's frames (the data baseline). */
        FRAMES;

        /** Returns the name used in files: {@code cst-attention} or {@code frames}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static FeatureKind ofWireName(String name) {
            for (FeatureKind k : values()) {
                if (k.wireName().equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException(
                    "feature kind '" + name + "'; this build knows cst-attention and frames");
        }

        /** Returns the number of features of a window of {@code layout}. */
        public int count(WindowLayout layout) {
            return this == CST_ATTENTION
                    ? DecoderFeatures.attentionCount(layout)
                    : DecoderFeatures.framesCount(layout);
        }
    }

    /**
     * The features a decoder was fitted on.
     *
     * @param kind which features
     * @param layout the windows' layout (the model's)
     * @param modelFingerprint {@link #fingerprint} of the model whose windows gave them
     */
    public record Features(FeatureKind kind, WindowLayout layout, String modelFingerprint) {}

    private final Target target;
    private final Features features;
    private final Pca pca;
    private final KnnRegressor knn;
    private final JsonNode notes;

    /**
     * A decoder from its parts.
     *
     * @throws IllegalArgumentException if the parts do not fit together
     */
    public Decoder(Target target, Features features, Pca pca, KnnRegressor knn, JsonNode notes) {
        int expected = features.kind().count(features.layout());
        if (pca.features() != expected) {
            throw new IllegalArgumentException(
                    "PCA of "
                            + pca.features()
                            + " features; "
                            + features.kind().wireName()
                            + " of a window of "
                            + features.layout()
                            + " has "
                            + expected);
        }
        if (knn.dims() != pca.components()) {
            throw new IllegalArgumentException(
                    "regressor of "
                            + knn.dims()
                            + " dims after a PCA of "
                            + pca.components()
                            + " components");
        }
        this.target = target;
        this.features = features;
        this.pca = pca;
        this.knn = knn;
        this.notes = notes == null ? JSON.createObjectNode() : notes;
    }

    /**
     * Fits a decoder on every sample: PCA to {@code components} directions, then the regressor.
     *
     * @param samples n x features, each a window's features of {@code features.kind()}
     * @param gram the samples' centred Gram matrix, or null to compute it
     * @param labels one label per sample
     * @param components PCA directions, 1 or more
     * @param neighbours k, 1 or more
     * @param notes facts to keep with the decoder (e.g. its evaluation), or null
     */
    public static Decoder fit(
            float[][] samples,
            CenteredGram gram,
            double[] labels,
            Target target,
            Features features,
            int components,
            int neighbours,
            JsonNode notes) {
        Pca pca = gram == null ? Pca.fit(samples, components) : Pca.fit(samples, gram, components);
        double[][] points = new double[samples.length][];
        for (int i = 0; i < samples.length; i++) {
            points[i] = pca.project(samples[i]);
        }
        return new Decoder(
                target, features, pca, new KnnRegressor(points, labels, neighbours), notes);
    }

    /**
     * Returns the decoded value of one window.
     *
     * @param windowFeatures the window's features of this decoder's kind ({@link DecoderFeatures})
     * @throws IllegalArgumentException if their count is not the decoder's
     */
    public double predict(float[] windowFeatures) {
        if (windowFeatures.length != pca.features()) {
            throw new IllegalArgumentException(
                    windowFeatures.length
                            + " features; the decoder of "
                            + target.name()
                            + " reads "
                            + pca.features()
                            + " ("
                            + features.kind().wireName()
                            + " of windows of "
                            + features.layout()
                            + ")");
        }
        return knn.predict(pca.project(windowFeatures));
    }

    public Target target() {
        return target;
    }

    public Features features() {
        return features;
    }

    public Pca pca() {
        return pca;
    }

    public KnnRegressor knn() {
        return knn;
    }

    /** Returns the notes saved with the decoder; an empty object if none. */
    public JsonNode notes() {
        return notes;
    }

    /**
     * Writes the decoder to {@code file} (its folder is created if missing), replacing it
     * atomically where the file system allows.
     */
    public void save(Path file) throws IOException {
        int d = pca.features();
        int k = pca.components();
        int n = knn.points().length;
        long payload = 4L * d + 4L * k * d + 8L * n * k + 8L * n;
        if (payload > Integer.MAX_VALUE - 1024) {
            throw new IllegalArgumentException(
                    "decoder of " + payload + " bytes; the format holds less than 2 GiB");
        }
        ByteBuffer data = ByteBuffer.allocate((int) payload).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : pca.mean()) {
            data.putFloat(v);
        }
        for (float[] c : pca.directions()) {
            for (float v : c) {
                data.putFloat(v);
            }
        }
        for (double[] p : knn.points()) {
            for (double v : p) {
                data.putDouble(v);
            }
        }
        for (double v : knn.labels()) {
            data.putDouble(v);
        }
        CRC32 crc = new CRC32();
        crc.update(data.array());

        ObjectNode h = JSON.createObjectNode();
        h.put("formatVersion", FORMAT_VERSION);
        ObjectNode t = h.putObject("target");
        t.put("name", target.name());
        t.put("source", target.source().wireName());
        t.put("field", target.field());
        ObjectNode f = h.putObject("features");
        f.put("kind", features.kind().wireName());
        f.put("count", d);
        f.set("layout", JSON.valueToTree(features.layout()));
        f.put("modelFingerprint", features.modelFingerprint());
        ObjectNode p = h.putObject("pca");
        p.put("components", k);
        ArrayNode variances = p.putArray("variances");
        for (double v : pca.variances()) {
            variances.add(v);
        }
        p.put("totalVariance", pca.totalVariance());
        ObjectNode kn = h.putObject("knn");
        kn.put("neighbours", knn.neighbours());
        kn.put("samples", n);
        ArrayNode arrays = h.putArray("arrays");
        array(arrays, "pca.mean", "<f4", d);
        array(arrays, "pca.components", "<f4", k, d);
        array(arrays, "knn.points", "<f8", n, k);
        array(arrays, "knn.labels", "<f8", n);
        h.put("payloadBytes", payload);
        h.put("payloadCrc32", crc.getValue());
        h.set("notes", notes);
        byte[] header = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(h);

        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).putInt(header.length);
        try (var out = Files.newOutputStream(tmp)) {
            out.write(head.array());
            out.write(header);
            out.write(data.array());
        }
        try {
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void array(ArrayNode arrays, String name, String dtype, long... shape) {
        ObjectNode a = arrays.addObject();
        a.put("name", name);
        a.put("dtype", dtype);
        ArrayNode s = a.putArray("shape");
        for (long v : shape) {
            s.add(v);
        }
    }

    /**
     * Reads a decoder written by {@link #save}.
     *
     * @throws DecoderFormatException if the file is not a decoder file, has a format version this
     *     build does not read, or is damaged; the message names the file and what to do
     * @throws IOException if the file cannot be read
     */
    public static Decoder load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(
                    file.toString(), null, "no decoder file there (cst decode writes one)");
        }
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < MAGIC.length + 4
                || !java.util.Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new DecoderFormatException(
                    file
                            + " is not a decoder file: it does not start with CSTDECOD (cst decode"
                            + " writes decoder files)");
        }
        int headerLength = b.getInt(MAGIC.length);
        int start = MAGIC.length + 4;
        if (headerLength <= 0
                || headerLength > MAX_HEADER_BYTES
                || headerLength > all.length - start) {
            throw new DecoderFormatException(
                    file
                            + " is damaged: its header length "
                            + headerLength
                            + " does not fit a file of "
                            + all.length
                            + " bytes; fit the decoder again with cst decode");
        }
        JsonNode h;
        try {
            h = JSON.readTree(new String(all, start, headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DecoderFormatException(
                    file + " is damaged: its header is not JSON (" + e.getMessage() + ")", e);
        }
        JsonNode version = h.get("formatVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new DecoderFormatException(
                    file + " has no formatVersion in its header; it was not written by cst");
        }
        if (version.asInt() != FORMAT_VERSION) {
            throw new DecoderFormatException(
                    file
                            + " has decoder format version "
                            + version.asInt()
                            + "; this build reads version "
                            + FORMAT_VERSION
                            + (version.asInt() > FORMAT_VERSION
                                    ? ": upgrade cst to use it"
                                    : ": fit the decoder again with this release's cst decode"));
        }
        try {
            return parse(
                    h,
                    ByteBuffer.wrap(all, start + headerLength, all.length - start - headerLength)
                            .slice()
                            .order(ByteOrder.LITTLE_ENDIAN),
                    file);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new DecoderFormatException(
                    file + " is damaged or inconsistent: " + e.getMessage(), e);
        }
    }

    private static Decoder parse(JsonNode h, ByteBuffer payload, Path file)
            throws DecoderFormatException {
        long bytes = h.path("payloadBytes").asLong(-1);
        if (bytes != payload.remaining()) {
            throw new DecoderFormatException(
                    file
                            + " is damaged or truncated: "
                            + payload.remaining()
                            + " bytes of data where the header says "
                            + bytes
                            + "; fit the decoder again with cst decode");
        }
        CRC32 crc = new CRC32();
        crc.update(payload.duplicate());
        if (crc.getValue() != h.path("payloadCrc32").asLong(-1)) {
            throw new DecoderFormatException(
                    file
                            + " is damaged: the checksum of its data does not match; fit the"
                            + " decoder again with cst decode");
        }
        JsonNode t = h.path("target");
        Target target =
                new Target(
                        t.path("name").asText(),
                        LabelSource.ofWireName(t.path("source").asText()),
                        t.path("field").asText());
        JsonNode f = h.path("features");
        WindowLayout layout = WindowLayout.fromJson(f.path("layout"));
        Features features =
                new Features(
                        FeatureKind.ofWireName(f.path("kind").asText()),
                        layout,
                        f.path("modelFingerprint").asText());
        List<String> names = List.of("pca.mean", "pca.components", "knn.points", "knn.labels");
        JsonNode arrays = h.path("arrays");
        long[][] shapes = new long[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            JsonNode a = arrays.path(i);
            if (!names.get(i).equals(a.path("name").asText())) {
                throw new IllegalArgumentException(
                        "array "
                                + i
                                + " is '"
                                + a.path("name").asText()
                                + "', expected "
                                + names.get(i));
            }
            shapes[i] = new long[a.path("shape").size()];
            for (int s = 0; s < shapes[i].length; s++) {
                shapes[i][s] = a.path("shape").path(s).asLong();
            }
        }
        int d = (int) shapes[0][0];
        int k = (int) shapes[1][0];
        int n = (int) shapes[2][0];
        if (shapes[1][1] != d || shapes[2][1] != k || shapes[3][0] != n) {
            throw new IllegalArgumentException("array shapes do not fit together");
        }
        long expected = 4L * d + 4L * k * d + 8L * n * k + 8L * n;
        if (expected != bytes) {
            throw new IllegalArgumentException(
                    "arrays of " + expected + " bytes in a payload of " + bytes);
        }
        float[] mean = new float[d];
        for (int i = 0; i < d; i++) {
            mean[i] = payload.getFloat();
        }
        float[][] dirs = new float[k][d];
        for (float[] c : dirs) {
            for (int i = 0; i < d; i++) {
                c[i] = payload.getFloat();
            }
        }
        double[][] points = new double[n][k];
        for (double[] p : points) {
            for (int i = 0; i < k; i++) {
                p[i] = payload.getDouble();
            }
        }
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) {
            labels[i] = payload.getDouble();
        }
        JsonNode p = h.path("pca");
        double[] variances = new double[k];
        for (int i = 0; i < k; i++) {
            variances[i] = p.path("variances").path(i).asDouble();
        }
        Pca pca = new Pca(mean, dirs, variances, p.path("totalVariance").asDouble());
        KnnRegressor knn =
                new KnnRegressor(points, labels, h.path("knn").path("neighbours").asInt());
        return new Decoder(target, features, pca, knn, h.path("notes"));
    }

    /**
     * Returns a fingerprint of a saved model: the SHA-256 of its parameters and of its
     * configuration and normalisation, as 16 hex digits. Two model folders with the same
     * fingerprint compute the same attention.
     *
     * @throws IOException if the folder has no model files
     */
    public static String fingerprint(Path modelDir) throws IOException {
        Path manifest = modelDir.resolve(CstModel.MANIFEST);
        // the file the model loads, so the fingerprint is of the parameters in use
        Path params = CstModel.parameterFile(modelDir);
        JsonNode m = JSON.readTree(manifest.toFile());
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(params));
            sha.update(JSON.writeValueAsBytes(m.path("config")));
            sha.update(JSON.writeValueAsBytes(m.path("normalisation")));
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }
}
