package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.cststream.frame.FrameCodec;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.junit.jupiter.api.Test;

/** The checks at the door that keep a sink from failing on a frame, and dead letters' size. */
class DecodeFunctionTest {

    private static List<DeadLetter> decode(Configuration config, int width, int height)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<KafkaRecord, SourcedFrame> h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new DecodeFunction(config)))) {
            h.open();
            KafkaRecord r = new KafkaRecord();
            r.topic = "cst.frames";
            r.offset = 7;
            r.key = "s";
            r.value = FrameCodec.encode(TestFrames.uint16("s", 3, width, height, 100));
            h.processElement(new StreamRecord<>(r, 0L));
            assertThat(h.extractOutputValues().size() + deadLetters(h).size()).isEqualTo(1);
            return deadLetters(h);
        }
    }

    private static List<DeadLetter> deadLetters(
            OneInputStreamOperatorTestHarness<KafkaRecord, SourcedFrame> h) {
        var side = h.getSideOutput(JobOutputs.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aFrameSmallerThanAPatchIsSetAsideWhenFramesAreCroppedAndPaddedOtherwise()
            throws Exception {
        Configuration crop = new Configuration();
        crop.set(FrameJobOptions.EDGE_MODE, EdgeMode.CROP);

        List<DeadLetter> cropped = decode(crop, 8, 8);
        List<DeadLetter> padded = decode(new Configuration(), 8, 8);

        assertThat(cropped)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("too-small");
                            assertThat(d.message)
                                    .contains(
                                            "8x8",
                                            "no whole 16-pixel patch",
                                            "--edge PAD",
                                            "offset=7");
                        });
        assertThat(padded).isEmpty();
    }

    @Test
    void aFrameWhoseOutputsWouldNotFitTheRecordLimitIsSetAside() throws Exception {
        Configuration small = new Configuration();
        small.set(FrameJobOptions.SINK_MAX_RECORD_BYTES, MemorySize.ofMebiBytes(1));

        // 512x512: 1 MiB of float32 dF/F, plus its header
        List<DeadLetter> tooLarge = decode(small, 512, 512);
        List<DeadLetter> fits = decode(small, 256, 256);

        assertThat(tooLarge)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("too-large");
                            assertThat(d.message)
                                    .contains("512x512 uint16", "1.0 MiB", "--binning 2");
                        });
        assertThat(fits).isEmpty();
    }

    @Test
    void aDeadLetterLargerThanItsTopicTakesKeepsTheStartAndSaysHowLongItWas() {
        DeadLetter d = new DeadLetter();
        d.value = new byte[5000];
        d.value[0] = 42;

        d.capTo(1000);

        assertThat(d.value).hasSize(1000).startsWith((byte) 42);
        assertThat(d.originalBytes).isEqualTo(5000);
        assertThat(d.message).contains("first 1000 of 5000 bytes");
        assertThat(Outputs.deadLetterHeaders(d).lastHeader(Outputs.HEADER_ORIGINAL_BYTES))
                .isNotNull();
    }
}
