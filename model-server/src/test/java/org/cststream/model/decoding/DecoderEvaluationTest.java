package org.cststream.model.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DecoderEvaluationTest {
    @Test
    void randomSplitsAreTheSameForTheSameSeedAndPartitionTheSamples() {
        List<DecoderEvaluation.Split> a = DecoderEvaluation.randomSplits(50, 0.7, 10, 7);
        List<DecoderEvaluation.Split> b = DecoderEvaluation.randomSplits(50, 0.7, 10, 7);
        List<DecoderEvaluation.Split> other = DecoderEvaluation.randomSplits(50, 0.7, 10, 8);

        assertThat(a).hasSize(10);
        for (int r = 0; r < 10; r++) {
            assertThat(a.get(r).train()).containsExactly(b.get(r).train());
            assertThat(a.get(r).test()).containsExactly(b.get(r).test());
            assertThat(a.get(r).train()).hasSize(35);
            assertThat(a.get(r).test()).hasSize(15);
            int[] all =
                    IntStream.concat(
                                    Arrays.stream(a.get(r).train()), Arrays.stream(a.get(r).test()))
                            .sorted()
                            .toArray();
            assertThat(all).containsExactly(IntStream.range(0, 50).toArray());
        }
        assertThat(a.get(0).test()).isNotEqualTo(a.get(1).test());
        assertThat(a.get(0).test()).isNotEqualTo(other.get(0).test());
    }

    @Test
    void blockSplitsTestOneContiguousBlockAndKeepAGuardAroundIt() {
        List<DecoderEvaluation.Split> s = DecoderEvaluation.blockSplits(100, 0.7, 10, 2);

        assertThat(s.get(0).test()).containsExactly(IntStream.range(0, 30).toArray());
        assertThat(s.get(9).test()).containsExactly(IntStream.range(70, 100).toArray());
        DecoderEvaluation.Split middle = s.get(4);
        int start = middle.test()[0];
        assertThat(middle.test()).containsExactly(IntStream.range(start, start + 30).toArray());
        assertThat(middle.train())
                .doesNotContain(start - 2, start - 1, start + 30, start + 31)
                .contains(start - 3, start + 32)
                .hasSize(100 - 30 - 4);
    }

    @Test
    void refusesSplitsThatLeaveATestOrTrainingSetEmpty() {
        assertThatThrownBy(() -> DecoderEvaluation.randomSplits(2, 0.9, 10, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 samples");
    }

    /** 60 samples of 40 features: a label along one direction plus structured noise. */
    private static float[][] features(double[] label, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[label.length][40];
        for (int i = 0; i < label.length; i++) {
            for (int f = 0; f < 40; f++) {
                x[i][f] = (float) ((f < 10 ? 2 * label[i] : 0) + 0.3 * r.nextGaussian());
            }
        }
        return x;
    }

    @Test
    void decodesALabelTheFeaturesCarryAndNotOneTheyDoNot() {
        Random r = new Random(3);
        double[] carried = new double[60];
        double[] unrelated = new double[60];
        for (int i = 0; i < 60; i++) {
            carried[i] = r.nextDouble();
            unrelated[i] = r.nextDouble();
        }
        DecoderEvaluation ev = DecoderEvaluation.of(features(carried, 4));

        DecoderEvaluation.Outcome o =
                ev.evaluate(
                        new double[][] {carried, unrelated},
                        DecoderEvaluation.randomSplits(60, 0.7, 10, 1),
                        10,
                        3);

        assertThat(o.summaries().get(0).r2Mean()).isGreaterThan(0.8);
        assertThat(o.summaries().get(0).mseMean()).isLessThan(0.02);
        assertThat(o.summaries().get(1).r2Mean()).isLessThan(0.2);
        assertThat(o.summaries().get(0).scores()).hasSize(10);
        assertThat(o.predictions()[0][0]).hasSize(18);
        assertThat(o.components()).containsOnly(10);
    }

    @Test
    void projectsAsAPcaFittedOnTheTrainingSamplesAlone() {
        double[] label = new double[30];
        Arrays.setAll(label, i -> Math.sin(i));
        float[][] x = features(label, 9);
        DecoderEvaluation ev = DecoderEvaluation.of(x);
        int[] train = IntStream.range(0, 30).filter(i -> i % 3 != 0).toArray();

        double[][] viaGram = ev.project(train, 4);
        float[][] trainRows = Arrays.stream(train).mapToObj(i -> x[i]).toArray(float[][]::new);
        Pca explicit = Pca.fit(trainRows, 4);

        for (int i = 0; i < 30; i++) {
            double[] p = explicit.project(x[i]);
            for (int c = 0; c < 4; c++) {
                assertThat(Math.abs(viaGram[i][c]))
                        .as("sample %d component %d", i, c)
                        .isCloseTo(Math.abs(p[c]), within(1e-3));
            }
        }
    }

    @Test
    void scoresMseAndR2AsUsuallyDefined() {
        DecoderEvaluation.Score s =
                DecoderEvaluation.score(new double[] {1, 2, 3}, new double[] {1, 2, 4});

        assertThat(s.mse()).isCloseTo(1 / 3.0, within(1e-12));
        // variance about the mean: 1 + 0 + 1 = 2; residual 1
        assertThat(s.r2()).isCloseTo(0.5, within(1e-12));
        assertThat(DecoderEvaluation.score(new double[] {2, 2}, new double[] {2, 2}).r2())
                .isEqualTo(1);
        assertThat(DecoderEvaluation.score(new double[] {2, 2}, new double[] {1, 2}).r2())
                .isEqualTo(0);
    }
}
