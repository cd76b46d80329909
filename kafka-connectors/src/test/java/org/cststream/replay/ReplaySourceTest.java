package org.cststream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.recording.SyntheticRecording;
import org.cststream.recording.phantom.PhantomRecording;
import org.junit.jupiter.api.Test;

class ReplaySourceTest {
    private static List<Frame> replay(
            org.cststream.recording.RecordingReader reader, ReplayOptions options)
            throws Exception {
        MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        new ReplaySource(reader, producer, "frames", options, new SimpleMeterRegistry()).run();
        List<Frame> frames = new java.util.ArrayList<>();
        for (var r : producer.history()) {
            Frame f = FrameCodec.decode(r.value());
            if (!f.isEndOfSession()) {
                frames.add(f);
            }
        }
        return frames;
    }

    private static ReplayOptions.Builder options() {
        return ReplayOptions.builder().asFastAsPossible(true).showProgress(false);
    }

    @Test
    void cyclesTheGivenWavelengthsOverARecordingWithoutTags() throws Exception {
        List<Frame> frames =
                replay(
                        new SyntheticRecording(1, 4, 8, 8, 30),
                        options().channelsNm(List.of(470, 405)).build());

        assertThat(frames).extracting(f -> f.channelNm).containsExactly(470, 405, 470, 405);
    }

    @Test
    void keepsTheChannelsARecordingTagsItself() throws Exception {
        PhantomRecording p =
                PhantomRecording.open("phantom:neural=synthetic,size=16,frames=4,start=1");

        List<Frame> frames = replay(p, options().build());

        assertThat(frames).extracting(f -> f.channelNm).containsExactly(405, 470, 405, 470);
    }

    @Test
    void sendsFramesWithoutAChannelWhenAskedTo() throws Exception {
        PhantomRecording p = PhantomRecording.open("phantom:neural=synthetic,size=16,frames=4");

        List<Frame> frames = replay(p, options().untagged(true).build());

        assertThat(frames).extracting(Frame::channelLabel).containsOnly("unknown");
        assertThat(frames)
                .extracting(f -> f.acquisitionNanos)
                .containsExactly(0L, 50_000_000L, 100_000_000L, 150_000_000L);
    }
}
