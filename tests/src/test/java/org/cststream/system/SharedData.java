package org.cststream.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/** Locates {@code ../shared/data} for system tests; a test that needs it skips without it. */
final class SharedData {
    private SharedData() {}

    /** Returns the improv mesoscope frames folder, or skips the test if it is absent. */
    static Path improvFrames() {
        Path dir =
                Paths.get(
                        System.getProperty("cst.shared.dir", "../../shared"),
                        "data",
                        "improv-mesoscope",
                        "frames");
        Assumptions.assumeTrue(
                Files.isDirectory(dir), "needs the real frames in " + dir.toAbsolutePath());
        return dir;
    }
}
