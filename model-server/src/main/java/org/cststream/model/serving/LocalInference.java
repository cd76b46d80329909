package org.cststream.model.serving;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor;

/**
 * The model in this process: each call runs on the caller's thread and returns a completed future.
 * One instance per task slot (the engine is not shared between threads).
 */
public final class LocalInference implements WindowInference {
    private final CstModel model;
    private final CstPredictor predictor;
    private final boolean ownsModel;

    /**
     * @param model the model to run
     * @param ownsModel whether {@link #close()} closes the model
     */
    public LocalInference(CstModel model, boolean ownsModel) {
        this.model = model;
        this.predictor = new CstPredictor(model);
        this.ownsModel = ownsModel;
    }

    @Override
    public CompletableFuture<List<CstPredictor.Prediction>> predict(
            List<CstPredictor.Window> windows, CstPredictor.AttentionRows rows) {
        try {
            check(windows, model.config());
            return CompletableFuture.completedFuture(predictor.predict(windows, rows));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Checks that every window fits the model.
     *
     * @throws IllegalArgumentException naming the window and the mismatch
     */
    static void check(List<CstPredictor.Window> windows, CstConfig config) {
        for (int w = 0; w < windows.size(); w++) {
            CstPredictor.Window win = windows.get(w);
            for (int t = 0; t < win.values().length; t++) {
                if (win.values()[t].length != config.valueDim
                        || win.coords()[t].length != config.coordDim) {
                    throw new IllegalArgumentException(
                            "window "
                                    + w
                                    + " token "
                                    + t
                                    + " has "
                                    + win.values()[t].length
                                    + " values and "
                                    + win.coords()[t].length
                                    + " coordinates; the model takes "
                                    + config.valueDim
                                    + " and "
                                    + config.coordDim);
                }
            }
        }
    }

    @Override
    public CstConfig config() {
        return model.config();
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
        }
    }
}
