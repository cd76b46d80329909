package org.cststream.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cststream.job.cst.FrameModelTraining;
import org.cststream.job.cst.PatchSequences;
import org.cststream.model.CstConfig;
import org.cststream.model.SobolevLoss;
import org.cststream.model.window.FrameSequence;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cst train}: train a CST to fill frames on a recording, for the stream's CST stage. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train a CST that fills frames, on one channel of a recording prepared as the job"
                        + " prepares it (dF/F, binning, patches); the last 15% of the frames"
                        + " validate. Use the model with cst run --cst-model DIR.")
final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description = "Recording (.npy folder or stack, .dat, TIFF) or phantom:key=value,...")
    String input;

    @Option(
            names = "--fps",
            defaultValue = "30",
            description = "Camera frames/s when the file has no times. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(
            names = "--channel",
            defaultValue = "0",
            description =
                    "Channel index in an interleaved recording (0 = first). Default:"
                            + " ${DEFAULT-VALUE}.")
    int channel;

    @Option(
            names = "--binning",
            defaultValue = "1",
            description = "Spatial binning, as the job's --binning. Default: ${DEFAULT-VALUE}.")
    int binning;

    @Option(
            names = "--patch-size",
            defaultValue = "16",
            description = "Patch side, as the job's --patch-size. Default: ${DEFAULT-VALUE}.")
    int patchSize;

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
            names = "--limit",
            defaultValue = "0",
            description = "Frames of the channel read at most (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the model and of training. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "cst-output/model",
            paramLabel = "DIR",
            description = "Model folder to write. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PatchSequences.Settings prep = PatchSequences.Settings.defaults(fps, binning, patchSize);
        PatchSequences.Prepared prepared;
        try (RecordingReader reader =
                PhantomSettings.isSpec(input)
                        ? PhantomRecording.open(input)
                        : Recordings.open(java.nio.file.Paths.get(input))) {
            System.out.println("train: " + reader.describe());
            prepared = PatchSequences.read(reader, prep, channel, limit);
        }
        FrameSequence seq = prepared.sequence();
        int split = (int) Math.round(0.85 * seq.size());
        if (split < window || seq.size() - split < window) {
            throw new IllegalArgumentException(
                    input
                            + ": "
                            + seq.size()
                            + " frames of channel "
                            + channel
                            + " after the dF/F warm-up; training and validation need "
                            + window
                            + " each (--window), so at least "
                            + (int) Math.ceil(window / 0.15)
                            + " frames");
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
        CstConfig config = CstConfig.widefieldSmall(patchSize);
        config.modelDim = width;
        config.layers = layers;
        config.heads = heads;
        config.validate();
        FrameModelTraining.Settings settings =
                new FrameModelTraining.Settings(
                        config,
                        window,
                        epochs,
                        patience,
                        3,
                        0f,
                        new SobolevLoss(2, 3, lambda),
                        4,
                        1e-3f,
                        seed);
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
                                    input, split, trained.layout(), prep, trained.report()));
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
}
