package org.cststream.model.serving;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor.Window;
import org.cststream.model.Normalisation;

/** A small widefield-shaped model (4x4 patches, t/row/col) and windows for it: tests in seconds. */
final class TinyModels {
    private TinyModels() {}

    static CstConfig config() {
        CstConfig c = new CstConfig();
        c.valueDim = 16;
        c.coordDim = 3;
        c.modelDim = 16;
        c.heads = 2;
        c.layers = 2;
        c.feedForwardDim = 32;
        c.attention = CstConfig.Attention.NYSTROM;
        c.landmarks = 8;
        c.observedKeysOnly = true;
        return c;
    }

    /** Saves a seeded model with a non-trivial normalisation (mean 100, std 20) to {@code dir}. */
    static Path save(Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(11);
        Random r = new Random(11);
        float[][] sample = new float[200][16];
        for (float[] row : sample) {
            for (int d = 0; d < row.length; d++) {
                row[d] = 100 + 20 * (float) r.nextGaussian();
            }
        }
        try (CstModel m = CstModel.create(config(), Normalisation.fit(sample))) {
            m.save(dir, new ObjectMapper().createObjectNode().put("data", "model server tests"));
        }
        return dir;
    }

    /** A window in data units: tokens on a 4-frame grid, the first {@code observed} observed. */
    static Window window(long seed, int tokens, int observed) {
        Random r = new Random(seed);
        float[][] v = new float[tokens][16];
        float[][] x = new float[tokens][3];
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < 16; d++) {
                v[t][d] = 100 + 20 * (float) r.nextGaussian();
            }
            x[t][0] = (t % 4) / 3f;
            x[t][1] = r.nextFloat();
            x[t][2] = r.nextFloat();
        }
        return new Window(v, x, observed);
    }

    static List<Window> windows(long seed, int count, int tokens, int observed) {
        List<Window> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(window(seed + i, tokens, observed));
        }
        return out;
    }
}
