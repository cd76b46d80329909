package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChannelAssignFunctionTest {
    private KeyedOneInputStreamOperatorTestHarness<String, Frame, Frame> harness;

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void open(List<Integer> order, int isosbestic) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new ChannelAssignFunction(
                                order, isosbestic, true, 3, 2, Duration.ofSeconds(2)),
                        f -> f.sessionId,
                        Types.STRING);
        harness.open();
    }

    /**
     * A 16x16 frame as the given channel looks: 470 nm bright with a left-right gradient, 405 and
     * 395 nm dim with a top-bottom gradient, 575 nm in between with a diagonal one.
     */
    static Frame frame(String session, long counter, int trueNm, boolean tagged) {
        Frame f = TestFrames.uint16(session, counter, 16, 16, 0);
        ByteBuffer b = ByteBuffer.wrap(f.pixels).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                double v;
                if (trueNm == 470) {
                    v = 2000 + 40 * x;
                } else if (trueNm == 575) {
                    v = 1400 + 20 * (x + y);
                } else {
                    v = 900 + 30 * y;
                }
                b.putShort(2 * (y * 16 + x), (short) (v + (counter % 3)));
            }
        }
        f.pixelType = PixelType.UINT16;
        f.channelNm = tagged ? trueNm : 0;
        return f;
    }

    private void send(Frame f) throws Exception {
        harness.processElement(new StreamRecord<>(f, 0L));
    }

    private List<Integer> channels() {
        return harness.extractOutputValues().stream().map(f -> f.channelNm).toList();
    }

    private List<Long> counters() {
        return harness.extractOutputValues().stream().map(f -> f.frameCounter).toList();
    }

    private List<SessionEvent> events(String type) {
        var side = harness.getSideOutput(JobOutputs.EVENTS);
        return side == null
                ? List.of()
                : side.stream()
                        .map(StreamRecord::getValue)
                        .filter(e -> e.type.equals(type))
                        .toList();
    }

    @Test
    void keepsTheChannelsOfTaggedFrames() throws Exception {
        open(List.of(470, 405), 405);

        send(frame("s", 0, 405, true));
        send(frame("s", 1, 470, true));

        assertThat(channels()).containsExactly(405, 470);
        assertThat(events(SessionEvent.CHANNEL_SWAP)).isEmpty();
    }

    @Test
    void saysWhenTagsLookSwappedButKeepsThem() throws Exception {
        open(List.of(470, 405), 405);

        for (int c = 0; c < 8; c++) {
            // tagged 470 on the dim frames and 405 on the bright ones
            Frame f = frame("s-tags", c, c % 2 == 0 ? 405 : 470, false);
            f.channelNm = c % 2 == 0 ? 470 : 405;
            send(f);
        }

        assertThat(channels()).containsExactly(470, 405, 470, 405, 470, 405, 470, 405);
        assertThat(events(SessionEvent.CHANNEL_CHECK)).hasSize(1);
        assertThat(events(SessionEvent.CHANNEL_CHECK).get(0).detail).contains("tags look wrong");
    }

    @Test
    void assignsTheAlternationAfterTheStartCheck() throws Exception {
        open(List.of(470, 405), 405);

        for (int c = 0; c < 8; c++) {
            send(frame("s", c, c % 2 == 0 ? 470 : 405, false));
        }

        assertThat(channels()).containsExactly(470, 405, 470, 405, 470, 405, 470, 405);
        assertThat(events(SessionEvent.CHANNEL_SWAP)).isEmpty();
    }

    @Test
    void correctsAndReportsASwappedOrderAtTheStart() throws Exception {
        open(List.of(470, 405), 405);
        double before = swaps("s-start");

        for (int c = 0; c < 8; c++) {
            send(frame("s-start", c, c % 2 == 0 ? 405 : 470, false));
        }

        assertThat(channels()).containsExactly(405, 470, 405, 470, 405, 470, 405, 470);
        List<SessionEvent> swaps = events(SessionEvent.CHANNEL_SWAP);
        assertThat(swaps).hasSize(1);
        assertThat(swaps.get(0).fromCounter).isZero();
        assertThat(swaps.get(0).detail).contains("started on 405nm, not 470nm");
        assertThat(swaps("s-start") - before).isEqualTo(1.0);
    }

    @Test
    void staysInStepAcrossDroppedFramesByTheCounter() throws Exception {
        open(List.of(470, 405), 405);

        for (long c : new long[] {0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 14, 15, 16}) {
            send(frame("s", c, c % 2 == 0 ? 470 : 405, false));
        }

        assertThat(harness.extractOutputValues())
                .allSatisfy(
                        f ->
                                assertThat(f.channelNm)
                                        .isEqualTo(f.frameCounter % 2 == 0 ? 470 : 405));
        assertThat(events(SessionEvent.CHANNEL_SWAP)).isEmpty();
    }

    @Test
    void correctsAnAlternationThatSlippedWithoutACounterGap() throws Exception {
        open(List.of(470, 405), 405);

        // a frame lost without a counter trace from 12 on: the content is one step behind
        for (int c = 0; c < 24; c++) {
            int trueNm = (c < 12 ? c : c + 1) % 2 == 0 ? 470 : 405;
            send(frame("s-slip", c, trueNm, false));
        }

        List<Frame> out = harness.extractOutputValues();
        assertThat(counters())
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.range(0, 24).boxed().toList());
        for (Frame f : out) {
            long c = f.frameCounter;
            int trueNm = (c < 12 ? c : c + 1) % 2 == 0 ? 470 : 405;
            assertThat(f.channelNm).as("frame %d", c).isEqualTo(trueNm);
        }
        List<SessionEvent> swaps = events(SessionEvent.CHANNEL_SWAP);
        assertThat(swaps).hasSize(1);
        assertThat(swaps.get(0).fromCounter).isEqualTo(12);
        assertThat(swaps.get(0).detail).contains("alternation slipped");
    }

    @Test
    void assignsThreeInterleavedChannelsAndFindsTheirPhase() throws Exception {
        open(List.of(470, 395, 575), 395);
        int[] cycle = {575, 470, 395};

        for (int c = 0; c < 12; c++) {
            send(frame("s3", c, cycle[c % 3], false));
        }

        assertThat(channels())
                .containsExactly(575, 470, 395, 575, 470, 395, 575, 470, 395, 575, 470, 395);
        assertThat(events(SessionEvent.CHANNEL_SWAP)).hasSize(1);
    }

    @Test
    void saysWhenTheStartCheckCannotDecide() throws Exception {
        open(List.of(470, 405), 405);

        for (int c = 0; c < 8; c++) {
            send(frame("s-equal", c, 470, false));
        }

        assertThat(channels()).containsExactly(470, 405, 470, 405, 470, 405, 470, 405);
        assertThat(events(SessionEvent.CHANNEL_CHECK)).hasSize(1);
        assertThat(events(SessionEvent.CHANNEL_CHECK).get(0).detail).contains("inconclusive");
    }

    @Test
    void releasesHeldFramesWhenTheSessionGoesIdle() throws Exception {
        open(List.of(470, 405), 405);

        send(frame("s", 0, 470, false));
        send(frame("s", 1, 405, false));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(2_001);

        assertThat(channels()).containsExactly(470, 405);
    }

    private static double swaps(String session) {
        return CstMetrics.registry()
                .find(MetricNames.CHANNEL_SWAPS)
                .tag("session", session)
                .counters()
                .stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
