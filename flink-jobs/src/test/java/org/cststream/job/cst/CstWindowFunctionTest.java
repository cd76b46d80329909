package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.frame.PatchTokens;
import org.cststream.job.frames.SessionEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CstWindowFunctionTest {
    private static final long PERIOD = 100_000_000L; // 10 frames/s

    private KeyedTwoInputStreamOperatorTestHarness<String, PatchTokens, SessionEvent, WindowRequest>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        // T = 6 grid times per window, S = 3 emitted, tolerance 0.25, timeout 2 s, max gap 5
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new CstWindowFunction(6, 3, PERIOD, 0.25, 2000, 5),
                        t -> t.sessionId,
                        e -> e.sessionId,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** A 1-patch frame whose value is its counter, at {@code t} periods after the start. */
    private void send(String session, long counter, double t) throws Exception {
        PatchTokens p = new PatchTokens();
        p.sessionId = session;
        p.channelNm = 470;
        p.frameCounter = counter;
        p.acquisitionNanos = 5_000_000_000L + Math.round(t * PERIOD);
        p.hostReceiveNanos = 1;
        p.patchSize = 2;
        p.gridRows = 1;
        p.gridCols = 1;
        p.frameHeight = 2;
        p.frameWidth = 2;
        p.values = new float[] {counter, counter, counter, counter};
        harness.processElement1(new StreamRecord<>(p, 0L));
    }

    private List<WindowRequest> windows() {
        return new ArrayList<>(harness.extractOutputValues());
    }

    private static List<Long> counters(WindowRequest r) {
        return Arrays.stream(r.observedCounters).boxed().collect(Collectors.toList());
    }

    private static List<Long> queries(WindowRequest r) {
        return Arrays.stream(r.querySlots).boxed().collect(Collectors.toList());
    }

    @Test
    void aRegularStreamGivesWindowsOfObservedFramesWithContextAndNothingToFill() throws Exception {
        for (int i = 0; i < 10; i++) {
            send("s", i, i);
        }

        List<WindowRequest> w = windows();

        // grid times 0-2, 3-5 and 6-8 are complete (a frame past them arrived); 9 is still open
        assertThat(w).hasSize(3);
        assertThat(w.get(0).emitFrom).isEqualTo(0);
        assertThat(w.get(0).emitTo).isEqualTo(3);
        assertThat(counters(w.get(0))).containsExactly(0L, 1L, 2L);
        assertThat(w.get(2).firstSlot).isEqualTo(3);
        assertThat(counters(w.get(2))).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(w.get(2).observedSlots).containsExactly(-1, -1, -1, 6, 7, 8);
        assertThat(w).allSatisfy(r -> assertThat(r.querySlots).isEmpty());
    }

    @Test
    void aDroppedFrameIsAGridTimeToFill() throws Exception {
        for (int i : new int[] {0, 1, 2, 3, 5, 6, 7}) {
            send("s", i, i);
        }

        WindowRequest second = windows().get(1);

        assertThat(second.emitFrom).isEqualTo(3);
        assertThat(queries(second)).containsExactly(4L);
        assertThat(counters(second)).containsExactly(0L, 1L, 2L, 3L, 5L);
    }

    @Test
    void aFrameFarOffTheGridIsAnObservationAndItsGridTimeIsFilled() throws Exception {
        send("s", 0, 0);
        send("s", 1, 1.02); // jitter within tolerance: on the grid
        send("s", 2, 2.4); // 0.4 of a period off: observation only
        send("s", 3, 3);

        WindowRequest first = windows().get(0);

        assertThat(first.observedSlots).containsExactly(0, 1, -1);
        assertThat(queries(first)).containsExactly(2L);
        assertThat(first.observedNanos[2] - first.originNanos).isEqualTo(240_000_000L);
    }

    @Test
    void aSilentSessionHasItsOpenGridTimesEmittedAfterTheTimeout() throws Exception {
        for (int i = 0; i < 5; i++) {
            send("s", i, i);
        }
        assertThat(windows()).hasSize(1);

        harness.setProcessingTime(harness.getProcessingTime() + 2500);

        List<WindowRequest> w = windows();
        assertThat(w).hasSize(2);
        assertThat(w.get(1).emitFrom).isEqualTo(3);
        assertThat(w.get(1).emitTo).isEqualTo(5);
    }

    @Test
    void aGapLongerThanTheLimitIsSkippedAndReportedAndTheGridGoesOn() throws Exception {
        for (int i = 0; i < 4; i++) {
            send("s", i, i);
        }
        for (int i = 20; i < 24; i++) {
            send("s", i, i);
        }

        List<WindowRequest> w = windows();
        List<SessionEvent> events =
                harness.getSideOutput(CstWindowFunction.EVENTS).stream()
                        .map(StreamRecord::getValue)
                        .collect(Collectors.toList());

        assertThat(events).hasSize(1);
        assertThat(events.get(0).type).isEqualTo("fill-skipped");
        assertThat(events.get(0).fromCounter).isEqualTo(4);
        assertThat(events.get(0).toCounter).isEqualTo(19);
        // every emitted grid time once, none between 4 and 19
        List<Long> emitted = new ArrayList<>();
        for (WindowRequest r : w) {
            for (long s = r.emitFrom; s < r.emitTo; s++) {
                emitted.add(s);
            }
        }
        assertThat(emitted).containsExactly(0L, 1L, 2L, 3L, 20L, 21L, 22L);
    }

    @Test
    void theSessionsEndClosesItsGridsAfterTheTimeoutAndSaysHowManyGridTimesWentOut()
            throws Exception {
        for (int i : new int[] {0, 1, 2, 3, 5, 6, 7}) {
            send("s", i, i);
        }
        SessionEvent end = new SessionEvent();
        end.type = SessionEvent.SESSION_END;
        end.sessionId = "s";
        harness.processElement2(new StreamRecord<>(end, 0L));
        send("s", 8, 8); // a straggler still on its way through the earlier stages

        harness.setProcessingTime(harness.getProcessingTime() + 2500);
        send("s", 9, 9); // after the close: ignored

        List<Long> emitted = new ArrayList<>();
        for (WindowRequest r : windows()) {
            for (long s = r.emitFrom; s < r.emitTo; s++) {
                emitted.add(s);
            }
        }
        assertThat(emitted).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        List<SessionEvent> events =
                harness.getSideOutput(CstWindowFunction.EVENTS).stream()
                        .map(StreamRecord::getValue)
                        .collect(Collectors.toList());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).type).isEqualTo(CstWindowFunction.FILL_END);
        assertThat(events.get(0).count).isEqualTo(9);
        assertThat(events.get(0).detail).isEqualTo("470nm");
    }

    @Test
    void sessionsAndChannelsHaveTheirOwnGrids() throws Exception {
        for (int i = 0; i < 4; i++) {
            send("a", i, i);
            send("b", 100 + i, i + 0.5);
        }

        List<WindowRequest> w = windows();

        assertThat(w).extracting(r -> r.sessionId).containsExactlyInAnyOrder("a", "b");
        assertThat(w).allSatisfy(r -> assertThat(r.querySlots).isEmpty());
    }

    private List<Long> emitted() {
        List<Long> emitted = new ArrayList<>();
        for (WindowRequest r : windows()) {
            for (long s = r.emitFrom; s < r.emitTo; s++) {
                emitted.add(s);
            }
        }
        return emitted;
    }

    @Test
    void aCameraClockThatJumpsBackRestartsTheGridWithoutRepeatingAGridTime() throws Exception {
        for (int i = 0; i < 10; i++) {
            send("s", i, i);
        }
        // the clock is reset: frame 10 is stamped 100 periods before frame 0
        for (int i = 10; i < 20; i++) {
            send("s", i, i - 110);
        }
        harness.setProcessingTime(harness.getProcessingTime() + 2500);

        assertThat(emitted())
                .containsExactly(
                        0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L,
                        17L, 18L, 19L);
        for (WindowRequest r : windows()) {
            assertThat(r.querySlots).as("nothing to fill in %s", r.describe()).isEmpty();
        }
    }

    @Test
    void framesOfAnotherPatchGridThanTheModelsAreLeftOutNotSentToTheModel() throws Exception {
        harness.close();
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new CstWindowFunction(6, 3, PERIOD, 0.25, 2000, 5, 2, 2, 2),
                        t -> t.sessionId,
                        e -> e.sessionId,
                        Types.STRING);
        harness.open();
        double before =
                org.cststream.metrics.CstMetrics.total(
                        org.cststream.metrics.CstMetrics.registry(),
                        org.cststream.metrics.MetricNames.FILL_IGNORED);

        for (int i = 0; i < 10; i++) {
            send("s", i, i);
        }
        harness.setProcessingTime(harness.getProcessingTime() + 2500);

        assertThat(windows()).isEmpty();
        assertThat(
                        org.cststream.metrics.CstMetrics.total(
                                        org.cststream.metrics.CstMetrics.registry(),
                                        org.cststream.metrics.MetricNames.FILL_IGNORED)
                                - before)
                .isEqualTo(10);
    }

    @Test
    void aSessionEndThatOvertakesAllItsFramesStillLetsThemThrough() throws Exception {
        SessionEvent end = new SessionEvent();
        end.type = SessionEvent.SESSION_END;
        end.sessionId = "s";
        harness.processElement2(new StreamRecord<>(end, 0L));
        for (int i = 0; i < 6; i++) {
            send("s", i, i);
        }

        harness.setProcessingTime(harness.getProcessingTime() + 2500);

        assertThat(emitted()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(harness.getSideOutput(CstWindowFunction.EVENTS))
                .extracting(r -> r.getValue().type)
                .containsExactly(CstWindowFunction.FILL_END);
    }
}
