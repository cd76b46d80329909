package org.cststream.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cststream.job.cst.FillBenchmark;
import org.cststream.job.cst.FrameModelTraining;
import org.cststream.model.CstConfig;
import org.cststream.model.SobolevLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cst bench fill}: hide frames of a real recording and fill them with every method. */
@Command(
        name = "fill",
        mixinStandardHelpOptions = true,
        description =
                "Train a CST on the first 70%% of a recording, hide frames of the rest (single"
                        + " frames at random, and bursts), fill them with the CST, linear and"
                        + " cubic-spline interpolation and the last frame, and print the error;"
                        + " writes a table, a picture and the model.")
final class FillBench implements Callable<Integer> {
    @Option(
            names = "--input",
            defaultValue = "${sys:cst.shared.dir:-../shared}/data/improv-mesoscope/frames",
            description = "Recording. Default: ${DEFAULT-VALUE}.")
    Path input;

    @Option(
            names = "--fps",
            defaultValue = "30",
            description =
                    "Frames per second when the file has no times. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(
            names = "--binning",
            defaultValue = "4",
            description = "Spatial binning before patches. Default: ${DEFAULT-VALUE}.")
    int binning;

    @Option(
            names = "--patch-size",
            defaultValue = "8",
            description = "Patch side, pixels of the binned frame. Default: ${DEFAULT-VALUE}.")
    int patchSize;

    @Option(
            names = "--window",
            defaultValue = "10",
            description = "Frames per CST window. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(
            names = "--epochs",
            defaultValue = "60",
            description =
                    "CST training epochs (cst train's default is 30; the fills go on improving"
                            + " past it). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--held-out",
            defaultValue = "3",
            description = "Most frames hidden per training window. Default: ${DEFAULT-VALUE}.")
    int heldOut;

    @Option(
            names = "--input-noise",
            defaultValue = "0",
            description =
                    "Noise on the CST's observed inputs in training, normalised units. Default:"
                            + " ${DEFAULT-VALUE}.")
    float inputNoise;

    @Option(
            names = "--lambda",
            defaultValue = "0.001",
            description = "Weight of the Sobolev derivative terms. Default: ${DEFAULT-VALUE}.")
    float lambda;

    @Option(
            names = "--p",
            defaultValue = "2",
            description =
                    "Norm exponent of the Sobolev loss (2 suits Gaussian pixel noise). Default:"
                            + " ${DEFAULT-VALUE}.")
    float p;

    @Option(
            names = "--residual",
            defaultValue = "false",
            description =
                    "Whether the CST predicts a correction added to each token's input instead of"
                            + " the value itself. Default: ${DEFAULT-VALUE}.")
    boolean residual;

    @Option(
            names = "--width",
            defaultValue = "128",
            description =
                    "Model width d (cst train's default is 64; at 128 the fills keep the frames'"
                            + " structure, where at 64 they blur it). Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(
            names = "--hide",
            defaultValue = "0.1",
            description =
                    "Fraction of the test frames hidden per scheme. Default: ${DEFAULT-VALUE}.")
    double hide;

    @Option(
            names = "--burst",
            defaultValue = "3",
            description = "Frames per burst. Default: ${DEFAULT-VALUE}.")
    int burst;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of training and of the hidden frames. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Frames read at most (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--out",
            defaultValue = "cst-output/fill",
            description = "Folder for the table, picture and model. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        CstConfig config = CstConfig.widefieldSmall(patchSize);
        config.residualOutput = residual;
        config.modelDim = width;
        FrameModelTraining.Settings training =
                new FrameModelTraining.Settings(
                        config,
                        window,
                        epochs,
                        epochs,
                        heldOut,
                        inputNoise,
                        new SobolevLoss(p, 3, lambda),
                        4,
                        1e-3f,
                        seed);
        FillBenchmark.Result r =
                FillBenchmark.run(
                        new FillBenchmark.Options(
                                input,
                                fps,
                                binning,
                                patchSize,
                                training,
                                hide,
                                burst,
                                seed,
                                limit,
                                out,
                                System.out));
        System.out.println();
        System.out.print(java.nio.file.Files.readString(r.table()));
        return 0;
    }
}
