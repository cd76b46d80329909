package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.cststream.frame.PixelType;
import org.cststream.recording.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpiralsDatasetTest {
    @TempDir Path dir;

    @Test
    void loadsTheSharedSpiralsAsFiveHundredCurvesOfOneHundredPointsInTwoDimensions()
            throws IOException {
        SpiralsDataset data = SpiralsTestData.shared();

        assertThat(data.curveCount()).isEqualTo(500);
        assertThat(data.pointCount()).isEqualTo(100);
        assertThat(data.dimensions()).isEqualTo(2);
        // the standard deviation of all values, as numpy's a.std() gives it
        assertThat(data.dataScale()).isCloseTo(1.04411, within(1e-4));
    }

    @Test
    void placesTheHundredPointsEvenlyOnTheUnitInterval() {
        double[] times = SpiralsTestData.synthetic(3).times();

        assertThat(times).hasSize(100);
        assertThat(times[0]).isEqualTo(0.0);
        assertThat(times[99]).isEqualTo(1.0);
        assertThat(times[11]).isCloseTo(1.0 / 9, within(1e-15));
        for (int j = 1; j < 100; j++) {
            assertThat(times[j] - times[j - 1]).isCloseTo(1.0 / 99, within(1e-12));
        }
    }

    @Test
    void observesEveryEleventhPointAndTargetsTheOtherNinety() {
        SpiralsDataset data = SpiralsTestData.synthetic(3);

        int[] observed = data.observedIndices();
        int[] targets = data.targetIndices();

        assertThat(observed).containsExactly(0, 11, 22, 33, 44, 55, 66, 77, 88, 99);
        assertThat(targets).hasSize(90).doesNotContain(observed);
        assertThat(IntStream.concat(IntStream.of(observed), IntStream.of(targets)).sorted())
                .containsExactly(IntStream.range(0, 100).boxed().toArray(Integer[]::new));
    }

    @Test
    void splitsFiveHundredCurvesIntoThreeHundredFiftyAndOneHundredFiftyDisjointCurves()
            throws IOException {
        SpiralsDataset data = SpiralsTestData.shared();

        SpiralSplit split = data.split(42);

        assertThat(split.train()).hasSize(350);
        assertThat(split.test()).hasSize(150);
        Set<Integer> seen = new HashSet<>();
        split.train().forEach(c -> seen.add(c.index()));
        split.test().forEach(c -> seen.add(c.index()));
        assertThat(seen).hasSize(500);
    }

    @Test
    void givesTheSameSplitForTheSameSeedAndAnotherForAnotherSeed() {
        SpiralsDataset data = SpiralsTestData.synthetic(40);

        List<Integer> first = indices(data.split(7).test());
        List<Integer> again = indices(data.split(7).test());
        List<Integer> other = indices(data.split(8).test());

        assertThat(first).hasSize(12).isEqualTo(again);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void observesTheTrueValuesWhenThereIsNoNoise() {
        SpiralsDataset data = SpiralsTestData.synthetic(10);

        SpiralSplit split = data.split(1);

        SpiralSplit.Curve curve = split.test().get(0);
        assertThat(curve.observed()).isDeepEqualTo(curve.valuesAt(split.observedIndices()));
        assertThat(curve.values()).isDeepEqualTo(data.curve(curve.index()));
        assertThat(split.observedTimes())
                .containsExactly(
                        0, 11 / 99.0, 22 / 99.0, 33 / 99.0, 44 / 99.0, 55 / 99.0, 66 / 99.0,
                        77 / 99.0, 88 / 99.0, 1.0);
    }

    @Test
    void addsSeededNoiseWithTheStandardDeviationOfTheFractionTimesTheDataScale() {
        SpiralsDataset data = SpiralsTestData.synthetic(200);

        SpiralSplit noisy = data.split(1, 0.1, 5);
        SpiralSplit same = data.split(1, 0.1, 5);
        SpiralSplit half = data.split(1, 0.05, 5);

        double[] residuals = residuals(noisy);
        assertThat(noisy.noiseStd()).isEqualTo(0.1 * data.dataScale());
        assertThat(SpiralsMetrics.mean(residuals)).isCloseTo(0, within(0.01));
        assertThat(SpiralsMetrics.standardDeviation(residuals))
                .isCloseTo(noisy.noiseStd(), within(0.05 * noisy.noiseStd()));
        assertThat(residuals(same)).containsExactly(residuals);
        // one noise pattern, scaled by the level
        double[] halfResiduals = residuals(half);
        for (int i = 0; i < residuals.length; i++) {
            assertThat(halfResiduals[i]).isCloseTo(residuals[i] / 2, within(1e-12));
        }
    }

    @Test
    void readsSpiralsWrittenAsAnNpyStackValueForValue() throws IOException {
        Path file = dir.resolve("tiny.npy");
        float[] first = new float[20];
        float[] second = new float[20];
        for (int i = 0; i < 20; i++) {
            first[i] = i;
            second[i] = -i / 4f;
        }
        ByteBuffer bytes = ByteBuffer.allocate(160).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(first).put(second);
        NpyWriter.write(
                file,
                PixelType.FLOAT32,
                ByteOrder.LITTLE_ENDIAN,
                new long[] {2, 10, 2},
                List.of(bytes));

        SpiralsDataset data = SpiralsDataset.load(file);

        assertThat(data.curveCount()).isEqualTo(2);
        assertThat(data.pointCount()).isEqualTo(10);
        assertThat(data.curve(0)[3]).containsExactly(6, 7);
        assertThat(data.curve(1)[9]).containsExactly(-4.5, -4.75);
    }

    @Test
    void rejectsAMissingFileNamingTheSharedDirectoryProperty() {
        Path missing = dir.resolve("none.npy");

        assertThatThrownBy(() -> SpiralsDataset.load(missing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("none.npy")
                .hasMessageContaining("cst.shared.dir");
    }

    @Test
    void rejectsANegativeNoiseFraction() {
        SpiralsDataset data = SpiralsTestData.synthetic(3);

        assertThatThrownBy(() -> data.split(1, -0.1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noiseFraction = -0.1");
    }

    private static List<Integer> indices(List<SpiralSplit.Curve> curves) {
        return curves.stream().map(SpiralSplit.Curve::index).toList();
    }

    private static double[] residuals(SpiralSplit split) {
        return split.test().stream()
                .flatMap(
                        c -> {
                            double[][] truth = c.valuesAt(split.observedIndices());
                            return IntStream.range(0, truth.length)
                                    .boxed()
                                    .flatMap(
                                            k ->
                                                    IntStream.range(0, truth[k].length)
                                                            .mapToObj(
                                                                    d ->
                                                                            c.observed()[k][d]
                                                                                    - truth[k][d]));
                        })
                .mapToDouble(Double::doubleValue)
                .toArray();
    }
}
