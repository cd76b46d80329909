package org.cststream.job.frames.hemo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PixelQualityTest {
    @Test
    void scoresAPerfectAScaledAndAFlatEstimate() {
        PixelQuality q = new PixelQuality(new boolean[] {true, true, true, false});
        for (int t = 0; t < 100; t++) {
            float truth = (float) Math.sin(t * 0.2);
            q.add(new float[] {truth, 2 * truth, 0f, 5f}, new float[] {truth, truth, truth, truth});
        }

        double[] r = q.correlations();
        double[] e = q.nrmse();

        assertThat(r[0]).isCloseTo(1, within(1e-9));
        assertThat(r[1]).isCloseTo(1, within(1e-9));
        assertThat(r[2]).isNaN();
        assertThat(r[3]).isNaN();
        assertThat(e[0]).isCloseTo(0, within(1e-6));
        assertThat(e[1]).isCloseTo(1, within(0.02));
        assertThat(q.summary().pixels()).isEqualTo(2);
        assertThat(q.summary().frames()).isEqualTo(100);
    }
}
