package org.cststream.model.spirals;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared spirals for tests, and small synthetic spirals that need no shared data. */
final class SpiralsTestData {
    private SpiralsTestData() {}

    /** Loads the shared spirals, or skips the test when the shared data are absent. */
    static SpiralsDataset shared() throws IOException {
        Path file = SpiralsDataset.defaultPath().toAbsolutePath().normalize();
        assumeTrue(
                Files.isRegularFile(file),
                "shared data absent: "
                        + file
                        + " (set -Dcst.shared.dir to the folder holding data/)");
        return SpiralsDataset.load(file);
    }

    /**
     * Returns {@code count} spirals of 100 points on [0, 1]: radius {@code 0.3 + t}, angle {@code
     * phase + 3 pi t}, a different phase per curve.
     */
    static SpiralsDataset synthetic(int count) {
        double[][][] curves = new double[count][100][2];
        for (int c = 0; c < count; c++) {
            double phase = 2 * Math.PI * c / count;
            for (int j = 0; j < 100; j++) {
                double t = j / 99.0;
                double r = 0.3 + t;
                curves[c][j][0] = r * Math.cos(phase + 3 * Math.PI * t);
                curves[c][j][1] = r * Math.sin(phase + 3 * Math.PI * t);
            }
        }
        return SpiralsDataset.of("synthetic", curves);
    }
}
