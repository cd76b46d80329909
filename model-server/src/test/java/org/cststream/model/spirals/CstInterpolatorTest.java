package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.cststream.model.CstConfig;
import org.cststream.model.SobolevLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CstInterpolatorTest {
    @TempDir Path dir;

    /**
     * The paper's spirals model with a narrow feed-forward layer (128 instead of 3072) and 60
     * epochs: about half a minute on 2 cores. The full model and budget are the benchmark's.
     */
    @Test
    void theCstInterpolatesNoisySpiralsBetterThanLinearInterpolation() throws IOException {
        ai.djl.engine.Engine.getInstance().setRandomSeed(5);
        SpiralsDataset data = SpiralsTestData.shared();
        CstConfig config = CstConfig.spirals();
        config.feedForwardDim = 128;
        CstInterpolator cst =
                new CstInterpolator(
                        CstInterpolator.Kind.CST,
                        config,
                        new CstInterpolator.Settings(
                                60, 60, 40, 0.1f, 3, new SobolevLoss(3, 3, 0.01f), 1e-3f));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        SpiralsResults results =
                SpiralsBenchmark.run(
                        data,
                        dir,
                        List.of(cst, new LinearInterpolator()),
                        SpiralsBenchmark.Options.defaults()
                                .withNoiseLevels(List.of(0.1))
                                .withOut(new PrintStream(printed, true, StandardCharsets.UTF_8)));

        double cstError = results.entry("CST", 0.1).meanError();
        double linearError = results.entry("linear", 0.1).meanError();
        System.out.printf(
                "noisy spirals: CST %.4f vs linear %.4f after %d epochs (%d skipped steps)%n",
                cstError, linearError, cst.report().epochs(), cst.report().skippedSteps());
        assertThat(cstError).isLessThan(0.95 * linearError);
        assertThat(cst.report().skippedSteps()).isZero();
        // the dense output has no steps: as smooth as the polyline through noisy points or more
        assertThat(results.entry("CST", 0.1).meanSecondDifferenceVariation())
                .isLessThan(results.entry("linear", 0.1).meanSecondDifferenceVariation());
    }
}
