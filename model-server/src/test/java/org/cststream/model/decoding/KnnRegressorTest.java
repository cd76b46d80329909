package org.cststream.model.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KnnRegressorTest {
    private final double[][] points = {{0, 0}, {1, 0}, {0, 1}, {5, 5}, {6, 5}};
    private final double[] labels = {1, 2, 3, 10, 20};

    @Test
    void predictsTheMeanLabelOfTheThreeNearestPoints() {
        KnnRegressor knn = new KnnRegressor(points, labels, 3);

        // near the origin: points 0, 1, 2
        assertThat(knn.predict(new double[] {0.2, 0.2})).isCloseTo(2, within(1e-12));
        // near (5.6, 5): points 4 and 3, then (1, 0) at 46.16 before (0, 1) at 47.36 (squared)
        assertThat(knn.predict(new double[] {5.6, 5}))
                .isCloseTo((20 + 10 + 2) / 3.0, within(1e-12));
    }

    @Test
    void breaksTiesInTrainingOrder() {
        KnnRegressor knn =
                new KnnRegressor(
                        new double[][] {{1}, {-1}, {1}, {-1}}, new double[] {1, 2, 3, 4}, 2);

        // all four points are at distance 1: the first two win
        assertThat(knn.predict(new double[] {0})).isCloseTo(1.5, within(1e-12));
    }

    @Test
    void usesEveryPointWhenThereAreFewerThanK() {
        KnnRegressor knn = new KnnRegressor(new double[][] {{0}, {4}}, new double[] {2, 6}, 3);

        assertThat(knn.predict(new double[] {100})).isCloseTo(4, within(1e-12));
    }

    @Test
    void refusesAPointOfOtherDimensions() {
        KnnRegressor knn = new KnnRegressor(points, labels, 3);

        assertThatThrownBy(() -> knn.predict(new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 dims")
                .hasMessageContaining("fitted to 2");
    }
}
