package org.cststream.model.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PcaTest {
    /** Three orthonormal directions in {@code d} dimensions, each spread over several features. */
    private static double[][] directions(int d) {
        double[][] e = new double[3][d];
        for (int f = 0; f < d; f++) {
            e[0][f] = f % 2 == 0 ? 1 : 0;
            e[1][f] = f % 2 == 1 ? 1 : 0;
            e[2][f] = f % 4 < 2 ? 1 : -1;
        }
        // e0 and e1 are disjoint; e2 has as many +1 as -1 on each of their supports when d % 4 == 0
        for (double[] v : e) {
            double n = 0;
            for (double x : v) {
                n += x * x;
            }
            for (int f = 0; f < d; f++) {
                v[f] /= Math.sqrt(n);
            }
        }
        return e;
    }

    /**
     * Eight samples {@code mean + sum_c coef_c(i) e_c}, with coefficient columns that are zero-mean
     * and orthogonal (Walsh patterns), so the sample covariance's eigenvectors are exactly e0, e1,
     * e2 with variances 25, 4 and 0.25.
     */
    private static float[][] samples(double[][] e, double[] mean) {
        double[][] coef = {
            {5, 5, 5, 5, -5, -5, -5, -5},
            {2, 2, -2, -2, 2, 2, -2, -2},
            {0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5}
        };
        int d = mean.length;
        float[][] x = new float[8][d];
        for (int i = 0; i < 8; i++) {
            for (int f = 0; f < d; f++) {
                double v = mean[f];
                for (int c = 0; c < 3; c++) {
                    v += coef[c][i] * e[c][f];
                }
                x[i][f] = (float) v;
            }
        }
        return x;
    }

    private static void assertRecovers(int d) {
        double[][] e = directions(d);
        double[] mean = new double[d];
        for (int f = 0; f < d; f++) {
            mean[f] = 0.25 * f - 1;
        }
        float[][] x = samples(e, mean);

        Pca pca = Pca.fit(x, 5);

        // only three directions carry variance; the others are left out
        assertThat(pca.components()).isEqualTo(3);
        assertThat(pca.variances()).containsExactly(new double[] {25, 4, 0.25}, within(1e-4));
        assertThat(pca.explained()).isCloseTo(1, within(1e-5));
        for (int f = 0; f < d; f++) {
            assertThat(pca.mean()[f]).isCloseTo((float) mean[f], within(1e-5f));
        }
        for (int c = 0; c < 3; c++) {
            double dot = 0;
            for (int f = 0; f < d; f++) {
                dot += pca.directions()[c][f] * e[c][f];
            }
            assertThat(Math.abs(dot)).as("direction %d", c).isCloseTo(1, within(1e-5));
        }
        // sample 0 has coefficients (5, 2, 0.5): its coordinates, up to each direction's sign
        double[] p = pca.project(x[0]);
        assertThat(Math.abs(p[0])).isCloseTo(5, within(1e-4));
        assertThat(Math.abs(p[1])).isCloseTo(2, within(1e-4));
        assertThat(Math.abs(p[2])).isCloseTo(0.5, within(1e-4));
    }

    @Test
    void recoversAKnownDecompositionFromTheGramMatrixWhenFeaturesOutnumberSamples() {
        assertRecovers(64);
    }

    @Test
    void recoversAKnownDecompositionFromTheCovarianceWhenSamplesOutnumberFeatures() {
        assertRecovers(4);
    }

    @Test
    void bothRoutesProjectAlikeOnRandomData() {
        java.util.Random r = new java.util.Random(5);
        float[][] x = new float[30][20];
        for (float[] row : x) {
            for (int f = 0; f < row.length; f++) {
                row[f] = (float) (r.nextGaussian() * (1 + f));
            }
        }

        Pca covariance = Pca.fit(x, 4);
        Pca gram = Pca.fit(x, CenteredGram.of(x), 4);

        assertThat(gram.variances()).containsExactly(covariance.variances(), within(1e-6));
        for (float[] row : x) {
            double[] a = covariance.project(row);
            double[] b = gram.project(row);
            for (int c = 0; c < 4; c++) {
                assertThat(Math.abs(b[c])).isCloseTo(Math.abs(a[c]), within(1e-3));
            }
        }
    }

    @Test
    void refusesASampleOfAnotherSize() {
        Pca pca = Pca.fit(new float[][] {{1, 2, 3}, {2, 2, 1}, {0, 1, 1}}, 2);

        assertThatThrownBy(() -> pca.project(new float[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 features")
                .hasMessageContaining("fitted to 3");
    }

    @Test
    void refusesNonFiniteFeaturesNamingTheSample() {
        float[][] x = {{1, 2}, {Float.NaN, 1}};

        assertThatThrownBy(() -> Pca.fit(x, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sample 1 feature 0 is NaN");
    }
}
