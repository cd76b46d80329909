package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.cststream.job.frames.DeadLetter;
import org.cststream.job.frames.JobOutputs;
import org.cststream.job.frames.KafkaRecord;
import org.cststream.model.decoding.Decoder;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.LabelCodec;
import org.cststream.source.labels.StimulusEvent;
import org.junit.jupiter.api.Test;

class LabelRecordFunctionTest {
    private static KafkaRecord record(byte[] value, long offset) {
        KafkaRecord r = new KafkaRecord();
        r.topic = "cst.behaviour";
        r.offset = offset;
        r.key = "s";
        r.value = value;
        return r;
    }

    @Test
    void keepsTheDecodersTraceAndSendsUnreadableRecordsToTheDeadLetters() throws Exception {
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new LabelRecordFunction(Decoder.LabelSource.BEHAVIOUR, "pupil")))) {
            h.open();
            h.processElement(
                    new StreamRecord<>(
                            record(
                                    LabelCodec.encode(
                                            new BehaviourSample(
                                                    "s", 0, 5_000, Map.of("pupil", 0.25))),
                                    1),
                            0L));
            h.processElement(
                    new StreamRecord<>(
                            record("{not json".getBytes(StandardCharsets.UTF_8), 2), 0L));
            h.processElement(
                    new StreamRecord<>(
                            record(
                                    LabelCodec.encode(
                                            new BehaviourSample(
                                                    "s", 1, 6_000, Map.of("wheel", 1.0))),
                                    3),
                            0L));

            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.sessionId).isEqualTo("s");
                                assertThat(p.timeNanos).isEqualTo(5_000);
                                assertThat(p.value).isEqualTo(0.25);
                            });
            var dead = h.getSideOutput(JobOutputs.DEAD_LETTERS);
            assertThat(dead).hasSize(2);
            DeadLetter[] letters =
                    dead.stream().map(StreamRecord::getValue).toArray(DeadLetter[]::new);
            assertThat(letters[0].reason).isEqualTo("bad-label");
            assertThat(letters[0].offset).isEqualTo(2);
            assertThat(letters[1].reason).isEqualTo("label-without-target");
            assertThat(letters[1].message).contains("no trace 'pupil'").contains("wheel");
        }
    }

    @Test
    void readsTheStimulusFieldAndPassesOverTtlEvents() throws Exception {
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new LabelRecordFunction(
                                        Decoder.LabelSource.STIMULUS, "contrast")))) {
            h.open();
            h.processElement(
                    new StreamRecord<>(
                            record(
                                    LabelCodec.encode(
                                            new StimulusEvent("s", "ttl", 0, 1_000, 0, Map.of())),
                                    1),
                            0L));
            h.processElement(
                    new StreamRecord<>(
                            record(
                                    LabelCodec.encode(
                                            new StimulusEvent(
                                                    "s",
                                                    "stimulus",
                                                    1,
                                                    3_000,
                                                    2_000,
                                                    Map.of("contrast", 0.5))),
                                    2),
                            0L));

            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.durationNanos).isEqualTo(2_000);
                                assertThat(p.value).isEqualTo(0.5);
                            });
            assertThat(h.getSideOutput(JobOutputs.DEAD_LETTERS)).isNull();
        }
    }
}
