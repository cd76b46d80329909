package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpiralsBenchmarkTest {
    @TempDir Path dir;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private SpiralsBenchmark.Options options() {
        return SpiralsBenchmark.Options.defaults()
                .withOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    @Test
    void scoresLinearAndSplineOnTheRealSpiralsAndWritesTheTableAndBothPictures()
            throws IOException {
        SpiralsDataset data = SpiralsTestData.shared();
        List<Interpolator> methods =
                List.of(new LinearInterpolator(), new CubicSplineInterpolator());

        SpiralsResults results = SpiralsBenchmark.run(data, dir, methods, options());

        System.out.print(results.toMarkdown());
        assertThat(results.trainCurves()).isEqualTo(350);
        assertThat(results.testCurves()).isEqualTo(150);
        assertThat(results.entries()).hasSize(6);
        assertThat(results.entry("linear", 0.0).curveErrors()).hasSize(150);
        assertThat(results.entry("cubic-spline", 0.0).meanError())
                .isLessThan(results.entry("linear", 0.0).meanError());
        assertThat(results.entry("linear", 0.1).meanError())
                .isGreaterThan(results.entry("linear", 0.0).meanError());
        // noise on the observations makes every output wiggle more
        for (String method : List.of("linear", "cubic-spline")) {
            assertThat(results.entry(method, 0.1).meanSecondDifferenceVariation())
                    .isGreaterThan(results.entry(method, 0.0).meanSecondDifferenceVariation())
                    .isPositive();
        }

        String table = Files.readString(dir.resolve(SpiralsBenchmark.TABLE_FILE));
        assertThat(table).contains("| linear |", "| cubic-spline |", "0.05", "+/-");
        BufferedImage curves = ImageIO.read(dir.resolve(SpiralsBenchmark.CURVES_FILE).toFile());
        assertThat(curves.getWidth()).isEqualTo(4 * 360);
        assertThat(curves.getHeight()).isEqualTo(Plot.LEGEND_STRIP_HEIGHT + 3 * 340);
        BufferedImage errors = ImageIO.read(dir.resolve(SpiralsBenchmark.ERRORS_FILE).toFile());
        assertThat(errors.getWidth()).isEqualTo(3 * 360);
        assertThat(errors.getHeight()).isEqualTo(340);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("noise=0.00 method=linear", "noise=0.10 method=cubic-spline");
    }

    @Test
    void fitsEachMethodOncePerNoiseLevelOnTheTrainingCurves() throws IOException {
        SpiralsDataset data = SpiralsTestData.synthetic(20);
        RecordingMethod method = new RecordingMethod();

        SpiralsResults results =
                SpiralsBenchmark.run(
                        data, dir, List.of(method), options().withNoiseLevels(List.of(0.0, 0.2)));

        assertThat(method.fitNoise).containsExactly(0.0, 0.2);
        assertThat(method.fitTrainCurves).containsExactly(14, 14);
        assertThat(results.entry("recording", 0.2).curveErrors()).hasSize(6);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("recording fit 1/1 trained");
        assertThat(dir.resolve(SpiralsBenchmark.CURVES_FILE)).isRegularFile();
    }

    @Test
    void rejectsTwoMethodsOfTheSameName() {
        SpiralsDataset data = SpiralsTestData.synthetic(20);
        List<Interpolator> twice = List.of(new LinearInterpolator(), new LinearInterpolator());

        assertThatThrownBy(() -> SpiralsBenchmark.run(data, dir, twice, options()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'linear'");
    }

    @Test
    void rejectsAMethodThatAnswersWithTheWrongNumberOfPoints() {
        SpiralsDataset data = SpiralsTestData.synthetic(20);
        Interpolator broken =
                new RecordingMethod() {
                    @Override
                    public double[][] predict(double[] times, double[][] values, double[] query) {
                        return new double[1][2];
                    }
                };

        assertThatThrownBy(() -> SpiralsBenchmark.run(data, dir, List.of(broken), options()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recording: result 0 has the wrong shape");
    }

    /** Interpolates linearly and records what {@code fit} was given. */
    private static class RecordingMethod implements Interpolator {
        final List<Double> fitNoise = new ArrayList<>();
        final List<Integer> fitTrainCurves = new ArrayList<>();
        private final LinearInterpolator linear = new LinearInterpolator();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void fit(SpiralSplit data, long seed, Progress progress) {
            fitNoise.add(data.noiseFraction());
            fitTrainCurves.add(data.train().size());
            progress.report(1, 1, "trained");
        }

        @Override
        public double[][] predict(double[] times, double[][] values, double[] query) {
            return linear.predict(times, values, query);
        }
    }
}
