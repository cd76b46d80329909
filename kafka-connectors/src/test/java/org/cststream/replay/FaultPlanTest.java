package org.cststream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

    private static ReplayOptions.Builder options() {
        return ReplayOptions.builder().seed(7).showProgress(false);
    }

    @Test
    void dropsExactlyTheRequestedFractionButNeverTheFirstFrame() {
        FaultPlan plan = FaultPlan.plan(300, options().dropFraction(0.05).build());

        assertThat(plan.dropped()).hasSize(15).doesNotContain(0);
        assertThat(plan.sendOrder()).hasSize(285).doesNotContainAnyElementsOf(plan.dropped());
    }

    @Test
    void reordersWithinTheGivenDistanceAndSendsEveryFrameOnce() {
        FaultPlan plan =
                FaultPlan.plan(1000, options().reorderFraction(0.2).reorderDistance(3).build());

        List<Integer> order = plan.sendOrder();
        assertThat(order).doesNotHaveDuplicates().hasSize(1000);
        assertThat(plan.reorderedPairs()).isGreaterThan(50);
        for (int pos = 0; pos < order.size(); pos++) {
            assertThat(Math.abs(order.get(pos) - pos)).isLessThanOrEqualTo(3);
        }
        assertThat(order).isNotEqualTo(new ArrayList<>(new java.util.TreeSet<>(order)));
    }

    @Test
    void neverMovesTheFirstFrame() {
        for (long seed = 0; seed < 50; seed++) {
            FaultPlan plan =
                    FaultPlan.plan(
                            40,
                            ReplayOptions.builder()
                                    .seed(seed)
                                    .reorderFraction(0.5)
                                    .reorderDistance(20)
                                    .showProgress(false)
                                    .build());

            assertThat(plan.sendOrder().get(0)).isZero();
        }
    }

    @Test
    void refusesFewerWavelengthsThanTheRecordingHasChannels(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path dat = dir.resolve("rig_2_4_4_uint16.dat");
        java.nio.file.Files.write(dat, new byte[3 * 2 * 4 * 4 * 2]);

        try (org.cststream.recording.RecordingReader r =
                org.cststream.recording.Recordings.open(dat)) {
            assertThatThrownBy(() -> ReplaySource.check(r, options().build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("interleaves 2 channels")
                    .hasMessageContaining("--channels 470,405");
            ReplaySource.check(r, options().channelsNm(java.util.List.of(470, 405)).build());
        }
    }

    @Test
    void isTheSameForTheSameSeed() {
        ReplayOptions o =
                options().dropFraction(0.1).reorderFraction(0.1).jitterNanos(1000).build();

        FaultPlan a = FaultPlan.plan(500, o);
        FaultPlan b = FaultPlan.plan(500, o);

        assertThat(a.sendOrder()).isEqualTo(b.sendOrder());
        assertThat(a.jitterNanos(17)).isEqualTo(b.jitterNanos(17)).isNotZero();
    }

    @Test
    void rejectsAnOutOfRangeDropFractionNamingTheBound() {
        assertThatThrownBy(() -> options().dropFraction(0.7).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("drop fraction must be in [0, 0.5]");
    }
}
