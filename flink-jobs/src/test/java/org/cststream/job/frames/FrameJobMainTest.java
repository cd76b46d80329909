package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.cststream.job.cst.CstOptions;
import org.junit.jupiter.api.Test;

class FrameJobMainTest {
    @Test
    void argumentsBecomeTheJobsTypedOptions() {
        Configuration c =
                FrameJobMain.configuration(
                        FrameJobMain.pairs(
                                new String[] {
                                    "--kafka.bootstrap-servers",
                                    "kafka:9092",
                                    "--checkpoint.interval",
                                    "2 s",
                                    "--channels.order=470;405",
                                    "--metrics.port",
                                    "9464",
                                    "--cst.window-step",
                                    "3"
                                }));

        assertThat(c.get(FrameJobOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(c.get(FrameJobOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.get(FrameJobOptions.CHANNEL_ORDER)).containsExactly(470, 405);
        assertThat(c.get(FrameJobOptions.METRICS_PORT)).isEqualTo(9464);
        assertThat(c.get(CstOptions.WINDOW_STEP)).isEqualTo(3);
    }

    @Test
    void anUnknownKeyIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(
                        () ->
                                FrameJobMain.configuration(
                                        FrameJobMain.pairs(
                                                new String[] {"--kafka.bootstrap", "kafka:9092"})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option(s) [kafka.bootstrap]")
                .hasMessageContaining("kafka.bootstrap-servers");
    }

    @Test
    void aKeyWithoutAValueOrABareWordIsRefused() {
        assertThatThrownBy(() -> FrameJobMain.pairs(new String[] {"--metrics.port"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--metrics.port needs a value");
        assertThatThrownBy(() -> FrameJobMain.pairs(new String[] {"kafka:9092"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 1 'kafka:9092' is not --KEY VALUE");
    }

    @Test
    void anOutOfRangePortIsNamedAtValidation() {
        Configuration c =
                FrameJobMain.configuration(
                        FrameJobMain.pairs(
                                new String[] {
                                    "--kafka.bootstrap-servers", "kafka:9092",
                                    "--pictures.port", "70000"
                                }));

        assertThatThrownBy(() -> FrameJobOptions.validate(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pictures.port must be -1 (off), 0 (any) or a TCP port");
        assertThat(List.of(FrameJobOptions.PICTURES_PORT, FrameJobOptions.PICTURES_HOST))
                .allMatch(FrameJobOptions.ALL::contains);
    }
}
