package org.cststream.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.cststream.job.frames.OutputSizes;
import org.cststream.job.frames.hemo.HemoMethod;
import picocli.CommandLine.Option;

/** Command-line options of the frame job, shared by {@code run}, {@code job} and {@code bench}. */
public class JobArgs {
    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description =
                    "Kafka to use. 'cst run' starts an embedded broker on loopback without it;"
                            + " 'cst job' needs it.")
    String bootstrapServers;

    @Option(
            names = "--patch-size",
            defaultValue = "16",
            paramLabel = "PIXELS",
            description = "Side of the square patches (tokens). Default: ${DEFAULT-VALUE}.")
    int patchSize;

    @Option(
            names = "--binning",
            defaultValue = "1",
            paramLabel = "FACTOR",
            description = "Average FACTOR x FACTOR blocks after dF/F. Default: ${DEFAULT-VALUE}.")
    int binning;

    @Option(
            names = "--edge",
            defaultValue = "PAD",
            paramLabel = "PAD|CROP",
            description =
                    "Frames not a multiple of the patch: PAD with zeros or CROP."
                            + " Default: ${DEFAULT-VALUE}.")
    EdgeMode edge;

    @Option(
            names = "--max-out-of-order",
            defaultValue = "8",
            paramLabel = "FRAMES",
            description =
                    "Frames that may wait for a late one before it counts as dropped."
                            + " Default: ${DEFAULT-VALUE}.")
    int maxOutOfOrder;

    @Option(
            names = "--idle-timeout-ms",
            defaultValue = "2000",
            paramLabel = "MS",
            description =
                    "Release a silent session's waiting frames after MS."
                            + " Default: ${DEFAULT-VALUE}.")
    long idleTimeoutMillis;

    @Option(
            names = "--baseline-seconds",
            defaultValue = "30",
            paramLabel = "S",
            description = "Time constant of the dF/F baseline. Default: ${DEFAULT-VALUE}.")
    double baselineSeconds;

    @Option(
            names = "--warmup-frames",
            defaultValue = "10",
            paramLabel = "N",
            description =
                    "Frames of plain running mean before the exponential baseline."
                            + " Default: ${DEFAULT-VALUE}.")
    int warmupFrames;

    @Option(
            names = "--output-dir",
            paramLabel = "DIR",
            description = "Also write dF/F frames as .npy files under DIR.")
    String outputDir;

    @Option(
            names = "--checkpoint-interval-ms",
            defaultValue = "5000",
            paramLabel = "MS",
            description = "Flink checkpoint interval. Default: ${DEFAULT-VALUE}.")
    long checkpointMillis;

    @Option(
            names = "--exactly-once",
            description = "Transactional sinks: outputs become visible at checkpoints.")
    boolean exactlyOnce;

    @Option(
            names = "--topic-prefix",
            defaultValue = "cst",
            paramLabel = "PREFIX",
            description =
                    "Topics are PREFIX.frames, PREFIX.frames.dff, PREFIX.tokens,"
                            + " PREFIX.events, PREFIX.deadletter, PREFIX.frames.corrected."
                            + " Default: ${DEFAULT-VALUE}.")
    String topicPrefix;

    @Option(
            names = "--channel-order",
            split = ",",
            paramLabel = "NM[,NM...]",
            description =
                    "Excitation wavelengths in acquisition order, e.g. 470,405 or 470,395,575:"
                            + " untagged frames get them in turn. 'cst run' defaults to the"
                            + " recording's channels or --channels.")
    List<Integer> channelOrder;

    @Option(
            names = "--isosbestic",
            paramLabel = "NM",
            defaultValue = "0",
            description = "The isosbestic wavelength; 0 = the listed one between 380 and 430 nm.")
    int isosbestic;

    @Option(
            names = "--no-channel-check",
            description =
                    "Do not check at a session's start that the isosbestic channel is the dimmest"
                            + " (for rigs with equally bright channels).")
    boolean noChannelCheck;

    @Option(
            names = "--hemo",
            defaultValue = "REGRESSION",
            paramLabel = "NONE|REGRESSION|MMSE",
            description =
                    "Hemodynamic correction of the calcium channels (two or more channels)."
                            + " Default: ${DEFAULT-VALUE}.")
    HemoMethod hemo;

    @Option(
            names = "--hemo-tile",
            defaultValue = "32",
            paramLabel = "PIXELS",
            description = "Side of the correction's tiles. Default: ${DEFAULT-VALUE}.")
    int hemoTile;

    @Option(
            names = "--calibration-frames",
            defaultValue = "100",
            paramLabel = "N",
            description =
                    "Frames per calcium channel before the correction is calibrated."
                            + " Default: ${DEFAULT-VALUE}.")
    int calibrationFrames;

    @Option(
            names = "--cst-model",
            paramLabel = "DIR",
            description =
                    "Run the CST stage with this model (from cst train): a regular frame stream"
                            + " on cst.frames.filled with dropped and off-grid frames filled.")
    String cstModel;

    @Option(
            names = "--cst-step",
            paramLabel = "S",
            defaultValue = "5",
            description =
                    "Grid times each CST window emits (its other T - S are context)."
                            + " Default: ${DEFAULT-VALUE}.")
    int cstStep;

    @Option(
            names = "--cst-inference",
            paramLabel = "WHERE",
            defaultValue = "LOCAL",
            description =
                    "Where the model runs: ${COMPLETION-CANDIDATES} (the model server at"
                            + " --cst-server). Default: ${DEFAULT-VALUE}.")
    org.cststream.job.cst.CstOptions.Inference cstInference;

    @Option(
            names = "--cst-server",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:9470",
            description = "The model server for --cst-inference SERVER. Default: ${DEFAULT-VALUE}.")
    String cstServer;

    @Option(
            names = "--cst-decoder",
            paramLabel = "FILE",
            description =
                    "With --cst-model: decode each CST window's attention with this decoder (cst"
                            + " decode) to a value on cst.decoded, and, unless --no-live-error,"
                            + " report its error against the labels streaming in on cst.stimulus"
                            + " or cst.behaviour.")
    String cstDecoder;

    @Option(
            names = "--no-live-error",
            description = "With --cst-decoder: do not read the labels' topic for the live error.")
    boolean noLiveError;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "Extra Kafka client setting for every client (e.g."
                            + " security.protocol=SASL_SSL); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    /** Returns the job configuration these options describe. */
    Configuration toConfiguration() {
        Configuration c = new Configuration();
        if (bootstrapServers != null) {
            c.set(FrameJobOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        c.set(FrameJobOptions.PATCH_SIZE, patchSize);
        c.set(FrameJobOptions.BINNING, binning);
        c.set(FrameJobOptions.EDGE_MODE, edge);
        c.set(FrameJobOptions.MAX_OUT_OF_ORDER_FRAMES, maxOutOfOrder);
        c.set(FrameJobOptions.IDLE_TIMEOUT, Duration.ofMillis(idleTimeoutMillis));
        c.set(FrameJobOptions.BASELINE_WINDOW, Duration.ofMillis((long) (baselineSeconds * 1e3)));
        c.set(FrameJobOptions.WARMUP_FRAMES, warmupFrames);
        if (outputDir != null) {
            c.set(FrameJobOptions.OUTPUT_DIR, outputDir);
        }
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(checkpointMillis));
        c.set(FrameJobOptions.EXACTLY_ONCE, exactlyOnce);
        c.set(FrameJobOptions.FRAMES_TOPIC, topicPrefix + ".frames");
        c.set(FrameJobOptions.DFF_TOPIC, topicPrefix + ".frames.dff");
        c.set(FrameJobOptions.TOKENS_TOPIC, topicPrefix + ".tokens");
        c.set(FrameJobOptions.EVENTS_TOPIC, topicPrefix + ".events");
        c.set(FrameJobOptions.DEAD_LETTER_TOPIC, topicPrefix + ".deadletter");
        c.set(FrameJobOptions.KAFKA_PROPERTIES, kafkaProperties);
        c.set(FrameJobOptions.CORRECTED_TOPIC, topicPrefix + ".frames.corrected");
        if (channelOrder != null) {
            c.set(FrameJobOptions.CHANNEL_ORDER, channelOrder);
        }
        c.set(FrameJobOptions.ISOSBESTIC_NM, isosbestic);
        c.set(FrameJobOptions.ISOSBESTIC_DIMMER, !noChannelCheck);
        c.set(FrameJobOptions.HEMO_METHOD, hemo);
        c.set(FrameJobOptions.HEMO_TILE_SIZE, hemoTile);
        c.set(FrameJobOptions.HEMO_CALIBRATION_FRAMES, calibrationFrames);
        if (cstModel != null) {
            c.set(org.cststream.job.cst.CstOptions.MODEL, cstModel);
        }
        c.set(org.cststream.job.cst.CstOptions.WINDOW_STEP, cstStep);
        c.set(org.cststream.job.cst.CstOptions.INFERENCE, cstInference);
        c.set(org.cststream.job.cst.CstOptions.SERVER_URL, cstServer);
        c.set(org.cststream.job.cst.CstOptions.FILLED_TOPIC, topicPrefix + ".frames.filled");
        c.set(org.cststream.job.cst.CstOptions.DECODED_TOPIC, topicPrefix + ".decoded");
        if (cstDecoder != null) {
            c.set(org.cststream.job.cst.CstOptions.DECODER, cstDecoder);
        }
        c.set(org.cststream.job.cst.CstOptions.LIVE_ERROR, !noLiveError);
        c.set(org.cststream.job.cst.CstOptions.STIMULUS_TOPIC, topicPrefix + ".stimulus");
        c.set(org.cststream.job.cst.CstOptions.BEHAVIOUR_TOPIC, topicPrefix + ".behaviour");
        return c;
    }

    /**
     * Returns the start-up note on how frames of this size are cut into patches, saying what is
     * padded or cropped, or null when the size divides evenly.
     */
    static String edgeNote(int width, int height, int binning, int patch, EdgeMode edge) {
        int h = (int) OutputSizes.binnedSide(height, binning, edge);
        int w = (int) OutputSizes.binnedSide(width, binning, edge);
        int extraRows = (patch - h % patch) % patch;
        int extraCols = (patch - w % patch) % patch;
        int gridRows = (int) OutputSizes.patchCount(h, patch, edge);
        int gridCols = (int) OutputSizes.patchCount(w, patch, edge);
        if (gridRows == 0 || gridCols == 0) {
            throw new IllegalArgumentException(
                    "frames of "
                            + height
                            + "x"
                            + width
                            + " (rows x cols)"
                            + (binning > 1 ? ", binned to " + h + "x" + w : "")
                            + " hold no whole "
                            + patch
                            + "-pixel patch; use a smaller --patch-size or --edge PAD");
        }
        if (h % patch == 0 && w % patch == 0 && height % binning == 0 && width % binning == 0) {
            return null;
        }
        String size =
                "frames of "
                        + height
                        + "x"
                        + width
                        + " (rows x cols)"
                        + (binning > 1 ? ", binned to " + h + "x" + w : "")
                        + " are not a multiple of the "
                        + patch
                        + "-pixel patch: ";
        if (edge == EdgeMode.PAD) {
            return size
                    + "padding "
                    + extraRows
                    + " row(s) and "
                    + extraCols
                    + " column(s) of"
                    + " zeros, "
                    + gridRows
                    + "x"
                    + gridCols
                    + " patches (--edge CROP to leave"
                    + " them out instead)";
        }
        return size
                + "cropping "
                + (h % patch)
                + " row(s) and "
                + (w % patch)
                + " column(s), "
                + gridRows
                + "x"
                + gridCols
                + " patches (--edge PAD keeps every pixel)";
    }
}
