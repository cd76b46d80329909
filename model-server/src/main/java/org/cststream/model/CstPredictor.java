package org.cststream.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inference: the model's values at query tokens and, on request, every layer's attention.
 *
 * <p>Each call runs in its own NDManager, closed before it returns, so nothing native outlives the
 * call. Windows with the same token count and the same observed count run as one batch; a window's
 * result does not depend on the other windows of the call (the observed count decides the attention
 * path, full or Nystrom, for a whole batch).
 */
public final class CstPredictor {
    private final CstModel model;

    public CstPredictor(CstModel model) {
        this.model = model;
    }

    /**
     * A window of tokens in data units: the observed tokens first, then the query tokens. Query
     * tokens carry initial values (e.g. from {@link TimeInterpolation}); the model replaces them.
     *
     * @param values tokens x valueDim
     * @param coords tokens x coordDim, normalised like the training data
     * @param observed how many leading tokens are observations (1 to tokens)
     */
    public record Window(float[][] values, float[][] coords, int observed) {
        public Window {
            if (coords.length != values.length || observed < 1 || observed > values.length) {
                throw new IllegalArgumentException(
                        "window of "
                                + values.length
                                + " value rows and "
                                + coords.length
                                + " coordinate rows with "
                                + observed
                                + " observed; need equal row counts and 1 <= observed <= rows");
            }
        }

        /** A window whose tokens are all observations. */
        public Window(float[][] values, float[][] coords) {
            this(values, coords, values.length);
        }
    }

    /**
     * The model's output for one window.
     *
     * @param values tokens x valueDim, in data units
     * @param attention per layer, heads x tokens x tokens; null unless asked for
     * @param attentionRows the rows asked for with {@link AttentionRows}: rows x tokens, the last
     *     layer's weights averaged over heads; null unless asked for
     */
    public record Prediction(
            float[][] values, List<float[][][]> attention, float[][] attentionRows) {
        /** A prediction without attention rows. */
        public Prediction(float[][] values, List<float[][][]> attention) {
            this(values, attention, null);
        }
    }

    /**
     * A compact request for attention: rows {@code from} (inclusive) to {@code to} (exclusive) of
     * the last layer's attention weights, averaged over heads; e.g. the rows of a window's last
     * frame, which the decoder reads. Rows past a window's token count are not returned.
     *
     * @param from first row, 0 or more
     * @param to one past the last row, more than {@code from}
     */
    public record AttentionRows(int from, int to) {
        public AttentionRows {
            if (from < 0 || to <= from) {
                throw new IllegalArgumentException(
                        "attention rows " + from + " to " + to + "; need 0 <= from < to");
            }
        }
    }

    /** Runs the model on every window; see the class comment for batching. */
    public List<Prediction> predict(List<Window> windows, boolean withAttention) {
        return predict(windows, withAttention, null);
    }

    /**
     * Runs the model on every window and returns the given rows of the last layer's attention,
     * averaged over heads, with each prediction.
     */
    public List<Prediction> predict(List<Window> windows, AttentionRows rows) {
        return predict(windows, false, rows);
    }

    private List<Prediction> predict(
            List<Window> windows, boolean withAttention, AttentionRows rows) {
        Prediction[] out = new Prediction[windows.size()];
        CstConfig c = model.config();
        // windows of one size and observed count run together, in chunks small enough for the
        // attention matrices (heads x tokens x tokens) and feed-forward activations to stay
        // within a fixed budget
        Map<String, List<Integer>> bySize = new LinkedHashMap<>();
        Map<String, Integer> filled = new java.util.HashMap<>();
        for (int i = 0; i < windows.size(); i++) {
            int tokens = windows.get(i).values().length;
            String shape = tokens + "/" + windows.get(i).observed();
            int chunk = Math.max(1, (int) (MAX_ELEMENTS_PER_CALL / elementsPerWindow(c, tokens)));
            int n = filled.merge(shape, 1, Integer::sum) - 1;
            bySize.computeIfAbsent(shape + "/" + n / chunk, k -> new ArrayList<>()).add(i);
        }
        Normalisation norm = model.normalisation();
        for (List<Integer> idx : bySize.values()) {
            // each chunk in its own manager, so its intermediates are freed before the next
            try (NDManager m = model.djlModel().getNDManager().newSubManager()) {
                int tokens = windows.get(idx.get(0)).values().length;
                float[] v = new float[idx.size() * tokens * c.valueDim];
                float[] x = new float[idx.size() * tokens * c.coordDim];
                float[] observed = new float[idx.size() * tokens];
                int vi = 0;
                int xi = 0;
                int oi = 0;
                for (int w : idx) {
                    Window win = windows.get(w);
                    for (int t = 0; t < tokens; t++) {
                        observed[oi++] = t < win.observed() ? 1f : 0f;
                    }
                    for (int t = 0; t < tokens; t++) {
                        for (int d = 0; d < c.valueDim; d++) {
                            v[vi++] = norm.apply(win.values()[t][d], d);
                        }
                        for (int d = 0; d < c.coordDim; d++) {
                            x[xi++] = win.coords()[t][d];
                        }
                    }
                }
                int rowFrom = rows == null ? 0 : Math.min(rows.from(), tokens);
                int rowTo = rows == null ? 0 : Math.min(rows.to(), tokens);
                NDList in =
                        new NDList(
                                Tensors.of(m, v, new Shape(idx.size(), tokens, c.valueDim)),
                                Tensors.of(m, x, new Shape(idx.size(), tokens, c.coordDim)),
                                Tensors.of(m, observed, new Shape(idx.size(), tokens)));
                NDList result =
                        model.block()
                                .forward(
                                        new ParameterStore(m, false),
                                        in,
                                        false,
                                        withAttention
                                                ? CstBlock.withAttention()
                                                : rowTo > rowFrom
                                                        ? CstBlock.withAttentionRows(rowFrom, rowTo)
                                                        : null);
                float[] y = result.head().toFloatArray();
                List<float[]> att = new ArrayList<>();
                for (int l = 1; withAttention && l < result.size(); l++) {
                    att.add(result.get(l).toFloatArray());
                }
                // with all layers' weights, pick the rows of the last; else they are all there is
                float[] selected =
                        rowTo <= rowFrom
                                ? null
                                : (withAttention
                                                ? result.get(result.size() - 1)
                                                        .get(
                                                                ":, :, " + rowFrom + ":" + rowTo
                                                                        + ", :")
                                                : result.get(1))
                                        .mean(new int[] {1})
                                        .toFloatArray();
                for (int b = 0; b < idx.size(); b++) {
                    float[][] values = new float[tokens][c.valueDim];
                    for (int t = 0; t < tokens; t++) {
                        for (int d = 0; d < c.valueDim; d++) {
                            values[t][d] = norm.invert(y[(b * tokens + t) * c.valueDim + d], d);
                        }
                    }
                    float[][] picked = null;
                    if (rows != null) {
                        int n = rowTo - rowFrom;
                        picked = new float[n][tokens];
                        for (int r = 0; r < n; r++) {
                            System.arraycopy(selected, (b * n + r) * tokens, picked[r], 0, tokens);
                        }
                    }
                    out[idx.get(b)] =
                            new Prediction(
                                    values,
                                    withAttention ? attention(att, b, c.heads, tokens) : null,
                                    picked);
                }
            }
        }
        return List.of(out);
    }

    /** Engine values one forward call may hold at once: 64 M floats, 256 MB. */
    static final long MAX_ELEMENTS_PER_CALL = 64L * 1024 * 1024;

    /** Returns the largest intermediate of one window: attention weights or FF activations. */
    static long elementsPerWindow(CstConfig c, int tokens) {
        long attention = (long) c.heads * tokens * tokens;
        long feedForward = (long) tokens * c.feedForwardDim;
        return Math.max(attention, feedForward) * 2;
    }

    private static List<float[][][]> attention(List<float[]> layers, int b, int heads, int tokens) {
        List<float[][][]> out = new ArrayList<>();
        for (float[] a : layers) {
            float[][][] w = new float[heads][tokens][tokens];
            int base = b * heads * tokens * tokens;
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tokens; i++) {
                    System.arraycopy(a, base + (h * tokens + i) * tokens, w[h][i], 0, tokens);
                }
            }
            out.add(w);
        }
        return out;
    }

    /** Returns the NDArray count of the model's manager, to check that calls leak nothing. */
    public long liveArrays() {
        return model.djlModel().getNDManager().getManagedArrays().size();
    }
}
