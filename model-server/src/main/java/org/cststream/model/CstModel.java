package org.cststream.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CST (or discrete Transformer) with its configuration and value normalisation: created fresh,
 * trained, saved to a folder and loaded back.
 *
 * <p>A saved model is a folder with {@value #PARAMS_NAME}-0000.params (DJL's parameter file) and
 * {@value #MANIFEST} (JSON: format version, configuration, normalisation, notes). A folder written
 * with a newer or unknown format version is refused with a message that says which version was
 * found.
 */
public final class CstModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CstModel.class);

    /** The model folder format this build writes and reads. */
    public static final int FORMAT_VERSION = 1;

    public static final String MANIFEST = "cst-model.json";
    public static final String PARAMS_NAME = "cst";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Model model;
    private final CstBlock block;
    private final Normalisation normalisation;
    private JsonNode notes = JSON.createObjectNode();

    private CstModel(Model model, CstBlock block, Normalisation normalisation) {
        this.model = model;
        this.block = block;
        this.normalisation = normalisation;
    }

    /**
     * Creates a model with freshly initialised parameters on the default device (a GPU when the
     * engine has one, else the CPU).
     */
    public static CstModel create(CstConfig config, Normalisation normalisation) {
        CstBlock block = new CstBlock(config);
        Model model = Model.newInstance("cst", defaultDevice());
        model.setBlock(block);
        block.initialize(
                model.getNDManager(),
                DataType.FLOAT32,
                new Shape(1, 2, config.valueDim),
                new Shape(1, 2, config.coordDim));
        return new CstModel(model, block, normalisation);
    }

    /** Returns the GPU when the engine reports one, else the CPU. */
    public static Device defaultDevice() {
        Engine engine = Engine.getInstance();
        return engine.getGpuCount() > 0 ? engine.defaultDevice() : Device.cpu();
    }

    public Model djlModel() {
        return model;
    }

    public CstBlock block() {
        return block;
    }

    public CstConfig config() {
        return block.config();
    }

    /**
     * Returns the notes saved with the model (e.g. what it was trained on, the window layout of a
     * frame model); an empty object for a model that has none.
     */
    public JsonNode notes() {
        return notes;
    }

    public Normalisation normalisation() {
        return normalisation;
    }

    /** Returns the number of trainable values. */
    public long parameterCount() {
        return block.getParameters().values().stream()
                .mapToLong(p -> p.getArray().getShape().size())
                .sum();
    }

    /**
     * Writes the model to {@code dir} (created if missing).
     *
     * @param notes free-form facts to keep with the model (e.g. training data, epochs)
     */
    public void save(Path dir, JsonNode notes) throws IOException {
        Files.createDirectories(dir);
        model.save(dir, PARAMS_NAME);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("formatVersion", FORMAT_VERSION);
        manifest.set("config", JSON.valueToTree(config()));
        manifest.set("normalisation", JSON.valueToTree(normalisation));
        if (notes != null) {
            manifest.set("notes", notes);
            this.notes = notes;
        }
        JSON.writeValue(dir.resolve(MANIFEST).toFile(), manifest);
        LOG.info("model saved dir={} parameters={}", dir, parameterCount());
    }

    /**
     * Loads a model written by {@link #save}.
     *
     * @throws ModelFormatException if the folder has no manifest, a format version this build does
     *     not read, or parameters that do not fit the configuration
     */
    public static CstModel load(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new ModelFormatException(
                    dir + " is not a CST model folder: " + MANIFEST + " is missing");
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(
                    manifestFile + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode version = manifest.get("formatVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new ModelFormatException(
                    manifestFile
                            + " has no formatVersion; it was not"
                            + " written by this project");
        }
        if (version.asInt() != FORMAT_VERSION) {
            throw new ModelFormatException(
                    manifestFile
                            + " has model format version "
                            + version.asInt()
                            + "; this build reads version "
                            + FORMAT_VERSION
                            + (version.asInt() > FORMAT_VERSION
                                    ? ": upgrade cst to load it"
                                    : ": retrain or convert the model with the release that wrote"
                                            + " it"));
        }
        CstConfig config;
        Normalisation norm;
        try {
            config = JSON.treeToValue(manifest.get("config"), CstConfig.class).validate();
            norm = JSON.treeToValue(manifest.get("normalisation"), Normalisation.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelFormatException(
                    manifestFile + " has an unreadable configuration: " + e.getMessage(), e);
        }
        checkParameterFile(dir);
        CstModel m = create(config, norm);
        if (manifest.hasNonNull("notes")) {
            m.notes = manifest.get("notes");
        }
        try {
            m.model.load(dir, PARAMS_NAME);
        } catch (MalformedModelException | IOException e) {
            m.close();
            throw new ModelFormatException(
                    "parameters in "
                            + dir
                            + " do not fit the"
                            + " configuration in "
                            + MANIFEST
                            + ": "
                            + (e.getMessage() != null
                                    ? e.getMessage()
                                    : "the file ends early or is damaged ("
                                            + e.getClass().getSimpleName()
                                            + "); save the model again with cst train"),
                    e);
        }
        return m;
    }

    /**
     * Returns the parameter file DJL loads from a model folder: the {@code cst-NNNN.params} of the
     * highest number.
     *
     * @throws ModelFormatException if the folder has none
     */
    public static Path parameterFile(Path dir) throws IOException {
        java.util.regex.Pattern name =
                java.util.regex.Pattern.compile(
                        java.util.regex.Pattern.quote(PARAMS_NAME) + "-(\\d{4})\\.params");
        Path params;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            params =
                    files.filter(f -> name.matcher(f.getFileName().toString()).matches())
                            .max(java.util.Comparator.comparing(f -> f.getFileName().toString()))
                            .orElse(null);
        }
        if (params == null) {
            throw new ModelFormatException(
                    dir
                            + " has no parameter file ("
                            + PARAMS_NAME
                            + "-0000.params); only models written by this project (cst train)"
                            + " are loaded");
        }
        return params;
    }

    /**
     * Checks that the folder's parameter file is in DJL's own format, the one {@link #save} writes.
     * DJL would otherwise keep a model's random initial values when the file is something else (its
     * loader ignores a file without its header), and nothing here ever reads a Python pickle or
     * TorchScript file.
     */
    private static void checkParameterFile(Path dir) throws IOException {
        Path params = parameterFile(dir);
        byte[] head = new byte[8];
        int n;
        try (java.io.InputStream in = Files.newInputStream(params)) {
            n = in.readNBytes(head, 0, head.length);
        }
        boolean djl =
                n == 8
                        && head[0] == 'D'
                        && head[1] == 'J'
                        && head[2] == 'L'
                        && head[3] == '@'
                        && java.nio.ByteBuffer.wrap(head, 4, 4).getInt() == 1;
        if (!djl) {
            throw new ModelFormatException(
                    params
                            + " is not a parameter file of this project (no DJL@ header, version"
                            + " 1); a Python pickle or TorchScript file is never loaded: save the"
                            + " model with cst train");
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
