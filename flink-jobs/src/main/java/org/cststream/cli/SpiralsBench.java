package org.cststream.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cststream.model.CstConfig;
import org.cststream.model.SobolevLoss;
import org.cststream.model.spirals.CstInterpolator;
import org.cststream.model.spirals.CubicSplineInterpolator;
import org.cststream.model.spirals.Interpolator;
import org.cststream.model.spirals.LinearInterpolator;
import org.cststream.model.spirals.SpiralsBenchmark;
import org.cststream.model.spirals.SpiralsDataset;
import org.cststream.model.spirals.SpiralsResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cst bench spirals}: the CST paper's first experiment, with every baseline beside it. */
@Command(
        name = "spirals",
        mixinStandardHelpOptions = true,
        description =
                "Train the CST and the discrete Transformer on the integral-equation spirals and"
                        + " compare their interpolation with linear and cubic-spline"
                        + " interpolation, with and without noise; writes a table and pictures.")
final class SpiralsBench implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--out",
            defaultValue = "cst-output/spirals",
            description = "Folder for the table and pictures. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--epochs",
            defaultValue = "150",
            description =
                    "Most training epochs per model and noise level. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--patience",
            defaultValue = "30",
            description =
                    "Stop after this many epochs without a better validation loss. Default:"
                            + " ${DEFAULT-VALUE}.")
    int patience;

    @Option(
            names = "--dummies",
            defaultValue = "40",
            description = "Dummy points per training sample (CST). Default: ${DEFAULT-VALUE}.")
    int dummies;

    @Option(
            names = "--lambda",
            defaultValue = "0.01",
            description =
                    "Weight of the derivative terms of the Sobolev loss. Default:"
                            + " ${DEFAULT-VALUE}.")
    float lambda;

    @Option(
            names = "--noise",
            split = ",",
            defaultValue = "0,0.05,0.1",
            description = "Noise levels, fractions of the data scale. Default: ${DEFAULT-VALUE}.")
    List<Double> noise;

    @Option(
            names = "--p",
            defaultValue = "3",
            description = "Norm exponent of the Sobolev loss. Default: ${DEFAULT-VALUE}.")
    float p;

    @Option(
            names = "--learning-rate",
            defaultValue = "5e-4",
            description =
                    "Adam's peak step size (the paper's 1e-3 lets the 3072-wide model diverge"
                            + " on some seeds). Default: ${DEFAULT-VALUE}.")
    float learningRate;

    @Option(
            names = "--held-out",
            defaultValue = "3",
            description =
                    "Most observations per curve held out of the CST's input and predicted in"
                            + " training (0: the paper's training). Default: ${DEFAULT-VALUE}.")
    int heldOut;

    @Option(
            names = "--input-noise",
            defaultValue = "0.1",
            description =
                    "Std of the noise added to the CST's input values each step, data units."
                            + " Default: ${DEFAULT-VALUE}.")
    float inputNoise;

    @Option(
            names = "--fourier-features",
            defaultValue = "64",
            description =
                    "Gaussian Fourier features of the CST's time coordinate (0: a linear map)."
                            + " Default: ${DEFAULT-VALUE}.")
    int fourierFeatures;

    @Option(
            names = "--fourier-scale",
            defaultValue = "10",
            description =
                    "Std of the Fourier frequencies, cycles per unit of time. Default:"
                            + " ${DEFAULT-VALUE}.")
    float fourierScale;

    @Option(
            names = "--feed-forward",
            defaultValue = "3072",
            description =
                    "Width of the feed-forward layers of both models (the paper's: 3072)."
                            + " Default: ${DEFAULT-VALUE}.")
    int feedForward;

    @Option(
            names = "--methods",
            split = ",",
            defaultValue = "cst,transformer,linear,spline",
            description =
                    "Methods to compare, of cst, cst-paper (the paper's training: all-to-all"
                            + " attention, nothing held out), transformer, linear, spline (the"
                            + " neural ones train for minutes). Default: ${DEFAULT-VALUE}.")
    List<String> methodNames;

    @Override
    public Integer call() throws Exception {
        CstInterpolator.Settings settings =
                new CstInterpolator.Settings(
                        epochs,
                        patience,
                        dummies,
                        inputNoise,
                        heldOut,
                        new SobolevLoss(p, 3, lambda),
                        learningRate);
        CstConfig cst = CstConfig.spirals();
        cst.fourierFeatures = fourierFeatures;
        cst.fourierScale = fourierScale;
        cst.feedForwardDim = feedForward;
        CstConfig transformer = CstConfig.spirals();
        transformer.feedForwardDim = feedForward;
        List<Interpolator> methods = new ArrayList<>();
        for (String name : methodNames) {
            switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "cst" ->
                        methods.add(new CstInterpolator(CstInterpolator.Kind.CST, cst, settings));
                case "cst-paper" -> {
                    // the paper's recipe: every token attends to every other, nothing held out
                    CstConfig paper = CstConfig.spirals();
                    paper.fourierFeatures = fourierFeatures;
                    paper.fourierScale = fourierScale;
                    paper.feedForwardDim = feedForward;
                    paper.observedKeysOnly = false;
                    methods.add(
                            new CstInterpolator(
                                    CstInterpolator.Kind.CST,
                                    paper,
                                    new CstInterpolator.Settings(
                                            epochs,
                                            patience,
                                            dummies,
                                            inputNoise,
                                            0,
                                            new SobolevLoss(p, 3, lambda),
                                            learningRate),
                                    "CST, paper's training"));
                }
                case "transformer" ->
                        methods.add(
                                new CstInterpolator(
                                        CstInterpolator.Kind.TRANSFORMER, transformer, settings));
                case "linear" -> methods.add(new LinearInterpolator());
                case "spline" -> methods.add(new CubicSplineInterpolator());
                default ->
                        throw new picocli.CommandLine.ParameterException(
                                spec.commandLine(),
                                "--methods: unknown method '"
                                        + name
                                        + "'; use cst, cst-paper, transformer, linear or spline");
            }
        }
        SpiralsResults results =
                SpiralsBenchmark.run(
                        SpiralsDataset.load(),
                        out,
                        methods,
                        SpiralsBenchmark.Options.defaults().withNoiseLevels(noise));
        System.out.println();
        System.out.println(results.toMarkdown());
        System.out.println(
                "written: "
                        + out.resolve(SpiralsBenchmark.TABLE_FILE)
                        + ", "
                        + out.resolve(SpiralsBenchmark.CURVES_FILE)
                        + ", "
                        + out.resolve(SpiralsBenchmark.ERRORS_FILE));
        return 0;
    }
}
