package org.cststream.job.cst;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.cststream.model.decoding.Decoder;

/**
 * Settings of the CST stage of the frame job (keys {@code cst.*}): typed keys with defaults, read
 * from the job's Flink {@link Configuration} and checked once at start-up by {@link #problems}. The
 * stage runs only when {@link #MODEL} is set.
 */
public final class CstOptions {
    /** Where the model runs. */
    public enum Inference {
        /** In the task's JVM: one model per task slot, loaded once. */
        LOCAL,
        /** In the model server, called through Flink's async I/O. */
        SERVER
    }

    public static final ConfigOption<String> MODEL =
            ConfigOptions.key("cst.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Folder of a trained CST (cst train); the CST stage runs only when"
                                    + " it is set.");
    public static final ConfigOption<Inference> INFERENCE =
            ConfigOptions.key("cst.inference")
                    .enumType(Inference.class)
                    .defaultValue(Inference.LOCAL)
                    .withDescription("LOCAL (model in the task) or SERVER (cst.server-url).");
    public static final ConfigOption<String> SERVER_URL =
            ConfigOptions.key("cst.server-url")
                    .stringType()
                    .defaultValue("http://127.0.0.1:9470")
                    .withDescription("Base URL of the model server when cst.inference=SERVER.");
    public static final ConfigOption<Integer> WINDOW_STEP =
            ConfigOptions.key("cst.window-step")
                    .intType()
                    .defaultValue(5)
                    .withDescription(
                            "Grid times S each window emits; a window spans the model's T grid"
                                    + " times, the S newest emitted and T - S earlier as context.");
    public static final ConfigOption<Double> GRID_TOLERANCE =
            ConfigOptions.key("cst.grid-tolerance")
                    .doubleType()
                    .defaultValue(0.25)
                    .withDescription(
                            "A frame within this fraction of a period of a grid time is that grid"
                                    + " time's observed frame; further off, it is an observation"
                                    + " only and the grid time is filled.");
    public static final ConfigOption<Duration> FRAME_PERIOD =
            ConfigOptions.key("cst.frame-period")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Nominal time between frames of a channel (the output grid); default:"
                                    + " the period the model was trained on.");
    public static final ConfigOption<Duration> WINDOW_TIMEOUT =
            ConfigOptions.key("cst.window-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "A session that sends no frame for this long has its open window"
                                    + " closed, so a stalled camera holds no output back.");
    public static final ConfigOption<Integer> MAX_GAP =
            ConfigOptions.key("cst.max-gap")
                    .intType()
                    .defaultValue(30)
                    .withDescription(
                            "Longest run of missing grid times that is filled; a longer gap"
                                    + " restarts the grid at the next frame (reported as an"
                                    + " event).");
    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("cst.batch-size")
                    .intType()
                    .defaultValue(8)
                    .withDescription("Most windows, of any sessions, run in one model call.");
    public static final ConfigOption<Duration> BATCH_DELAY =
            ConfigOptions.key("cst.batch-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription("Longest a window waits for others to share its model call.");
    public static final ConfigOption<Duration> INFERENCE_TIMEOUT =
            ConfigOptions.key("cst.inference-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A window whose model call takes longer fails the job (Flink then"
                                    + " restarts from the last checkpoint).");
    public static final ConfigOption<String> DECODER =
            ConfigOptions.key("cst.decoder")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A fitted decoder (cst decode); when set, each window's attention"
                                    + " is decoded to a value on the decoded topic.");
    public static final ConfigOption<Boolean> LIVE_ERROR =
            ConfigOptions.key("cst.decoder.live-error")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "With a decoder: read its labels from topic.stimulus or"
                                    + " topic.behaviour (its label source) and report the live"
                                    + " error of each decoded window against them.");
    public static final ConfigOption<String> STIMULUS_TOPIC =
            ConfigOptions.key("topic.stimulus")
                    .stringType()
                    .defaultValue(org.cststream.kafka.Topics.STIMULUS)
                    .withDescription("Topic of stimulus records (cst stimulus), JSON.");
    public static final ConfigOption<String> BEHAVIOUR_TOPIC =
            ConfigOptions.key("topic.behaviour")
                    .stringType()
                    .defaultValue(org.cststream.kafka.Topics.BEHAVIOUR)
                    .withDescription("Topic of behaviour records (cst behaviour), JSON.");
    public static final ConfigOption<String> FILLED_TOPIC =
            ConfigOptions.key("topic.filled")
                    .stringType()
                    .defaultValue("cst.frames.filled")
                    .withDescription(
                            "Output topic of the regular frame stream (float32 frame records,"
                                    + " flag bit 1 set on filled frames).");
    public static final ConfigOption<String> DECODED_TOPIC =
            ConfigOptions.key("topic.decoded")
                    .stringType()
                    .defaultValue("cst.decoded")
                    .withDescription("Output topic of decoded values (JSON).");

    /** Every option, for help output and the start-up log. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    MODEL,
                    INFERENCE,
                    SERVER_URL,
                    WINDOW_STEP,
                    GRID_TOLERANCE,
                    FRAME_PERIOD,
                    WINDOW_TIMEOUT,
                    MAX_GAP,
                    BATCH_SIZE,
                    BATCH_DELAY,
                    INFERENCE_TIMEOUT,
                    DECODER,
                    LIVE_ERROR,
                    STIMULUS_TOPIC,
                    BEHAVIOUR_TOPIC,
                    FILLED_TOPIC,
                    DECODED_TOPIC);

    private CstOptions() {}

    /** Returns whether the CST stage runs. */
    public static boolean enabled(Configuration c) {
        return c.getOptional(MODEL).map(s -> !s.isBlank()).orElse(false);
    }

    /** Returns every out-of-range setting, naming its key, bound and unit; empty if none. */
    public static List<String> problems(Configuration c) {
        List<String> p = new ArrayList<>();
        c.getOptional(MODEL)
                .filter(s -> !s.isBlank())
                .ifPresent(
                        dir -> {
                            if (!java.nio.file.Files.exists(java.nio.file.Path.of(dir))) {
                                p.add("--cst-model " + dir + ": no such folder");
                            } else if (!java.nio.file.Files.isRegularFile(
                                    java.nio.file.Path.of(dir).resolve("cst-model.json"))) {
                                p.add(
                                        MODEL.key()
                                                + " "
                                                + dir
                                                + " is not a model folder (no cst-model.json);"
                                                + " train one with cst train");
                            }
                        });
        if (!enabled(c) && c.get(INFERENCE) == Inference.SERVER) {
            p.add(INFERENCE.key() + " SERVER (--cst-inference) needs a model (--cst-model)");
        }
        if (c.get(WINDOW_STEP) < 1) {
            p.add(WINDOW_STEP.key() + " must be >= 1 grid time, was " + c.get(WINDOW_STEP));
        }
        double tol = c.get(GRID_TOLERANCE);
        if (!(tol > 0 && tol < 0.5)) {
            p.add(GRID_TOLERANCE.key() + " must be in (0, 0.5) periods, was " + tol);
        }
        c.getOptional(FRAME_PERIOD)
                .filter(d -> d.isNegative() || d.isZero())
                .ifPresent(d -> p.add(FRAME_PERIOD.key() + " must be positive, was " + d));
        if (c.get(WINDOW_TIMEOUT).toMillis() <= 0) {
            p.add(WINDOW_TIMEOUT.key() + " must be positive, was " + c.get(WINDOW_TIMEOUT));
        }
        if (c.get(MAX_GAP) < 1) {
            p.add(MAX_GAP.key() + " must be >= 1 grid time, was " + c.get(MAX_GAP));
        }
        if (c.get(BATCH_SIZE) < 1 || c.get(BATCH_SIZE) > 256) {
            p.add(BATCH_SIZE.key() + " must be in [1, 256] windows, was " + c.get(BATCH_SIZE));
        }
        if (c.get(BATCH_DELAY).isNegative()) {
            p.add(BATCH_DELAY.key() + " must be >= 0 ms, was " + c.get(BATCH_DELAY));
        }
        c.getOptional(DECODER)
                .filter(s -> !s.isBlank())
                .filter(s -> !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(s)))
                .ifPresent(
                        s ->
                                p.add(
                                        DECODER.key()
                                                + " "
                                                + s
                                                + " is not a file (cst decode writes decoders)"));
        if (hasDecoder(c) && !enabled(c)) {
            p.add(DECODER.key() + " needs " + MODEL.key() + ": a decoder reads the CST's windows");
        }
        return p;
    }

    /** Returns whether a decoder is configured. */
    public static boolean hasDecoder(Configuration c) {
        return c.getOptional(DECODER).map(s -> !s.isBlank()).orElse(false);
    }

    /**
     * Returns the topic the configured decoder's labels stream in on, or null when there is no
     * decoder or the live error is off.
     *
     * @throws java.io.UncheckedIOException if the decoder cannot be read
     */
    public static String labelsTopic(Configuration c) {
        if (!hasDecoder(c) || !enabled(c) || !c.get(LIVE_ERROR)) {
            return null;
        }
        return decoder(c).target().source() == Decoder.LabelSource.STIMULUS
                ? c.get(STIMULUS_TOPIC)
                : c.get(BEHAVIOUR_TOPIC);
    }

    /**
     * Returns the configured decoder.
     *
     * @throws java.io.UncheckedIOException if it cannot be read; the message names the file
     */
    public static Decoder decoder(Configuration c) {
        String file = c.get(DECODER);
        try {
            return Decoder.load(java.nio.file.Path.of(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(
                    DECODER.key() + " " + file + ": " + e.getMessage(), e);
        }
    }
}
