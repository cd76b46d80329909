package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameJobOptionsTest {

    @Test
    void namesEveryBadSettingWithItsBoundAndUnit() {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.PATCH_SIZE, 0);
        c.set(FrameJobOptions.IDLE_TIMEOUT, Duration.ZERO);

        assertThatThrownBy(() -> FrameJobOptions.validate(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.bootstrap-servers is required")
                .hasMessageContaining("patch.size must be in [1, 512] pixels, was 0")
                .hasMessageContaining("order.idle-timeout must be positive, was 0 ms");
    }

    @Test
    void refusesAnOutputFolderThatIsAFileBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "not a folder");
        Configuration c = new Configuration();
        c.set(FrameJobOptions.OUTPUT_DIR, file.toString());

        assertThatThrownBy(() -> FrameJobOptions.validateSettings(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output.dir " + file + " cannot be created");
    }

    @Test
    void createsAMissingOutputFolder(@TempDir Path dir) {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.OUTPUT_DIR, dir.resolve("a/b").toString());

        FrameJobOptions.validateSettings(c);

        assertThat(dir.resolve("a/b")).isDirectory();
    }

    @Test
    void namesBadChannelAndCorrectionSettings() {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.CHANNEL_ORDER, java.util.List.of(470, 560));
        c.set(FrameJobOptions.HEMO_TILE_SIZE, 2);
        c.set(FrameJobOptions.HEMO_HIGHPASS, -1.0);

        assertThatThrownBy(() -> FrameJobOptions.validateSettings(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "channels.order [470, 560] has no isosbestic channel between 380 and 430"
                                + " nm")
                .hasMessageContaining("hemo.tile-size must be in [4, 1024] pixels, was 2")
                .hasMessageContaining("hemo.highpass must be in [0, 100] Hz (0 = off), was -1.0");
    }

    @Test
    void findsTheIsosbesticChannelAndTheWaitBound() {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.CHANNEL_ORDER, java.util.List.of(470, 395, 575));

        assertThat(FrameJobOptions.isosbesticNm(c)).isEqualTo(395);
        assertThat(FrameJobOptions.isHemoActive(c)).isTrue();
        assertThat(FrameJobOptions.pairMaxWait(c)).isEqualTo(6);
        c.set(FrameJobOptions.HEMO_METHOD, org.cststream.job.frames.hemo.HemoMethod.NONE);
        assertThat(FrameJobOptions.isHemoActive(c)).isFalse();
    }

    @Test
    void refusesATransactionTimeOutThatFailedCheckpointsCouldOutlast() {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.EXACTLY_ONCE, true);
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(5));
        c.set(FrameJobOptions.CHECKPOINT_TIMEOUT, Duration.ofMinutes(2));
        c.set(FrameJobOptions.CHECKPOINT_TOLERABLE_FAILURES, 3);
        c.set(FrameJobOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(5));

        assertThatThrownBy(() -> FrameJobOptions.validateSettings(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sink.transaction-timeout (300000 ms) must exceed")
                .hasMessageContaining("= 500000 ms");
    }

    @Test
    void acceptsTheDefaultsWithExactlyOnceSinks() {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.EXACTLY_ONCE, true);

        assertThatCode(() -> FrameJobOptions.validateSettings(c)).doesNotThrowAnyException();
    }

    @Test
    void refusesFaultsThatCannotBeInjected() {
        Configuration c = new Configuration();
        c.set(FaultOptions.FAIL_AT_COUNTER, -5L);
        c.set(FaultOptions.SLOW_CHECKPOINTS, java.util.List.of(0L));

        assertThatThrownBy(() -> FrameJobOptions.validateSettings(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fault.fail-at-counter must be -1 (never)")
                .hasMessageContaining("fault.slow-checkpoints must list checkpoint ids >= 1");
    }
}
