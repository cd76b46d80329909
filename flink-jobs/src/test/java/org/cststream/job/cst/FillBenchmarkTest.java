package org.cststream.job.cst;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cststream.frame.PatchTokens;
import org.cststream.model.window.FrameSequence;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fill benchmark's hiding schemes, baselines and scores, and one short run end to end. */
class FillBenchmarkTest {
    @TempDir Path dir;

    /** One 2x2 patch that is the whole 2x2 frame. */
    private static PatchTokens grid() {
        PatchTokens g = new PatchTokens();
        g.patchSize = 2;
        g.gridRows = 1;
        g.gridCols = 1;
        g.frameHeight = 2;
        g.frameWidth = 2;
        return g;
    }

    @Test
    void randomHidingHidesTheAskedFractionOfTheTestPartAndKeepsTheLastFrame() {
        boolean[] hidden = FillBenchmark.hideRandom(200, 140, 0.1, new Random(5));

        int count = 0;
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i]) {
                count++;
                assertThat(i).isBetween(140, 198);
            }
        }
        assertThat(count).isEqualTo(6);
        assertThat(FillBenchmark.hideRandom(200, 140, 0.1, new Random(5))).isEqualTo(hidden);
    }

    @Test
    void burstsAreRunsOfTheBurstLengthWithAKeptFrameBetweenAndAfterThem() {
        boolean[] hidden = FillBenchmark.hideBursts(300, 200, 0.1, 3, new Random(9));

        int runs = 0;
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] && (i == 0 || !hidden[i - 1])) {
                runs++;
                assertThat(i).isGreaterThan(200);
                assertThat(hidden[i + 1] && hidden[i + 2]).as("burst at %d", i).isTrue();
                assertThat(hidden[i + 3]).as("kept frame after the burst at %d", i).isFalse();
            }
        }
        assertThat(runs).isEqualTo(3);
        assertThat(hidden[hidden.length - 1]).isFalse();
    }

    @Test
    void linearFillIsExactOnPixelsLinearInTimeAndHoldRepeatsTheFrameBefore() {
        int n = 12;
        double[] times = new double[n];
        float[][] frames = new float[n][];
        for (int i = 0; i < n; i++) {
            times[i] = 0.05 * i;
            frames[i] = new float[] {i, 2 * i, -i, 7};
        }
        FrameSequence seq = new FrameSequence("ramp", times, frames);
        boolean[] hidden = new boolean[n];
        hidden[4] = true;
        hidden[5] = true;
        hidden[6] = true;
        int[] targets = {4, 5, 6};

        float[][] linear = FillBenchmark.fillLinear(seq, hidden, targets);
        float[][] hold = FillBenchmark.fillHold(seq, hidden, targets);

        for (int k = 0; k < targets.length; k++) {
            assertThat(linear[k]).containsExactly(frames[targets[k]], within(1e-5f));
            assertThat(hold[k]).containsExactly(frames[3]);
        }
    }

    @Test
    void correlationIsBlindToScaleWhereRmseIsNot() {
        PatchTokens g = grid();
        float[] truth = {0.4f, -0.2f, 0.1f, -0.3f};
        float[] shrunk = {0.12f, -0.06f, 0.03f, -0.09f};
        float[] flipped = {-0.4f, 0.2f, -0.1f, 0.3f};

        assertThat(FillBenchmark.correlation(shrunk, truth, g)).isCloseTo(1.0, within(1e-6));
        assertThat(FillBenchmark.rmse(shrunk, truth, g)).isGreaterThan(0.1);
        assertThat(FillBenchmark.correlation(flipped, truth, g)).isCloseTo(-1.0, within(1e-6));
        assertThat(FillBenchmark.correlation(new float[4], truth, g)).isZero();
    }

    @Test
    void aShortRunScoresEveryMethodOnBothSchemesAndWritesTableModelAndPicture() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FrameModelTraining.Settings defaults = FrameModelTraining.Settings.defaults(8);
        FrameModelTraining.Settings quick =
                new FrameModelTraining.Settings(
                        defaults.config(),
                        defaults.windowFrames(),
                        1,
                        1,
                        defaults.heldOut(),
                        defaults.inputNoise(),
                        defaults.loss(),
                        defaults.batchSize(),
                        defaults.learningRate(),
                        defaults.seed());

        Path recording =
                PhantomWriter.write(
                                PhantomRecording.open(
                                        "phantom:neural=synthetic,size=32,frames=240,fps=20"),
                                dir.resolve("recording"),
                                "s1",
                                PhantomWriter.Format.DAT,
                                false)
                        .recording();

        FillBenchmark.Result r =
                FillBenchmark.run(
                        new FillBenchmark.Options(
                                recording,
                                20,
                                2,
                                8,
                                quick,
                                0.1,
                                3,
                                7,
                                0,
                                dir.resolve("out"),
                                new PrintStream(log, true, StandardCharsets.UTF_8)));

        assertThat(r.rows()).hasSize(2 * FillBenchmark.METHODS.size());
        for (FillBenchmark.Row row : r.rows()) {
            assertThat(row.frames()).as(row.scheme() + " " + row.method()).isPositive();
            assertThat(row.rmse()).as(row.scheme() + " " + row.method()).isFinite().isPositive();
            assertThat(row.correlation()).isBetween(-1.0, 1.0);
        }
        // on a smooth synthetic session, interpolating beats repeating the frame before
        assertThat(r.row("random", "linear").rmse())
                .isLessThan(r.row("random", "hold-last").rmse());
        assertThat(Files.readString(r.table())).contains("| random | CST |", "| bursts of 3 |");
        assertThat(Files.size(r.picture())).isPositive();
        assertThat(dir.resolve("out").resolve(FillBenchmark.MODEL_DIR).resolve("cst-model.json"))
                .exists();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("fill: CST: train 1/1");
    }
}
