package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterpolatorsTest {
    private static final double[] TIMES = {0, 0.5, 1};
    private static final double[][] VALUES = {{0, 10}, {1, 20}, {4, 0}};

    @Test
    void linearInterpolatesEachCoordinateBetweenNeighbours() {
        double[][] out =
                new LinearInterpolator().predict(TIMES, VALUES, new double[] {0.25, 0.5, 0.9});

        assertThat(out[0]).containsExactly(0.5, 15);
        assertThat(out[1]).containsExactly(1, 20);
        assertThat(out[2][0]).isCloseTo(3.4, within(1e-12));
        assertThat(out[2][1]).isCloseTo(4, within(1e-12));
    }

    @Test
    void linearHoldsTheEndValuesOutsideTheObservedTimes() {
        double[][] out = new LinearInterpolator().predict(TIMES, VALUES, new double[] {-1, 2});

        assertThat(out[0]).containsExactly(0, 10);
        assertThat(out[1]).containsExactly(4, 0);
    }

    @Test
    void splineGoesThroughTheObservationsInEveryCoordinate() {
        double[][] out = new CubicSplineInterpolator().predict(TIMES, VALUES, TIMES);

        for (int i = 0; i < TIMES.length; i++) {
            assertThat(out[i][0]).isCloseTo(VALUES[i][0], within(1e-12));
            assertThat(out[i][1]).isCloseTo(VALUES[i][1], within(1e-12));
        }
    }

    @Test
    void predictAllAnswersEachQueryAsPredictDoes() {
        Interpolator spline = new CubicSplineInterpolator();
        List<Interpolator.Query> queries = new ArrayList<>();
        queries.add(new Interpolator.Query(TIMES, VALUES, new double[] {0.1, 0.7}));
        queries.add(
                new Interpolator.Query(
                        new double[] {0, 1}, new double[][] {{1}, {3}}, new double[] {0.5}));

        List<double[][]> all = spline.predictAll(queries);

        assertThat(all).hasSize(2);
        assertThat(all.get(0))
                .isDeepEqualTo(spline.predict(TIMES, VALUES, new double[] {0.1, 0.7}));
        assertThat(all.get(1)[0][0]).isCloseTo(2, within(1e-12));
    }

    @Test
    void rejectsObservedTimesThatDoNotIncreaseNamingTheIndex() {
        double[] times = {0, 0.5, 0.5};

        assertThatThrownBy(() -> new LinearInterpolator().predict(times, VALUES, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("observedTimes[2] = 0.5");
    }

    @Test
    void rejectsRowsOfDifferentLengths() {
        double[][] ragged = {{0, 1}, {1}, {2, 3}};

        assertThatThrownBy(() -> new Interpolator.Query(TIMES, ragged, new double[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("observedValues[1] has 1 coordinates");
    }

    @Test
    void linearMissesTheRealSpiralsBySmallErrorsWithoutNoise() throws IOException {
        SpiralSplit split = SpiralsTestData.shared().split(42);
        double[] errors = heldOutErrors(new LinearInterpolator(), split);
        double[] splineErrors = heldOutErrors(new CubicSplineInterpolator(), split);

        double mean = SpiralsMetrics.mean(errors);
        double splineMean = SpiralsMetrics.mean(splineErrors);

        System.out.printf(
                "spirals, no noise, 150 held-out curves: linear %.4f +/- %.4f, cubic spline"
                        + " %.4f +/- %.4f%n",
                mean,
                SpiralsMetrics.standardDeviation(errors),
                splineMean,
                SpiralsMetrics.standardDeviation(splineErrors));
        // the curves span about 4 units; the paper's models miss by about 0.04
        assertThat(mean).isBetween(0.02, 0.08);
        assertThat(splineMean).isBetween(0.01, mean);
    }

    private static double[] heldOutErrors(Interpolator method, SpiralSplit split) {
        double[] errors = new double[split.test().size()];
        for (int c = 0; c < errors.length; c++) {
            SpiralSplit.Curve curve = split.test().get(c);
            double[][] predicted =
                    method.predict(split.observedTimes(), curve.observed(), split.targetTimes());
            errors[c] =
                    SpiralsMetrics.meanPointError(predicted, curve.valuesAt(split.targetIndices()));
        }
        return errors;
    }
}
