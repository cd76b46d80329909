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
