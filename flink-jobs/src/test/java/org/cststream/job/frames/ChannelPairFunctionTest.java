package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChannelPairFunctionTest {
    private KeyedOneInputStreamOperatorTestHarness<String, DffFrame, FramePair> harness;

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void open(Set<String> calcium, int maxWait) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new ChannelPairFunction("405nm", calcium, maxWait, Duration.ofSeconds(2)),
                        f -> f.sessionId,
                        Types.STRING);
        harness.open();
    }

    /** A 2x1 dF/F frame of the given channel whose values are (counter, -counter) / 100. */
    private static DffFrame frame(long counter, int nm) {
        DffFrame d = new DffFrame();
        d.sessionId = "s";
        d.frameCounter = counter;
        d.channelNm = nm;
        d.acquisitionNanos = counter * 50_000_000L;
        d.width = 2;
        d.height = 1;
        d.values = new float[] {counter / 100f, -counter / 100f};
        return d;
    }

    private void send(long counter, int nm) throws Exception {
        harness.processElement(new StreamRecord<>(frame(counter, nm), 0L));
    }

    private List<FramePair> pairs() {
        return harness.extractOutputValues();
    }

    @Test
    void interpolatesTheIsosbesticSignalAtTheCalciumFramesTime() throws Exception {
        open(Set.of("470nm"), 4);

        for (long c = 0; c < 6; c++) {
            send(c, c % 2 == 0 ? 405 : 470);
        }

        List<FramePair> p = pairs();
        assertThat(p).extracting(x -> x.calcium.frameCounter).containsExactly(1L, 3L);
        assertThat(p).extracting(x -> x.kind).containsOnly(FramePair.INTERPOLATED);
        // halfway between the isosbestic frames 0 and 2: the value of counter 1
        assertThat(p.get(0).isosbestic[0]).isCloseTo(0.01f, within(1e-7f));
        assertThat(p.get(0).isosbestic[1]).isCloseTo(-0.01f, within(1e-7f));
        assertThat(p.get(1).previousIsosbestic).isEqualTo(2);
        assertThat(p.get(1).nextIsosbestic).isEqualTo(4);
    }

    @Test
    void bridgesASingleDroppedIsosbesticFrame() throws Exception {
        open(Set.of("470nm"), 4);

        // 405 at 1 and 5, the one at 3 dropped
        for (long c : new long[] {0, 1, 2, 4, 5, 6, 7}) {
            send(c, c % 2 == 1 ? 405 : 470);
        }

        List<FramePair> p = pairs();
        assertThat(p).extracting(x -> x.calcium.frameCounter).containsExactly(0L, 2L, 4L, 6L);
        assertThat(p.get(1).kind).isEqualTo(FramePair.INTERPOLATED);
        assertThat(p.get(1).previousIsosbestic).isEqualTo(1);
        assertThat(p.get(1).nextIsosbestic).isEqualTo(5);
        assertThat(p.get(1).isosbestic[0]).isCloseTo(0.02f, within(1e-7f));
        assertThat(p.get(2).isosbestic[0]).isCloseTo(0.04f, within(1e-7f));
        assertThat(p.get(0).kind).isEqualTo(FramePair.HELD);
        assertThat(p.get(0).nextIsosbestic).isEqualTo(1);
    }

    @Test
    void holdsTheNearestIsosbesticFrameAcrossARunOfDrops() throws Exception {
        open(Set.of("470nm"), 4);

        // frames 4..29 dropped
        for (long c : new long[] {0, 1, 2, 3, 30, 31, 32}) {
            send(c, c % 2 == 1 ? 405 : 470);
        }

        List<FramePair> p = pairs();
        assertThat(p).extracting(x -> x.calcium.frameCounter).containsExactly(0L, 2L, 30L);
        FramePair beforeRun = p.get(1);
        assertThat(beforeRun.kind).isEqualTo(FramePair.INTERPOLATED);
        FramePair afterRun = p.get(2);
        assertThat(afterRun.kind).isEqualTo(FramePair.HELD);
        assertThat(afterRun.previousIsosbestic).isEqualTo(-1);
        assertThat(afterRun.nextIsosbestic).isEqualTo(31);
        assertThat(afterRun.isosbestic[0]).isCloseTo(0.31f, within(1e-7f));
    }

    @Test
    void releasesAFrameWhoseNextIsosbesticFrameCannotComeInTime() throws Exception {
        open(Set.of("470nm"), 4);

        // isosbestic 1, then calcium 2, then only calcium frames: 2 waits until 8 shows
        // that no isosbestic frame can come within 4 counters of it
        for (long c : new long[] {0, 1, 2, 4, 6, 8}) {
            send(c, c == 1 ? 405 : 470);
        }

        List<FramePair> p = pairs();
        assertThat(p).extracting(x -> x.calcium.frameCounter).contains(0L, 2L);
        FramePair two = p.stream().filter(x -> x.calcium.frameCounter == 2).findFirst().get();
        assertThat(two.kind).isEqualTo(FramePair.HELD);
        assertThat(two.previousIsosbestic).isEqualTo(1);
    }

    @Test
    void pairsBothCalciumChannelsOfThreeWithTheIsosbesticOne() throws Exception {
        open(Set.of("470nm", "575nm"), 6);
        int[] cycle = {470, 405, 575};

        for (long c = 0; c < 9; c++) {
            send(c, cycle[(int) (c % 3)]);
        }

        List<FramePair> p = pairs();
        assertThat(p).extracting(x -> x.calcium.frameCounter).containsExactly(0L, 2L, 3L, 5L, 6L);
        FramePair red = p.get(1);
        assertThat(red.calcium.channelNm).isEqualTo(575);
        assertThat(red.kind).isEqualTo(FramePair.INTERPOLATED);
        // 575 at 2 lies between 405 at 1 and 405 at 4: one third of the way
        assertThat(red.isosbestic[0]).isCloseTo(0.02f, within(1e-6f));
    }

    @Test
    void pairsTheLastFramesOfASessionWhenItGoesIdle() throws Exception {
        open(Set.of("470nm"), 4);

        for (long c = 0; c < 4; c++) {
            send(c, c % 2 == 0 ? 405 : 470);
        }
        assertThat(pairs()).extracting(x -> x.calcium.frameCounter).containsExactly(1L);
        harness.setProcessingTime(2_001);

        assertThat(pairs()).extracting(x -> x.calcium.frameCounter).containsExactly(1L, 3L);
        assertThat(pairs().get(1).kind).isEqualTo(FramePair.HELD);
        assertThat(pairs().get(1).previousIsosbestic).isEqualTo(2);
    }

    @Test
    void passesFramesOfOtherChannelsOnUnpaired() throws Exception {
        open(Set.of("470nm"), 4);

        send(0, 470);
        send(1, 405);
        send(2, 630);

        assertThat(harness.getSideOutput(ChannelPairFunction.UNPAIRED))
                .extracting(r -> r.getValue().frameCounter)
                .containsExactly(2L);
    }

    @Test
    void pairsWithNoneWhenTheIsosbesticChannelNeverComes() throws Exception {
        open(Set.of("470nm"), 2);

        for (long c = 0; c < 6; c++) {
            send(c, 470);
        }

        assertThat(pairs()).isNotEmpty();
        assertThat(pairs()).extracting(x -> x.kind).containsOnly(FramePair.NONE);
        assertThat(pairs().get(0).hasIsosbestic()).isFalse();
    }
}
