package org.cststream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cststream.job.cst.DecodeBenchmark;
import org.cststream.job.cst.DecoderFitting;
import org.cststream.job.cst.FrameModelTraining;
import org.cststream.model.CstConfig;
import org.cststream.model.SobolevLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cst bench decode}: the CST paper's decoding experiment on rendered real traces. */
@Command(
        name = "decode",
        mixinStandardHelpOptions = true,
        description =
                "Render higley-widefield's real parcel traces to frames (a one-channel phantom),"
                        + " train a frame CST on the first frames, and decode pupil, wheel and"
                        + " whisking from CST attention and from the data baseline on the frames"
                        + " after them; the same for the contrast of drifting gratings on a phantom"
                        + " with stimuli. Writes a table, a picture, the models and the decoders.")
final class DecodeBench implements Callable<Integer> {
    @Option(
            names = "--data",
            defaultValue = "${sys:cst.shared.dir:-../shared}/data/higley-widefield",
            description = "The higley-widefield folder. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(
            names = "--parts",
            split = ",",
            defaultValue = "behaviour,stimulus",
            description = "Parts to run. Default: ${DEFAULT-VALUE}.")
    List<String> parts;

    @Option(
            names = "--size",
            defaultValue = "128",
            description = "Frame side, pixels. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--frames",
            defaultValue = "4000",
            description = "Frames per phantom, at 10 Hz. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(
            names = "--patch-size",
            defaultValue = "16",
            description = "Patch side, pixels. Default: ${DEFAULT-VALUE}.")
    int patchSize;

    @Option(
            names = "--train-frames",
            defaultValue = "1000",
            description =
                    "First frames the CST trains on (at most half; 15%% of them validate). Default:"
                            + " ${DEFAULT-VALUE}.")
    int trainFrames;

    @Option(
            names = "--epochs",
            defaultValue = "5",
            description = "CST training epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--width",
            defaultValue = "64",
            description = "CST width d. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(
            names = "--windows",
            defaultValue = "500",
            description = "Windows decoded per part (the paper: 500). Default: ${DEFAULT-VALUE}.")
    int windows;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of training and of the splits. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "cst-output/decode-bench",
            description =
                    "Folder for the table, picture, models and decoders. Default:"
                            + " ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(data)) {
            System.out.println(
                    "decode: skipped: "
                            + data
                            + " not found (the benchmark renders its real parcel traces and"
                            + " behaviour; --data names the folder)");
            return 0;
        }
        CstConfig config = CstConfig.widefieldSmall(patchSize);
        config.modelDim = width;
        FrameModelTraining.Settings training =
                new FrameModelTraining.Settings(
                        config,
                        10,
                        epochs,
                        epochs,
                        3,
                        0f,
                        new SobolevLoss(2, 3, 0.001f),
                        4,
                        1e-3f,
                        seed);
        DecoderFitting.Settings p = DecoderFitting.Settings.paper();
        DecodeBenchmark.Result r =
                DecodeBenchmark.run(
                        new DecodeBenchmark.Options(
                                data,
                                size,
                                frames,
                                patchSize,
                                trainFrames,
                                training,
                                windows,
                                new DecoderFitting.Settings(
                                        p.components(),
                                        p.neighbours(),
                                        p.repeats(),
                                        p.trainFraction(),
                                        seed,
                                        true),
                                parts,
                                out,
                                System.out));
        System.out.println();
        System.out.print(Files.readString(r.table()));
        return 0;
    }
}
