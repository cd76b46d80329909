package org.cststream.model.spirals;

import java.util.ArrayList;
import java.util.List;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor;
import org.cststream.model.CstTrainer;
import org.cststream.model.Curve;
import org.cststream.model.CurveTask;
import org.cststream.model.MaskedCurveTask;
import org.cststream.model.Normalisation;
import org.cststream.model.SobolevLoss;

/**
 * The neural methods of the spirals benchmark behind the {@link Interpolator} contract: the CST
 * (continuous coordinates, dummy points, Sobolev loss) and the discrete Transformer (grid
 * positions, BERT-style masking).
 *
 * <p>Training reads only the observed points of the training curves; 10% of those curves are held
 * back, and training stops when their validation loss has not improved for {@code patience} epochs,
 * keeping the best parameters.
 */
public final class CstInterpolator implements Interpolator {
    /** Which of the two models. */
    public enum Kind {
        CST,
        TRANSFORMER
    }

    /**
     * Training budget and loss settings.
     *
     * @param epochs most epochs
     * @param patience epochs without improvement before stopping
     * @param dummies dummy points per sample (CST only)
     * @param inputNoise std of the noise added to inputs each step, in data units (CST only)
     * @param heldOut most observations per curve held out of the input and predicted, see {@link
     *     CurveTask} (CST only; 0 for the paper's training)
     * @param sobolev the loss (CST only)
     * @param learningRate Adam's peak step size (1e-3 in the paper); it rises over the first
     *     {@value #WARMUP_EPOCHS} epochs and falls along a half cosine to the last, with gradients
     *     clipped to a global norm of {@value #MAX_GRADIENT_NORM}
     */
    public record Settings(
            int epochs,
            int patience,
            int dummies,
            float inputNoise,
            int heldOut,
            SobolevLoss sobolev,
            float learningRate) {
        /**
         * Returns the paper's settings with the given budget: input noise 0.1, p = 3, k = 3, lambda
         * = 0.01, learning rate 1e-3, nothing held out.
         */
        public static Settings paper(int epochs, int patience, int dummies) {
            return new Settings(
                    epochs, patience, dummies, 0.1f, 0, new SobolevLoss(3, 3, 0.01f), 1e-3f);
        }
    }

    /** Epochs of linear learning-rate warm-up. */
    static final int WARMUP_EPOCHS = 3;

    /** Global gradient norm above which a step's gradients are scaled down. */
    static final float MAX_GRADIENT_NORM = 1f;

    private final String name;
    private final Kind kind;
    private final CstConfig config;
    private final Settings settings;
    private CstModel model;
    private CstTrainer.Report report;

    public CstInterpolator(Kind kind, CstConfig config, Settings settings) {
        this(kind, config, settings, kind == Kind.CST ? "CST" : "Transformer");
    }

    /**
     * @param name the method's name in tables and pictures, e.g. to tell two CST recipes apart
     */
    public CstInterpolator(Kind kind, CstConfig config, Settings settings, String name) {
        this.name = name;
        this.kind = kind;
        this.config = config;
        this.settings = settings;
        if (kind == Kind.TRANSFORMER) {
            // masked tokens sit among the observations and every token attends to every other
            config.positions = CstConfig.Positions.DISCRETE;
            config.observedKeysOnly = false;
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Returns the last training's report, or null before {@link #fit}. */
    public CstTrainer.Report report() {
        return report;
    }

    /** Returns the trained model, or null before {@link #fit}. */
    public CstModel model() {
        return model;
    }

    @Override
    public void fit(SpiralSplit data, long seed, Progress progress) {
        if (model != null) {
            model.close();
        }
        double[] times = data.observedTimes();
        int[] all = new int[times.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        List<Curve> curves = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (SpiralSplit.Curve c : data.train()) {
            float[][] v = new float[times.length][];
            for (int i = 0; i < times.length; i++) {
                v[i] = toFloat(c.observed()[i]);
                rows.add(v[i]);
            }
            curves.add(new Curve(times, v, all));
        }
        int held = Math.max(1, curves.size() / 10);
        List<Curve> validation = curves.subList(0, held);
        List<Curve> train = curves.subList(held, curves.size());
        Normalisation norm = Normalisation.fit(rows.toArray(new float[0][]));
        model = CstModel.create(config, norm);
        CstTrainer.Task task =
                kind == Kind.CST
                        ? new CurveTask(
                                train,
                                validation,
                                model,
                                new CurveTask.Settings(
                                        settings.dummies(),
                                        settings.inputNoise() / norm.std[0],
                                        settings.heldOut(),
                                        settings.sobolev()))
                        : new MaskedCurveTask(train, validation, model);
        CstTrainer trainer =
                new CstTrainer(
                        new CstTrainer.Settings(
                                settings.epochs(),
                                settings.patience(),
                                10,
                                settings.learningRate(),
                                1e-7f,
                                seed,
                                false,
                                Math.min(WARMUP_EPOCHS, settings.epochs() - 1),
                                true,
                                MAX_GRADIENT_NORM));
        report =
                trainer.train(
                        model,
                        task,
                        name(),
                        (epoch, max, message) -> progress.report(epoch, max, message));
    }

    @Override
    public double[][] predict(
            double[] observedTimes, double[][] observedValues, double[] queryTimes) {
        return predictAll(List.of(new Query(observedTimes, observedValues, queryTimes))).get(0);
    }

    @Override
    public List<double[][]> predictAll(List<Query> queries) {
        if (model == null) {
            throw new IllegalStateException(name() + " must be fitted before it predicts");
        }
        CstPredictor predictor = new CstPredictor(model);
        List<double[][]> out = new ArrayList<>();
        if (kind == Kind.TRANSFORMER) {
            for (Query q : queries) {
                out.add(
                        toDouble(
                                MaskedCurveTask.predict(
                                        predictor,
                                        model.normalisation(),
                                        q.observedTimes(),
                                        toFloat(q.observedValues()),
                                        q.queryTimes())));
            }
            return out;
        }
        List<CstPredictor.Window> windows = new ArrayList<>();
        for (Query q : queries) {
            windows.add(
                    CurveTask.window(
                            q.observedTimes(), toFloat(q.observedValues()), q.queryTimes()));
        }
        List<CstPredictor.Prediction> predictions = predictor.predict(windows, false);
        for (int k = 0; k < queries.size(); k++) {
            int n = queries.get(k).observedTimes().length;
            float[][] v = predictions.get(k).values();
            float[][] atQueries = java.util.Arrays.copyOfRange(v, n, v.length);
            out.add(toDouble(atQueries));
        }
        return out;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static float[][] toFloat(double[][] v) {
        float[][] f = new float[v.length][];
        for (int i = 0; i < v.length; i++) {
            f[i] = toFloat(v[i]);
        }
        return f;
    }

    private static double[][] toDouble(float[][] v) {
        double[][] d = new double[v.length][v[0].length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v[i].length; j++) {
                d[i][j] = v[i][j];
            }
        }
        return d;
    }
}
