package org.cststream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CstTrainerTest {

    private static CstTrainer trainer(int epochs, int warmup, boolean cosine) {
        return new CstTrainer(
                new CstTrainer.Settings(
                        epochs, epochs, 10, 1e-3f, 0f, 1, false, warmup, cosine, 0f));
    }

    @Test
    void learningRateRisesOverTheWarmUpThenFallsAlongAHalfCosine() {
        CstTrainer t = trainer(103, 3, true);

        assertThat(t.learningRate(0, 0)).isLessThan(1e-5f);
        assertThat(t.learningRate(1, 0.5)).isCloseTo(0.5e-3f, within(1e-6f));
        assertThat(t.learningRate(3, 0)).isCloseTo(1e-3f, within(1e-7f));
        // half-way through the decay: the mean of the peak and the 1% floor
        assertThat(t.learningRate(53, 0)).isCloseTo(0.505e-3f, within(1e-6f));
        assertThat(t.learningRate(102, 0.999)).isCloseTo(1e-5f, within(1e-6f));
    }

    @Test
    void learningRateStaysAtThePeakWithoutDecay() {
        CstTrainer t = trainer(50, 0, false);

        assertThat(t.learningRate(0, 0)).isEqualTo(1e-3f);
        assertThat(t.learningRate(49, 0.9)).isEqualTo(1e-3f);
    }

    @Test
    void settingsNameTheBadValue() {
        assertThatThrownBy(
                        () -> new CstTrainer.Settings(10, 5, 10, 1e-3f, 0f, 1, false, -1, true, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warm-up -1 epochs (need 0 or more)");
        // with no epochs, only the epochs are named (the warm-up derived from them is not)
        assertThatThrownBy(
                        () -> new CstTrainer.Settings(0, 5, 10, 1e-3f, 0f, 1, false, -1, true, 0f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid training settings: epochs 0 (need 1 or more)");
    }
}
