package org.cststream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CstModelTest {

    private static CstConfig tiny() {
        CstConfig c = new CstConfig();
        c.modelDim = 16;
        c.heads = 2;
        c.layers = 1;
        c.feedForwardDim = 32;
        return c;
    }

    /** Sine and cosine curves of random frequency and phase, 40 samples on [0, 1]. */
    private static List<Curve> curves(int count, long seed) {
        Random r = new Random(seed);
        List<Curve> out = new ArrayList<>();
        int[] observed = {0, 4, 9, 13, 18, 22, 27, 31, 35, 39};
        for (int k = 0; k < count; k++) {
            double f = 0.5 + r.nextDouble();
            double phase = r.nextDouble() * 6;
            double[] t = new double[40];
            float[][] v = new float[40][2];
            for (int i = 0; i < 40; i++) {
                t[i] = i / 39.0;
                v[i][0] = (float) Math.sin(2 * Math.PI * f * t[i] + phase);
                v[i][1] = (float) Math.cos(2 * Math.PI * f * t[i] + phase);
            }
            out.add(new Curve(t, v, observed));
        }
        return out;
    }

    private static float[][] predict(CstModel model, Curve c) {
        return new CstPredictor(model)
                .predict(
                        List.of(
                                CurveTask.window(
                                        c.observedTimes(),
                                        c.observedValues(),
                                        new double[] {0.1, 0.5, 0.77})),
                        false)
                .get(0)
                .values();
    }

    @Test
    void savedAndLoadedModelGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        Curve c = curves(1, 3).get(0);
        try (CstModel model = CstModel.create(tiny(), Normalisation.identity(2))) {
            float[][] before = predict(model, c);

            model.save(dir, new ObjectMapper().createObjectNode().put("data", "unit test"));
            try (CstModel loaded = CstModel.load(dir)) {
                assertThat(predict(loaded, c)).isDeepEqualTo(before);
                assertThat(loaded.config().feedForwardDim).isEqualTo(32);
            }
        }
    }

    @Test
    void refusesAModelOfAnUnknownFormatVersion(@TempDir Path dir) throws Exception {
        try (CstModel model = CstModel.create(tiny(), Normalisation.identity(2))) {
            model.save(dir, null);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve(CstModel.MANIFEST).toFile());
        manifest.put("formatVersion", 7);
        json.writeValue(dir.resolve(CstModel.MANIFEST).toFile(), manifest);

        assertThatThrownBy(() -> CstModel.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model format version 7")
                .hasMessageContaining("this build reads version 1")
                .hasMessageContaining("upgrade");
    }

    @Test
    void loadsParametersOnlyInTheProjectsOwnFormatNeverAPickleOrTorchScript(@TempDir Path dir)
            throws Exception {
        try (CstModel model = CstModel.create(tiny(), Normalisation.identity(2))) {
            model.save(dir, null);
        }
        Path params;
        try (var files = Files.list(dir)) {
            params =
                    files.filter(f -> f.getFileName().toString().endsWith(".params"))
                            .findFirst()
                            .orElseThrow();
        }
        // a Python pickle (protocol 4) where the parameters should be
        Files.write(params, new byte[] {(byte) 0x80, 0x04, (byte) 0x95, 0x10, 0, 0, 0, 0});

        assertThatThrownBy(() -> CstModel.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("is not a parameter file of this project")
                .hasMessageContaining("never loaded");

        // a TorchScript archive (a zip) beside the manifest instead of the parameters
        Files.delete(params);
        Files.write(
                dir.resolve(CstModel.PARAMS_NAME + ".pt"),
                new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0});

        assertThatThrownBy(() -> CstModel.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("has no parameter file");
    }

    @Test
    void refusesAFolderWithoutAManifest(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cst-0000.params"), "not a model");

        assertThatThrownBy(() -> CstModel.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("cst-model.json is missing");
    }

    @Test
    void trainingLossFallsOnATinyProblem() {
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        List<Curve> train = curves(20, 1);
        List<Curve> validation = curves(5, 2);
        try (CstModel model = CstModel.create(tiny(), Normalisation.identity(2))) {
            double before = CurveTask.meanError(new CstPredictor(model), validation);
            CurveTask task =
                    new CurveTask(
                            train, validation, model, 20, 0.05f, new SobolevLoss(3, 3, 0.01f));

            CstTrainer.Report r =
                    new CstTrainer(new CstTrainer.Settings(25, 25, 5, 3e-3f, 1e-7f, 7, false))
                            .train(model, task, "tiny");

            System.out.printf(
                    "tiny problem: loss %.4f -> %.4f, validation error %.4f -> %.4f%n",
                    r.trainLoss().get(0),
                    r.trainLoss().get(r.epochs() - 1),
                    before,
                    r.bestValidation());
            double after = CurveTask.meanError(new CstPredictor(model), validation);
            System.out.printf(
                    "tiny problem: interpolation error %.4f -> %.4f, epochs %d, skipped %d%n",
                    before, after, r.epochs(), r.skippedSteps());
            assertThat(r.trainLoss().get(r.epochs() - 1)).isLessThan(0.7 * r.trainLoss().get(0));
            assertThat(r.bestValidation()).isLessThan(r.validation().get(0));
            assertThat(after).isLessThan(before);
            assertThat(r.skippedSteps()).isLessThan(3);
        }
    }

    @Test
    void sobolevPenaltyOfASineMatchesItsAnalyticValue() {
        double omega = 3.0;
        int n = 4000;
        double h = 2 * Math.PI / omega * 8 / n;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = Math.sin(omega * i * h);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray grid = m.create(y).reshape(1, n, 1);

            double penalty = new SobolevLoss(2, 3, 1f).penalty(grid, (float) h).getDouble();

            // the q-th derivative is omega^q times a sine: its RMS is omega^q / sqrt(2)
            double expected = (omega + omega * omega + omega * omega * omega) / Math.sqrt(2);
            assertThat(penalty)
                    .isCloseTo(expected, org.assertj.core.api.Assertions.within(0.02 * expected));
        }
    }

    @Test
    void attentionRowsAreTheLastLayersRowsAveragedOverHeads() {
        Curve c = curves(1, 9).get(0);
        try (CstModel model = CstModel.create(tiny(), Normalisation.identity(2))) {
            CstPredictor p = new CstPredictor(model);
            List<CstPredictor.Window> w =
                    List.of(
                            CurveTask.window(
                                    c.observedTimes(), c.observedValues(), new double[] {0.3}));

            CstPredictor.Prediction full = p.predict(w, true).get(0);
            CstPredictor.Prediction rows =
                    p.predict(w, new CstPredictor.AttentionRows(8, 20)).get(0);

            float[][][] last = full.attention().get(full.attention().size() - 1);
            assertThat(rows.attention()).isNull();
            assertThat(rows.attentionRows()).hasNumberOfRows(3);
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < 11; k++) {
                    float mean = (last[0][8 + r][k] + last[1][8 + r][k]) / 2;
                    assertThat(rows.attentionRows()[r][k])
                            .isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-6f));
                }
            }
            assertThat(rows.values()).isDeepEqualTo(full.values());
        }
    }

    private static CstPredictor.Window randomWindow(Random r, int tokens, int observed) {
        float[][] v = new float[tokens][2];
        float[][] x = new float[tokens][1];
        for (int t = 0; t < tokens; t++) {
            v[t][0] = (float) r.nextGaussian();
            v[t][1] = (float) r.nextGaussian();
            x[t][0] = r.nextFloat();
        }
        return new CstPredictor.Window(v, x, observed);
    }

    @Test
    void aWindowsPredictionDoesNotDependOnTheWindowsBatchedWithIt() {
        CstConfig c = tiny();
        c.attention = CstConfig.Attention.NYSTROM;
        c.landmarks = 4;
        c.observedKeysOnly = true;
        Random r = new Random(5);
        // same size, different observed counts (one at or below the landmark count: full
        // attention for that window), and another size
        List<CstPredictor.Window> windows =
                List.of(
                        randomWindow(r, 24, 20),
                        randomWindow(r, 24, 20),
                        randomWindow(r, 24, 12),
                        randomWindow(r, 24, 4),
                        randomWindow(r, 17, 15));
        try (CstModel model = CstModel.create(c, Normalisation.identity(2))) {
            CstPredictor p = new CstPredictor(model);

            List<CstPredictor.Prediction> together =
                    p.predict(windows, new CstPredictor.AttentionRows(0, 24));

            for (int w = 0; w < windows.size(); w++) {
                CstPredictor.Prediction alone =
                        p.predict(List.of(windows.get(w)), new CstPredictor.AttentionRows(0, 24))
                                .get(0);
                float[][] a = alone.values();
                float[][] b = together.get(w).values();
                for (int t = 0; t < a.length; t++) {
                    for (int d = 0; d < 2; d++) {
                        assertThat(b[t][d])
                                .as("window %d token %d", w, t)
                                .isCloseTo(a[t][d], org.assertj.core.api.Assertions.within(1e-5f));
                    }
                    for (int k = 0; k < a.length; k++) {
                        assertThat(together.get(w).attentionRows()[t][k])
                                .isCloseTo(
                                        alone.attentionRows()[t][k],
                                        org.assertj.core.api.Assertions.within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void predictionsLeaveNoArraysBehind() {
        Curve c = curves(1, 4).get(0);
        try (CstModel model = CstModel.create(tiny(), Normalisation.identity(2))) {
            CstPredictor p = new CstPredictor(model);
            predict(model, c);
            long before = p.liveArrays();

            for (int i = 0; i < 20; i++) {
                p.predict(
                        List.of(
                                CurveTask.window(
                                        c.observedTimes(), c.observedValues(), new double[] {0.3})),
                        true);
            }

            assertThat(p.liveArrays()).isEqualTo(before);
        }
    }
}
