package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.frame.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FrameOrderFunctionTest {
    private KeyedOneInputStreamOperatorTestHarness<String, SourcedFrame, Frame> harness;
    private long offset;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new FrameOrderFunction(3, Duration.ofSeconds(2), 1.8),
                        f -> f.frame.sessionId,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void send(String session, long counter) throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        TestFrames.sourced(
                                TestFrames.uint16(session, counter, 2, 2, 100), offset++),
                        0L));
    }

    private void endSession(String session, long last) throws Exception {
        harness.processElement(
                new StreamRecord<>(
                        TestFrames.sourced(Frame.endOfSession(session, "cam", last, 0), offset++),
                        0L));
    }

    private List<Long> out() {
        return harness.extractOutputValues().stream()
                .map(f -> f.frameCounter)
                .collect(Collectors.toList());
    }

    private List<SessionEvent> events(String type) {
        return harness.getSideOutput(JobOutputs.EVENTS) == null
                ? List.of()
                : harness.getSideOutput(JobOutputs.EVENTS).stream()
                        .map(StreamRecord::getValue)
                        .filter(e -> e.type.equals(type))
                        .collect(Collectors.toList());
    }

    private List<DeadLetter> deadLetters() {
        return harness.getSideOutput(JobOutputs.DEAD_LETTERS) == null
                ? List.of()
                : harness.getSideOutput(JobOutputs.DEAD_LETTERS).stream()
                        .map(StreamRecord::getValue)
                        .collect(Collectors.toList());
    }

    @Test
    void putsReorderedFramesBackInCounterOrder() throws Exception {
        for (long c : new long[] {1, 0, 2, 4, 3, 5, 7, 6, 8, 9}) {
            send("s", c);
        }
        endSession("s", 9);

        assertThat(out()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(events(SessionEvent.GAP)).isEmpty();
        assertThat(events(SessionEvent.SESSION_END))
                .singleElement()
                .satisfies(e -> assertThat(e.framesOrdered).isEqualTo(10));
    }

    @Test
    void declaresAGapOnceMoreFramesWaitThanTheBound() throws Exception {
        for (long c : new long[] {0, 1, 2, 5, 6, 7}) {
            send("s", c);
        }
        assertThat(out()).containsExactly(0L, 1L, 2L);

        send("s", 8);

        assertThat(out()).containsExactly(0L, 1L, 2L, 5L, 6L, 7L, 8L);
        assertThat(events(SessionEvent.GAP))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.fromCounter).isEqualTo(3);
                            assertThat(e.toCounter).isEqualTo(4);
                            assertThat(e.count).isEqualTo(2);
                        });
    }

    @Test
    void setsDuplicatesAndLateFramesAsideSoNothingComesOutTwice() throws Exception {
        for (long c = 0; c < 6; c++) {
            send("s", c);
        }
        send("s", 2);
        send("s", 7);
        send("s", 7);

        assertThat(out()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(deadLetters())
                .extracting(d -> d.reason)
                .containsExactly("late-or-duplicate", "duplicate");
        assertThat(deadLetters().get(0).message)
                .contains("counter 2 was already passed")
                .contains("offset=6");
    }

    @Test
    void releasesASilentSessionAfterTheIdleTimeout() throws Exception {
        for (long c : new long[] {0, 1, 2, 3, 5}) {
            send("s", c);
        }
        assertThat(out()).containsExactly(0L, 1L, 2L, 3L);

        harness.setProcessingTime(harness.getProcessingTime() + 2_001);

        assertThat(out()).containsExactly(0L, 1L, 2L, 3L, 5L);
        assertThat(events(SessionEvent.GAP)).extracting(e -> e.fromCounter).containsExactly(4L);
    }

    @Test
    void keepsSessionsIndependentWhenOneGoesSilent() throws Exception {
        send("quiet", 0);
        send("quiet", 2);
        for (long c = 0; c < 5; c++) {
            send("busy", c);
        }

        assertThat(harness.extractOutputValues())
                .filteredOn(f -> f.sessionId.equals("busy"))
                .extracting(f -> f.frameCounter)
                .containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void reportsFramesLostAtTheEndFromTheEndOfSessionMarker() throws Exception {
        for (long c = 0; c < 5; c++) {
            send("s", c);
        }
        endSession("s", 7);

        assertThat(events(SessionEvent.GAP))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.fromCounter).isEqualTo(5);
                            assertThat(e.toCounter).isEqualTo(7);
                        });
        assertThat(events(SessionEvent.SESSION_END))
                .singleElement()
                .satisfies(e -> assertThat(e.framesMissing).isEqualTo(3));
    }

    @Test
    void reportsATimeGapWhenTheCameraSkipsExposures() throws Exception {
        for (long c = 0; c < 6; c++) {
            Frame f = TestFrames.uint16("s", c, 2, 2, 100);
            if (c == 5) {
                f.acquisitionNanos += 100_000_000L;
            }
            harness.processElement(new StreamRecord<>(TestFrames.sourced(f, offset++), 0L));
        }
        endSession("s", 5);

        assertThat(events(SessionEvent.TIME_GAP))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.fromCounter).isEqualTo(5);
                            assertThat(e.count).isEqualTo(3);
                        });
    }

    @Test
    void aFrameStampedBeforeItsPredecessorIsKeptInCounterOrderAndReported() throws Exception {
        for (long c = 0; c < 4; c++) {
            Frame f = TestFrames.uint16("clock", c, 2, 2, 100);
            // frame 3's clock reads 1 s before frame 0's
            f.acquisitionNanos = c < 3 ? c * 33_333_333L : -1_000_000_000L;
            harness.processElement(new StreamRecord<>(TestFrames.sourced(f, offset++), 0L));
        }
        endSession("clock", 3);

        assertThat(out()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(events(SessionEvent.TIME_BACKWARDS))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.fromCounter).isEqualTo(3);
                            assertThat(e.afterNanos).isEqualTo(-1_000_000_000L);
                            assertThat(e.detail).contains("before the frame ordered before it");
                        });
        assertThat(deadLetters()).isEmpty();
    }
}
