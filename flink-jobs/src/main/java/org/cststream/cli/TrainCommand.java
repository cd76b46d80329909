package org.cststream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.cststream.frame.Frame;
import org.cststream.job.cst.FrameModelTraining;
import org.cststream.job.cst.PatchSequences;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.model.CstConfig;
import org.cststream.model.SobolevLoss;
import org.cststream.model.window.FrameSequence;
import org.cststream.recording.RecordingReader;
import org.cststream.replay.ReplayOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cst train}: train a CST to fill frames on a recording, for the stream's CST stage. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train a CST that fills frames on a recording (or the demo phantom), its frames"
                        + " prepared exactly as the job prepares them: dF/F, binning and patches;"
                        + " with two or more channels the frame job itself runs first and the"
                        + " corrected calcium frames are used. The last 15%% of the frames"
                        + " validate. Use the model with cst run --cst-model DIR and the same"
                        + " job options.")
final class TrainCommand implements Callable<Integer> {
    @Mixin ReplayArgs replay;
    @Mixin JobArgs job;

    @Option(
            names = "--window",
            defaultValue = "10",
            description = "Grid times per window T. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(
            names = "--epochs",
            defaultValue = "30",
            description = "Most training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--patience",
            defaultValue = "10",
            description =
                    "Stop after this many epochs without a better validation loss. Default:"
                            + " ${DEFAULT-VALUE}.")
    int patience;

    @Option(
            names = "--width",
            defaultValue = "64",
            description =
                    "Model width d (64: the small CPU model; 384 with --layers 6 is the"
                            + " paper's CST-small, for a GPU). Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(
            names = "--layers",
            defaultValue = "2",
            description = "Encoder layers. Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(
            names = "--heads",
            defaultValue = "4",
            description = "Attention heads (must divide --width). Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(
            names = "--lambda",
            defaultValue = "0.001",
            description = "Weight of the Sobolev derivative terms. Default: ${DEFAULT-VALUE}.")
    float lambda;

    @Option(
            names = "--out",
            defaultValue = "cst-output/model",
            paramLabel = "DIR",
            description = "Model folder to write. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        // settings first, in the flags' names, before minutes of preparing frames
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs " + epochs + ": need 1 or more");
        }
        if (patience < 1) {
            throw new IllegalArgumentException("--patience " + patience + ": need 1 or more");
        }
        if (width < 1 || heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException(
                    "--width "
                            + width
                            + " and --heads "
                            + heads
                            + ": the width must be a multiple of the heads (e.g. --width 64"
                            + " --heads 4)");
        }
        Configuration config = job.toConfiguration();
        ReplayOptions replayOptions = replay.toOptions();
        int patchSize = job.patchSize;
        PatchSequences.Prepared prepared;
        String source;
        try (RecordingReader recording = Cst.open(replay)) {
            source = recording.describe();
            System.out.println("train: " + source);
            Cst.channelOrder(config, recording, replayOptions);
            FrameJobOptions.validateSettings(config);
            prepared =
                    FrameJobOptions.isHemoActive(config)
                            ? prepareWithTheJob(recording, config, replayOptions)
                            : PatchSequences.read(recording, preparation(), 0, replayOptions.limit);
        }
        FrameSequence seq = prepared.sequence();
        int split = (int) Math.round(0.85 * seq.size());
        if (split < window || seq.size() - split < window) {
            throw new IllegalArgumentException(
                    source
                            + ": "
                            + seq.size()
                            + " prepared frames (after the dF/F baseline's warm-up frames of each"
                            + " calcium channel); training and validation need "
                            + window
                            + " each (--window), so at least "
                            + (int) Math.ceil(window / 0.15)
                            + " prepared frames: record a longer session or lower --window");
        }
        double period = FrameModelTraining.medianStep(seq.times());
        System.out.printf(
                Locale.ROOT,
                "train: %d frames of %d x %d, %d x %d patches of %d, one every %.1f ms; training"
                        + " on %d, validating on %d%n",
                seq.size(),
                prepared.first().frameHeight,
                prepared.first().frameWidth,
                prepared.first().gridRows,
                prepared.first().gridCols,
                patchSize,
                period * 1e3,
                split,
                seq.size() - split);
        CstConfig model = CstConfig.widefieldSmall(patchSize);
        model.modelDim = width;
        model.layers = layers;
        model.heads = heads;
        model.validate();
        FrameModelTraining.Settings settings =
                new FrameModelTraining.Settings(
                        model,
                        window,
                        epochs,
                        patience,
                        3,
                        0f,
                        new SobolevLoss(2, 3, lambda),
                        4,
                        1e-3f,
                        replay.seed);
        FrameModelTraining.Trained trained =
                FrameModelTraining.train(
                        seq.slice(0, split),
                        seq.slice(split, seq.size()),
                        prepared,
                        period,
                        settings,
                        System.out,
                        "train");
        try {
            trained.model()
                    .save(
                            out,
                            FrameModelTraining.notes(
                                    source,
                                    split,
                                    trained.layout(),
                                    preparation(),
                                    trained.report()));
        } finally {
            trained.model().close();
        }
        System.out.printf(
                Locale.ROOT,
                "train: model saved to %s (%d parameters, best epoch %d of %d, %.1f windows/s);"
                        + " use it with ./cst run --cst-model %s%n",
                out,
                trained.model().parameterCount(),
                trained.report().bestEpoch(),
                trained.report().epochs(),
                trained.report().samplesPerSecond(),
                out);
        return 0;
    }

    /** The job's dF/F, binning and patch settings, for frames prepared here. */
    private PatchSequences.Settings preparation() {
        return new PatchSequences.Settings(
                replay.fps,
                Duration.ofMillis((long) (job.baselineSeconds * 1e3)),
                job.warmupFrames,
                FrameJobOptions.MIN_BASELINE.defaultValue(),
                job.binning,
                job.patchSize,
                job.edge);
    }

    /**
     * Runs the recording through the frame job (embedded broker, MiniCluster, as fast as it goes)
     * with its frames written to a temporary folder, and returns the first calcium channel's
     * corrected frames: what the CST stage sees in the stream.
     */
    private PatchSequences.Prepared prepareWithTheJob(
            RecordingReader recording, Configuration config, ReplayOptions options)
            throws Exception {
        Path dir = Files.createTempDirectory("cst-train-");
        try {
            config.set(FrameJobOptions.OUTPUT_DIR, dir.toString());
            ReplayOptions fast =
                    ReplayOptions.builder()
                            .sessionId("train")
                            .channelsNm(options.channelsNm)
                            .fps(options.fps)
                            .asFastAsPossible(true)
                            .limit(options.limit)
                            .showProgress(options.showProgress)
                            .untagged(options.untagged)
                            .build();
            System.out.println(
                    "train: two or more channels: running the frame job to correct them"
                            + " (hemodynamic correction "
                            + config.get(FrameJobOptions.HEMO_METHOD)
                                    .name()
                                    .toLowerCase(java.util.Locale.ROOT)
                            + ")");
            LocalPipeline.run(recording, fast, config, 1, Duration.ofMinutes(30));
            int iso = FrameJobOptions.isosbesticNm(config);
            int calcium =
                    config.get(FrameJobOptions.CHANNEL_ORDER).stream()
                            .filter(nm -> nm != iso)
                            .findFirst()
                            .orElseThrow();
            Path folder = dir.resolve("train").resolve(Frame.channelLabel("", calcium));
            System.out.println("train: corrected " + calcium + " nm frames from the job");
            return PatchSequences.readPrepared(
                    folder, "corrected", options.fps, job.patchSize, job.edge);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
