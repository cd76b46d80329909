package org.cststream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CstBlockTest {

    private static CstConfig small(CstConfig.Attention attention) {
        CstConfig c = new CstConfig();
        c.modelDim = 16;
        c.heads = 2;
        c.layers = 2;
        c.feedForwardDim = 32;
        c.attention = attention;
        c.landmarks = 16;
        return c;
    }

    /** Smooth inputs: a sine along time, tokens sorted by time. */
    private static NDList inputs(NDManager m, int batch, int tokens) {
        NDArray t = m.linspace(0f, 1f, tokens).reshape(1, tokens, 1).repeat(0, batch);
        NDArray v = t.mul(6.28).sin().concat(t.mul(6.28).cos(), -1);
        return new NDList(v, t);
    }

    private static CstBlock initialised(NDManager m, CstConfig c, int tokens) {
        CstBlock b = new CstBlock(c);
        b.initialize(m, DataType.FLOAT32, new Shape(1, tokens, 2), new Shape(1, tokens, 1));
        return b;
    }

    @Test
    void returnsValuesAndEveryLayersAttentionWithTheRightShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            CstBlock b = initialised(m, small(CstConfig.Attention.FULL), 37);

            NDList out =
                    b.forward(
                            new ParameterStore(m, false),
                            inputs(m, 3, 37),
                            false,
                            CstBlock.withAttention());

            assertThat(out).hasSize(3);
            assertThat(out.get(0).getShape()).isEqualTo(new Shape(3, 37, 2));
            assertThat(out.get(1).getShape()).isEqualTo(new Shape(3, 2, 37, 37));
            assertThat(b.forward(new ParameterStore(m, false), inputs(m, 3, 37), false)).hasSize(1);
        }
    }

    @Test
    void softmaxAttentionRowsSumToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            CstBlock b = initialised(m, small(CstConfig.Attention.FULL), 20);

            NDArray w =
                    b.forward(
                                    new ParameterStore(m, false),
                                    inputs(m, 2, 20),
                                    false,
                                    CstBlock.withAttention())
                            .get(1);

            NDArray sums = w.sum(new int[] {-1});
            assertThat(sums.sub(1).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(w.min().getFloat()).isGreaterThanOrEqualTo(0f);
        }
    }

    @Test
    void nystromApproximatesFullAttentionAndReturnsNoPaddedTokens() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            // parameters are drawn from the engine's generator; seed it so the test is repeatable
            ai.djl.engine.Engine.getInstance().setRandomSeed(42);
            int tokens = 70;
            CstBlock full = initialised(m, small(CstConfig.Attention.FULL), tokens);
            CstBlock nystrom = initialised(m, small(CstConfig.Attention.NYSTROM), tokens);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            full.saveParameters(new DataOutputStream(bytes));
            nystrom.loadParameters(
                    m, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            NDList in = inputs(m, 1, tokens);

            NDList a =
                    full.forward(new ParameterStore(m, false), in, false, CstBlock.withAttention());
            NDList b =
                    nystrom.forward(
                            new ParameterStore(m, false), in, false, CstBlock.withAttention());

            assertThat(b.get(1).getShape()).isEqualTo(new Shape(1, 2, tokens, tokens));
            float rowError = b.get(1).sum(new int[] {-1}).sub(1).abs().max().getFloat();
            float weightError = b.get(1).sub(a.get(1)).abs().sum(new int[] {-1}).mean().getFloat();
            float outputError = b.get(0).sub(a.get(0)).abs().mean().getFloat();
            float outputScale = a.get(0).abs().mean().getFloat();
            System.out.printf(
                    "nystrom vs full: row-sum error %.2e, mean L1 row distance %.3f,"
                            + " output error %.3f of %.3f%n",
                    rowError, weightError, outputError, outputScale);
            assertThat(rowError).isLessThan(0.05f);
            assertThat(weightError).isLessThan(0.06f);
            assertThat(outputError).isLessThan(0.05f * outputScale);
        }
    }

    /** A sine along time whose first {@code observed} tokens are flagged as observations. */
    private static NDList withMask(NDManager m, int tokens, int observed) {
        NDList in = inputs(m, 1, tokens);
        float[] mask = new float[tokens];
        java.util.Arrays.fill(mask, 0, observed, 1f);
        in.add(m.create(mask, new Shape(1, tokens)));
        return in;
    }

    private static CstConfig observedKeys(CstConfig.Attention attention) {
        CstConfig c = small(attention);
        c.observedKeysOnly = true;
        return c;
    }

    @ParameterizedTest
    @EnumSource(CstConfig.Attention.class)
    void aQuerysValueDoesNotDependOnTheOtherQueriesAsked(CstConfig.Attention attention) {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(3);
            // 40 observations: more than the 16 landmarks, so Nystrom runs its approximation
            CstBlock b = initialised(m, observedKeys(attention), 40);
            NDList few = withMask(m, 45, 40);
            NDList many = withMask(m, 45, 40);
            // 30 more queries at other times, appended after the first 5
            NDList extra = inputs(m, 1, 30);
            many.set(0, many.get(0).concat(extra.get(0).mul(0.5), 1));
            many.set(1, many.get(1).concat(extra.get(1).mul(0.9), 1));
            many.set(2, many.get(2).concat(m.zeros(new Shape(1, 30)), 1));

            NDArray a = b.forward(new ParameterStore(m, false), few, false).head();
            NDArray c =
                    b.forward(new ParameterStore(m, false), many, false).head().get(":, 0:45, :");

            assertThat(c.sub(a).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @ParameterizedTest
    @EnumSource(CstConfig.Attention.class)
    void observationsAnywhereInTheWindowGiveWhatLeadingObservationsGive(
            CstConfig.Attention attention) {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(4);
            CstBlock b = initialised(m, observedKeys(attention), 50);
            NDList leading = withMask(m, 50, 40);
            // the same tokens with the 10 queries spread among the observations
            int[] order = new int[50];
            for (int i = 0, o = 0, q = 40; i < 50; i++) {
                order[i] = i % 5 == 2 ? q++ : o++;
            }
            NDArray index = m.create(order);
            NDList spread =
                    new NDList(
                            leading.get(0).get(":, {}, :", index),
                            leading.get(1).get(":, {}, :", index),
                            leading.get(2).get(":, {}", index));

            NDList x =
                    b.forward(
                            new ParameterStore(m, false), leading, false, CstBlock.withAttention());
            NDList y =
                    b.forward(
                            new ParameterStore(m, false), spread, false, CstBlock.withAttention());

            NDArray expected = x.head().get(":, {}, :", index);
            assertThat(y.head().sub(expected).abs().max().getFloat()).isLessThan(1e-4f);
            NDArray weights = y.get(1);
            NDArray queryColumns = weights.get(":, :, :, {}", m.create(new int[] {2, 7, 12}));
            assertThat(queryColumns.abs().max().getFloat()).isLessThan(1e-6f);
            assertThat(weights.sum(new int[] {-1}).sub(1).abs().max().getFloat()).isLessThan(0.05f);
        }
    }

    @ParameterizedTest
    @EnumSource(CstConfig.Attention.class)
    void attentionRowsAreThoseRowsOfTheLastLayersWeights(CstConfig.Attention attention) {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(6);
            CstBlock b = initialised(m, observedKeys(attention), 40);
            NDList in = withMask(m, 45, 40);

            NDList all =
                    b.forward(new ParameterStore(m, false), in, false, CstBlock.withAttention());
            NDList rows =
                    b.forward(
                            new ParameterStore(m, false),
                            in,
                            false,
                            CstBlock.withAttentionRows(5, 12));

            assertThat(rows).hasSize(2);
            assertThat(rows.get(1).getShape()).isEqualTo(new Shape(1, 2, 7, 45));
            NDArray expected = all.get(all.size() - 1).get(":, :, 5:12, :");
            assertThat(rows.get(1).sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(rows.head().sub(all.head()).abs().max().getFloat()).isLessThan(1e-6f);
        }
    }

    @Test
    void aModelThatAttendsToObservationsOnlyAsksForTheMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            CstBlock b = initialised(m, observedKeys(CstConfig.Attention.FULL), 10);

            assertThatThrownBy(
                            () -> b.forward(new ParameterStore(m, false), inputs(m, 1, 10), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("observed-token mask");
        }
    }

    @Test
    void pseudoInverseInvertsAWellConditionedMatrix() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray k =
                    m.create(
                            new float[] {0.6f, 0.3f, 0.1f, 0.2f, 0.7f, 0.1f, 0.1f, 0.2f, 0.7f},
                            new Shape(1, 1, 3, 3));

            NDArray z = SelfAttentionBlock.pseudoInverse(k, 6);

            NDArray identity = k.matMul(z).reshape(3, 3);
            assertThat(identity.sub(m.eye(3)).abs().max().getFloat()).isLessThan(1e-3f);
        }
    }
}
