package org.cststream.model.serving;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cststream.model.CstConfig;
import org.cststream.model.CstPredictor;

/**
 * Runs a CST on windows of tokens: the model in this process ({@link LocalInference}) or the model
 * server over the network. Callers (the stream's CST operator, benchmarks) see the same results
 * either way.
 */
public interface WindowInference extends AutoCloseable {

    /**
     * Runs the model on every window, as one batch where the implementation can.
     *
     * @param windows windows in data units, observed tokens first
     * @param rows attention rows to return with each prediction, or null for none
     * @return one prediction per window, in order; completes exceptionally with a message naming
     *     the cause when the model cannot run (e.g. a window whose value or coordinate size differs
     *     from the model's)
     */
    CompletableFuture<List<CstPredictor.Prediction>> predict(
            List<CstPredictor.Window> windows, CstPredictor.AttentionRows rows);

    /** Returns the configuration of the model that answers. */
    CstConfig config();

    @Override
    void close();
}
