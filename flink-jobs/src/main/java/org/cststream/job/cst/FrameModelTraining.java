package org.cststream.job.cst;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.CstTrainer;
import org.cststream.model.SobolevLoss;
import org.cststream.model.window.FrameSequence;
import org.cststream.model.window.WindowLayout;
import org.cststream.model.window.WindowTask;

/**
 * Trains a CST to fill frames: windows of T frames of a prepared recording, some frames hidden and
 * asked for, Sobolev loss along time ({@link WindowTask}); Adam with warm-up and cosine decay,
 * early stopping on the validation frames, best parameters kept. The model's notes record the
 * window layout the stream needs ({@link WindowLayout#NOTES_KEY}) and how the frames were prepared.
 */
public final class FrameModelTraining {
    private FrameModelTraining() {}

    /**
     * Training settings.
     *
     * @param config the model's sizes; its values per token must be the patch's pixel count and its
     *     coordinates 3
     * @param windowFrames grid times per window T, 2 or more
     * @param epochs most epochs
     * @param patience epochs without a better validation loss before stopping
     * @param heldOut most frames hidden per window (0 to T - 2)
     * @param inputNoise noise on the observed inputs, normalised units
     * @param loss the Sobolev loss
     * @param batchSize windows per step
     * @param learningRate Adam's peak step size
     * @param seed seed of the model's initialisation and every random draw
     */
    public record Settings(
            CstConfig config,
            int windowFrames,
            int epochs,
            int patience,
            int heldOut,
            float inputNoise,
            SobolevLoss loss,
            int batchSize,
            float learningRate,
            long seed) {

        /** The defaults of {@code cst train} for patches of {@code patchSize}. */
        public static Settings defaults(int patchSize) {
            return new Settings(
                    CstConfig.widefieldSmall(patchSize),
                    10,
                    30,
                    10,
                    3,
                    0f,
                    new SobolevLoss(2, 3, 0.001f),
                    4,
                    1e-3f,
                    1);
        }
    }

    /** A trained model with what it was trained on. */
    public record Trained(CstModel model, WindowLayout layout, CstTrainer.Report report) {}

    /**
     * Trains a model on {@code train}, validating on {@code validation}.
     *
     * @param prepared the recording's first frame's patches (grid and frame size)
     * @param periodSeconds the frames' nominal period
     * @param progress where a line per epoch goes, prefixed with {@code name}
     */
    public static Trained train(
            FrameSequence train,
            FrameSequence validation,
            PatchSequences.Prepared prepared,
            double periodSeconds,
            Settings s,
            PrintStream progress,
            String name) {
        WindowLayout layout = WindowLayout.of(prepared.first(), periodSeconds, s.windowFrames());
        CstConfig config = s.config();
        if (config.valueDim != layout.patchValues() || config.coordDim != 3) {
            throw new IllegalArgumentException(
                    "the CST takes "
                            + config.valueDim
                            + " values and "
                            + config.coordDim
                            + " coordinates per token; patches of "
                            + layout.patchSize()
                            + " pixels need "
                            + layout.patchValues()
                            + " values and 3 coordinates (t, row, col)");
        }
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) s.seed());
        CstModel model =
                CstModel.create(config, WindowTask.normalisation(List.of(train), config.valueDim));
        try {
            WindowTask task =
                    new WindowTask(
                            layout,
                            List.of(train),
                            List.of(validation),
                            model,
                            new WindowTask.Settings(
                                    s.heldOut(),
                                    16,
                                    2 * s.windowFrames(),
                                    s.inputNoise(),
                                    s.loss()));
            CstTrainer.Report report =
                    new CstTrainer(
                                    new CstTrainer.Settings(
                                            s.epochs(),
                                            s.patience(),
                                            s.batchSize(),
                                            s.learningRate(),
                                            1e-7f,
                                            s.seed(),
                                            false,
                                            Math.min(2, s.epochs() - 1),
                                            true,
                                            1f))
                            .train(
                                    model,
                                    task,
                                    name,
                                    (epoch, max, message) ->
                                            progress.printf(
                                                    Locale.ROOT,
                                                    "%s: train %d/%d %s%n",
                                                    name,
                                                    epoch,
                                                    max,
                                                    message));
            return new Trained(model, layout, report);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Returns the notes saved with a frame model: its layout and how its frames were prepared. */
    public static ObjectNode notes(
            String source,
            int frames,
            WindowLayout layout,
            PatchSequences.Settings prepared,
            CstTrainer.Report report) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("trainedOn", source);
        n.put("frames", frames);
        n.set(WindowLayout.NOTES_KEY, json.valueToTree(layout));
        ObjectNode p = n.putObject("preparation");
        p.put("binning", prepared.binning());
        p.put("patchSize", prepared.patchSize());
        p.put("edge", prepared.edge().name());
        p.put("baselineSeconds", prepared.baselineWindow().toMillis() / 1000.0);
        p.put("warmupFrames", prepared.warmupFrames());
        n.put("epochs", report.epochs());
        n.put("bestEpoch", report.bestEpoch());
        n.put("bestValidation", report.bestValidation());
        return n;
    }

    /** Returns the median step between consecutive times: the nominal period. */
    public static double medianStep(double[] times) {
        double[] d = new double[times.length - 1];
        for (int i = 1; i < times.length; i++) {
            d[i - 1] = times[i] - times[i - 1];
        }
        Arrays.sort(d);
        return d[d.length / 2];
    }
}
