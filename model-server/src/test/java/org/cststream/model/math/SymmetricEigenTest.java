package org.cststream.model.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
    @Test
    void findsTheEigenvaluesOfAKnownMatrix() {
        double[][] a = {{2, 1, 0}, {1, 2, 0}, {0, 0, 5}};

        double[] values = SymmetricEigen.of(a).values.clone();
        Arrays.sort(values);

        assertThat(values[0]).isCloseTo(1, within(1e-12));
        assertThat(values[1]).isCloseTo(3, within(1e-12));
        assertThat(values[2]).isCloseTo(5, within(1e-12));
    }

    @Test
    void reconstructsARandomCovarianceFromItsEigenvectors() {
        int n = 24;
        Random r = new Random(3);
        double[][] x = new double[60][n];
        for (double[] row : x) {
            for (int i = 0; i < n; i++) {
                row[i] = r.nextGaussian();
            }
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (double[] row : x) {
                    a[i][j] += row[i] * row[j] / x.length;
                }
            }
        }

        SymmetricEigen e = SymmetricEigen.of(a);

        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = 0;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    v += e.vectors[i][k] * e.values[k] * e.vectors[j][k];
                    dot += e.vectors[k][i] * e.vectors[k][j];
                }
                assertThat(v).isCloseTo(a[i][j], within(1e-10));
                assertThat(dot).isCloseTo(i == j ? 1 : 0, within(1e-10));
            }
        }
        double[] valuesOnly = SymmetricEigen.of(a, false).values.clone();
        double[] withVectors = e.values.clone();
        Arrays.sort(valuesOnly);
        Arrays.sort(withVectors);
        assertThat(valuesOnly).containsExactly(withVectors, within(1e-10));
    }

    @Test
    void ordersEigenvaluesFromTheLargest() {
        double[][] a = {{1, 0, 0}, {0, 7, 0}, {0, 0, 3}};

        int[] order = SymmetricEigen.of(a).descending();

        assertThat(order).containsExactly(1, 2, 0);
    }

    @Test
    void handlesAZeroMatrix() {
        SymmetricEigen e = SymmetricEigen.of(new double[4][4]);

        assertThat(e.values).containsOnly(0.0);
        assertThat(e.vectors[2][2]).isEqualTo(1.0);
    }
}
