package org.cststream.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python writer printed in docs/frame-format.md produces records this codec accepts. */
class PythonWriterInteropTest {

    @Test
    void decodesAFrameWrittenByTheDocumentedPythonSnippet(@TempDir Path dir) throws Exception {
        Path doc = Paths.get("..", "docs", "frame-format.md");
        Matcher m =
                Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL)
                        .matcher(Files.readString(doc));
        assertThat(m.find()).as("python block in " + doc).isTrue();
        Path script = dir.resolve("writer.py");
        Path out = dir.resolve("frame.bin");
        Files.writeString(
                script,
                m.group(1)
                        + "\nimport numpy as np\n"
                        + "img = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 1000)\n"
                        + "open(r'"
                        + out
                        + "', 'wb').write(frame_record('s1', 'cam', 5, 123, 456, 470,"
                        + " img))\n");
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 is not installed");
            return;
        }
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Assumptions.assumeFalse(log.contains("No module named 'numpy'"), "numpy is missing");
        assertThat(p.exitValue()).as(log).isZero();

        Frame f = FrameCodec.decode(Files.readAllBytes(out));

        assertThat(f.sessionId).isEqualTo("s1");
        assertThat(f.frameCounter).isEqualTo(5);
        assertThat(f.acquisitionNanos).isEqualTo(123);
        assertThat(f.channelNm).isEqualTo(470);
        assertThat(f.height).isEqualTo(3);
        assertThat(f.width).isEqualTo(4);
        assertThat(PixelConversion.toFloats(f))
                .containsExactly(
                        0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000);
    }
}
