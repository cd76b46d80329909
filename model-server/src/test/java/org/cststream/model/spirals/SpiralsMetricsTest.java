package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SpiralsMetricsTest {

    @Test
    void measuresTheErrorPerPointAsEuclideanDistanceAveragedOverPoints() {
        double[][] predicted = {{3, 4}, {1, 1}};
        double[][] truth = {{0, 0}, {1, 1}};

        assertThat(SpiralsMetrics.meanPointError(predicted, truth)).isEqualTo(2.5);
    }

    @Test
    void sumsTheVariationOfTheSecondDifferenceOverTimesAndCoordinates() {
        // coordinate 0 is i^2: second differences 2, 2, 2 vary by 0; coordinate 1 zig-zags
        // 0, 1, 0, 1, 0: second differences -2, 2, -2 vary by 4 + 4
        double[][] values = {{0, 0}, {1, 1}, {4, 0}, {9, 1}, {16, 0}};

        assertThat(SpiralsMetrics.secondDifferenceVariation(values)).isEqualTo(8);
    }

    @Test
    void scoresAStepAboveACornerAboveASmoothCurve() {
        double[][] step = new double[100][1];
        double[][] corner = new double[100][1];
        double[][] smooth = new double[100][1];
        for (int i = 0; i < 100; i++) {
            double t = i / 99.0;
            step[i][0] = t < 0.5 ? 0 : 0.5;
            corner[i][0] = Math.abs(t - 0.5);
            smooth[i][0] = 0.5 * Math.sin(Math.PI * t);
        }

        assertThat(SpiralsMetrics.secondDifferenceVariation(step))
                .isGreaterThan(SpiralsMetrics.secondDifferenceVariation(corner));
        assertThat(SpiralsMetrics.secondDifferenceVariation(corner))
                .isGreaterThan(SpiralsMetrics.secondDifferenceVariation(smooth));
    }

    @Test
    void givesZeroVariationForAStraightLine() {
        double[][] line = new double[50][];
        for (int i = 0; i < line.length; i++) {
            line[i] = new double[] {0.5 * i, 3 - 0.25 * i};
        }

        assertThat(SpiralsMetrics.secondDifferenceVariation(line)).isCloseTo(0, within(1e-12));
    }

    @Test
    void summarisesWithThePopulationStandardDeviation() {
        double[] values = {2, 4, 4, 4, 5, 5, 7, 9};

        assertThat(SpiralsMetrics.mean(values)).isEqualTo(5);
        assertThat(SpiralsMetrics.standardDeviation(values)).isEqualTo(2);
    }

    @Test
    void spacesTimesEvenlyWithBothEndsIncluded() {
        double[] t = SpiralsMetrics.evenlySpaced(0, 1, 1000);

        assertThat(t).hasSize(1000);
        assertThat(t[0]).isEqualTo(0);
        assertThat(t[999]).isEqualTo(1);
        assertThat(t[333]).isCloseTo(333 / 999.0, within(1e-15));
    }

    @Test
    void rejectsPredictionsWithAnotherNumberOfPoints() {
        assertThatThrownBy(
                        () ->
                                SpiralsMetrics.meanPointError(
                                        new double[][] {{1, 2}}, new double[][] {{1, 2}, {3, 4}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predicted has 1 points and truth 2");
    }
}
