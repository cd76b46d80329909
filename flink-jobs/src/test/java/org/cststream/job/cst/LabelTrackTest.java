package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.cststream.model.decoding.Decoder;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.StimulusEvent;
import org.junit.jupiter.api.Test;

class LabelTrackTest {
    private static final long S = 1_000_000_000L;

    private static BehaviourSample sample(int i, double seconds, double pupil) {
        return new BehaviourSample("s", i, Math.round(seconds * S), Map.of("pupil", pupil));
    }

    private static StimulusEvent stimulus(int i, double onset, double duration, double contrast) {
        return new StimulusEvent(
                "s",
                "stimulus",
                i,
                Math.round(onset * S),
                Math.round(duration * S),
                Map.of("contrast", contrast));
    }

    @Test
    void interpolatesABehaviourTraceAndSaysNothingOutsideIt() {
        LabelTrack t =
                LabelTrack.behaviour(
                        List.of(sample(0, 1.0, 2), sample(1, 1.1, 4), sample(2, 1.2, 0)), "pupil");

        assertThat(t.valueAt(Math.round(1.05 * S)).getAsDouble()).isCloseTo(3, within(1e-9));
        assertThat(t.valueAt(Math.round(1.1 * S)).getAsDouble()).isEqualTo(4);
        assertThat(t.valueAt(Math.round(1.175 * S)).getAsDouble()).isCloseTo(1, within(1e-9));
        assertThat(t.valueAt(Math.round(0.9 * S))).isEmpty();
        assertThat(t.valueAt(Math.round(1.3 * S))).isEmpty();
    }

    @Test
    void givesTheShowingStimulusFieldAndZeroBetweenStimuli() {
        LabelTrack t =
                LabelTrack.stimulus(
                        List.of(stimulus(0, 3, 2, 0.5), stimulus(1, 10, 2, 1.0)), "contrast");

        assertThat(t.valueAt(1 * S).getAsDouble()).isZero();
        assertThat(t.valueAt(3 * S).getAsDouble()).isEqualTo(0.5);
        assertThat(t.valueAt(Math.round(4.9 * S)).getAsDouble()).isEqualTo(0.5);
        assertThat(t.valueAt(5 * S).getAsDouble()).isZero();
        assertThat(t.valueAt(11 * S).getAsDouble()).isEqualTo(1.0);
        assertThat(t.valueAt(20 * S).getAsDouble()).isZero();
    }

    @Test
    void inTheStreamATimeIsKnownOnlyOnceTheTrackCoversIt() {
        LabelTrack b = LabelTrack.streaming(Decoder.LabelSource.BEHAVIOUR, 100);
        b.add(1 * S, 0, 1);

        assertThat(b.valueAt(Math.round(1.5 * S))).isEmpty();
        b.add(2 * S, 0, 3);
        assertThat(b.valueAt(Math.round(1.5 * S)).getAsDouble()).isCloseTo(2, within(1e-9));

        LabelTrack s = LabelTrack.streaming(Decoder.LabelSource.STIMULUS, 100);
        s.add(3 * S, 2 * S, 0.5);
        assertThat(s.valueAt(4 * S).getAsDouble()).isEqualTo(0.5);
        // after the stimulus ended: 0 only once a later onset shows nothing else came between
        assertThat(s.valueAt(6 * S)).isEmpty();
        s.add(10 * S, 2 * S, 1.0);
        assertThat(s.valueAt(6 * S).getAsDouble()).isZero();
        // before the first stimulus seen, the stream cannot know what came earlier
        assertThat(s.valueAt(1 * S)).isEmpty();
        assertThat(s.isTooOld(1 * S)).isTrue();
    }

    @Test
    void staysWithinItsCapacityAndDropsOutOfOrderPoints() {
        LabelTrack t = LabelTrack.streaming(Decoder.LabelSource.BEHAVIOUR, 4);
        for (int i = 0; i < 10; i++) {
            t.add(i * S, 0, i);
        }

        boolean accepted = t.add(5 * S, 0, 99);

        assertThat(t.size).isEqualTo(4);
        assertThat(t.oldestNanos()).isEqualTo(6 * S);
        assertThat(accepted).isFalse();
        assertThat(t.outOfOrder).isEqualTo(1);
        t.dropBefore(Math.round(8.5 * S));
        assertThat(t.oldestNanos()).isEqualTo(8 * S);
        assertThat(t.valueAt(Math.round(8.5 * S)).getAsDouble()).isCloseTo(8.5, within(1e-9));
    }

    @Test
    void refusesAStimulusWithoutTheFieldNamingWhatItHas() {
        assertThatThrownBy(
                        () -> LabelTrack.stimulus(List.of(stimulus(4, 1, 1, 0.2)), "orientation"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stimulus 4")
                .hasMessageContaining("no field 'orientation'")
                .hasMessageContaining("contrast");
    }
}
