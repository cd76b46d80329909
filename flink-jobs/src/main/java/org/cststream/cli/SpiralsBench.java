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
    @Option(
            names = "--out",
            defaultValue = "cst-output/spirals",
            description = "Folder for the table and pictures. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--epochs",
            defaultValue = "60",
            description =
                    "Most training epochs per model and noise level. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--patience",
            defaultValue = "15",
            description =
                    "Stop after this many epochs without a better validation loss. Default:"
                            + " ${DEFAULT-VALUE}.")
    int patience;

    @Option(
            names = "--dummies",
            defaultValue = "100",
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
            defaultValue = "3e-4",
            description = "Adam's step size. Default: ${DEFAULT-VALUE}.")
    float learningRate;

    @Option(
            names = "--neural",
            description =
                    "Also train the CST and the discrete Transformer (experimental: see the"
                            + " README's Limitations).")
    boolean neural;

    @Override
    public Integer call() throws Exception {
        List<Interpolator> methods = new ArrayList<>();
        if (neural) {
            CstInterpolator.Settings settings =
                    new CstInterpolator.Settings(
                            epochs,
                            patience,
                            dummies,
                            0.1f,
                            new SobolevLoss(p, 3, lambda),
                            learningRate);
            methods.add(
                    new CstInterpolator(CstInterpolator.Kind.CST, CstConfig.spirals(), settings));
            methods.add(
                    new CstInterpolator(
                            CstInterpolator.Kind.TRANSFORMER, CstConfig.spirals(), settings));
        }
        methods.add(new LinearInterpolator());
        methods.add(new CubicSplineInterpolator());
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
