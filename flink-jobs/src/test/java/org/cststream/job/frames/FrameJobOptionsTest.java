package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;
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
}
