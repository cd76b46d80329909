package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cststream.cli.HemoSummary;
import org.cststream.cli.LocalPipeline;
import org.cststream.cli.RunReport;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelConversion;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.job.frames.hemo.HemoMethod;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.replay.ReplayOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two-channel phantom sessions through a real Kafka broker and the frame job on a Flink
 * MiniCluster: the corrected frames on the corrected topic are compared with the phantom's neural
 * truth.
 */
class HemoPipelineIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Configuration job(String prefix, HemoMethod method) {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        c.set(FrameJobOptions.GROUP_ID, prefix);
        c.set(FrameJobOptions.FRAMES_TOPIC, prefix + ".frames");
        c.set(FrameJobOptions.DFF_TOPIC, prefix + ".dff");
        c.set(FrameJobOptions.TOKENS_TOPIC, prefix + ".tokens");
        c.set(FrameJobOptions.EVENTS_TOPIC, prefix + ".events");
        c.set(FrameJobOptions.DEAD_LETTER_TOPIC, prefix + ".deadletter");
        c.set(FrameJobOptions.CORRECTED_TOPIC, prefix + ".corrected");
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        c.set(FrameJobOptions.CHANNEL_ORDER, List.of(470, 405));
        c.set(FrameJobOptions.HEMO_METHOD, method);
        c.set(FrameJobOptions.HEMO_CALIBRATION_FRAMES, 60);
        return c;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
        try (OutputReader reader =
                new OutputReader(broker.bootstrapServers(), Map.of(), List.of(topic))) {
            return reader.readUntil(r -> r.size() >= expected, Duration.ofSeconds(60));
        }
    }

    @Test
    void theCorrectedFramesFollowThePhantomsNeuralTruth() throws Exception {
        PhantomRecording phantom =
                PhantomRecording.open("phantom:size=72x56,frames=600,fps=30,seed=2");
        ReplayOptions replay =
                ReplayOptions.builder()
                        .sessionId("hemo-mmse")
                        .asFastAsPossible(true)
                        .showProgress(false)
                        .build();

        RunReport report =
                LocalPipeline.run(
                        phantom,
                        replay,
                        job("hemo", HemoMethod.MMSE),
                        1,
                        Duration.ofMinutes(3),
                        phantom);
        List<ConsumerRecord<String, byte[]>> corrected = readAll("hemo.corrected", 300);

        assertThat(report.framesOut()).isEqualTo(600);
        assertThat(report.tokenFrames()).isEqualTo(300);
        assertThat(report.duplicates()).isZero();
        HemoSummary h = report.hemo();
        assertThat(h.correctedFrames()).isEqualTo(300);
        assertThat(h.calibratedAt()).isNotNegative();
        assertThat(h.framesCompared()).isEqualTo(240);
        assertThat(h.correctedCorrelation()).isGreaterThan(0.85);
        assertThat(h.correctedCorrelation()).isGreaterThan(h.uncorrectedCorrelation() + 0.05);
        assertThat(corrected).hasSize(300);
        for (ConsumerRecord<String, byte[]> r : corrected) {
            Frame f = FrameCodec.decode(r.value());
            assertThat(f.channelNm).isEqualTo(470);
            assertThat(f.width).isEqualTo(72);
            assertThat(f.height).isEqualTo(56);
            for (float v : PixelConversion.toFloats(f)) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }

    @Test
    void untaggedFramesStartingOnTheWrongChannelWithDropsAreSortedOutAndCorrected()
            throws Exception {
        PhantomRecording phantom =
                PhantomRecording.open("phantom:size=64x48,frames=600,fps=30,start=1,seed=3");
        ReplayOptions replay =
                ReplayOptions.builder()
                        .sessionId("hemo-swap")
                        .asFastAsPossible(true)
                        .showProgress(false)
                        .untagged(true)
                        .dropFraction(0.02)
                        .build();

        RunReport report =
                LocalPipeline.run(
                        phantom,
                        replay,
                        job("swap", HemoMethod.REGRESSION),
                        1,
                        Duration.ofMinutes(3),
                        phantom);
        List<ConsumerRecord<String, byte[]>> events = readAll("swap.events", 2);

        assertThat(report.dropped()).isEqualTo(report.injectedDrops()).isEqualTo(12);
        assertThat(report.framesOut()).isEqualTo(588);
        HemoSummary h = report.hemo();
        assertThat(h.swaps()).isEqualTo(1);
        assertThat(h.correctedCorrelation()).isGreaterThan(h.uncorrectedCorrelation());
        assertThat(events)
                .extracting(r -> OutputReader.event(r).type)
                .contains(SessionEvent.CHANNEL_SWAP, SessionEvent.HEMO_CALIBRATED);
    }
}
