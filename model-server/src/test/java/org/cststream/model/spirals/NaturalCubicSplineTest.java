package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NaturalCubicSplineTest {

    @Test
    void reproducesAStraightLineExactlyOnUnevenKnotsAndBeyondThem() {
        double[] x = {0, 0.3, 1.1, 1.7, 2.0};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 2.5 * x[i] - 1;
        }

        NaturalCubicSpline spline = NaturalCubicSpline.fit(x, y);

        for (double t : new double[] {-0.5, 0, 0.17, 0.5, 1.3, 1.99, 2.5}) {
            assertThat(spline.value(t)).as("t=%s", t).isCloseTo(2.5 * t - 1, within(1e-12));
        }
        for (double m : spline.secondDerivatives()) {
            assertThat(m).isCloseTo(0, within(1e-12));
        }
    }

    @Test
    void matchesTheAnalyticSplineThroughThreePoints() {
        // through (0,0), (1,1), (2,0): M1 = -3, so S(x) = 1.5 x - 0.5 x^3 on [0, 1], mirrored
        NaturalCubicSpline spline =
                NaturalCubicSpline.fit(new double[] {0, 1, 2}, new double[] {0, 1, 0});

        assertThat(spline.secondDerivatives()).containsExactly(0, -3, 0);
        for (double t : new double[] {0.1, 0.25, 0.5, 0.9}) {
            double expected = 1.5 * t - 0.5 * t * t * t;
            assertThat(spline.value(t)).isCloseTo(expected, within(1e-12));
            assertThat(spline.value(2 - t)).isCloseTo(expected, within(1e-12));
        }
    }

    @Test
    void matchesTheTextbookNaturalSplineOfTheExponential() {
        // Burden and Faires, Numerical Analysis, section 3.5: f(x) = e^x at x = 0, 1, 2, 3
        double[] x = {0, 1, 2, 3};
        double[] y = {1, Math.E, Math.exp(2), Math.exp(3)};

        NaturalCubicSpline spline = NaturalCubicSpline.fit(x, y);

        // S0(x) = 1 + 1.46600 x + 0.25228 x^3
        assertThat(spline.value(0.5)).isCloseTo(1 + 1.46600 * 0.5 + 0.25228 * 0.125, within(1e-4));
        // S1(x) = 2.71828 + 2.22285 (x-1) + 0.75685 (x-1)^2 + 1.69107 (x-1)^3
        assertThat(spline.value(1.5))
                .isCloseTo(
                        2.71828 + 2.22285 * 0.5 + 0.75685 * 0.25 + 1.69107 * 0.125, within(1e-4));
        // S2(x) = 7.38906 + 8.80977 (x-2) + 5.83007 (x-2)^2 - 1.94336 (x-2)^3
        assertThat(spline.value(2.5))
                .isCloseTo(
                        7.38906 + 8.80977 * 0.5 + 5.83007 * 0.25 - 1.94336 * 0.125, within(1e-4));
        assertThat(spline.secondDerivatives()[1]).isCloseTo(2 * 0.75685, within(1e-4));
        assertThat(spline.secondDerivatives()[2]).isCloseTo(2 * 5.83007, within(1e-4));
    }

    @Test
    void passesThroughEveryKnot() {
        double[] x = {0, 0.2, 0.5, 0.55, 0.9, 1};
        double[] y = {3, -1, 4, 1, -5, 9};

        NaturalCubicSpline spline = NaturalCubicSpline.fit(x, y);

        for (int i = 0; i < x.length; i++) {
            assertThat(spline.value(x[i])).isCloseTo(y[i], within(1e-12));
        }
    }

    @Test
    void isAConstantForOneKnotAndALineForTwo() {
        NaturalCubicSpline one = NaturalCubicSpline.fit(new double[] {0.5}, new double[] {7});
        NaturalCubicSpline two = NaturalCubicSpline.fit(new double[] {0, 1}, new double[] {1, 3});

        assertThat(one.value(-3)).isEqualTo(7);
        assertThat(one.value(4)).isEqualTo(7);
        assertThat(two.value(0.25)).isCloseTo(1.5, within(1e-15));
        assertThat(two.value(2)).isCloseTo(5, within(1e-15));
    }

    @Test
    void rejectsKnotsThatDoNotIncrease() {
        assertThatThrownBy(() -> NaturalCubicSpline.fit(new double[] {0, 1, 1}, new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly increasing")
                .hasMessageContaining("x[2] = 1.0");
    }
}
