package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head self-attention, full softmax or Nystrom (Xiong et al. 2021).
 *
 * <p>Input: the array (batch, tokens, d) and, optionally, a key mask (batch, tokens) holding 1 for
 * the tokens every token may attend to and 0 for the others (at least one 1 per row). Output: the
 * attended array (batch, tokens, d) and, when asked with {@link CstBlock#RETURN_ATTENTION}, the
 * attention weights (batch, heads, tokens, tokens), 0 in the masked key columns.
 *
 * <p>Nystrom landmarks are the means of m contiguous segments of the queries and keys (of the
 * unmasked tokens only, in their order, when there is a mask). When the token count is not a
 * multiple of m, segments differ in length by at most one token; nothing is padded, so the returned
 * weights cover exactly the real tokens. Rows with at most m keys use exact attention.
 */
public class SelfAttentionBlock extends AbstractBlock {
    private final CstConfig config;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;

    public SelfAttentionBlock(CstConfig config) {
        this.config = config;
        query = addChildBlock("query", Linear.builder().setUnits(config.modelDim).build());
        key = addChildBlock("key", Linear.builder().setUnits(config.modelDim).build());
        value = addChildBlock("value", Linear.builder().setUnits(config.modelDim).build());
        output = addChildBlock("output", Linear.builder().setUnits(config.modelDim).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray keyMask = inputs.size() > 1 ? inputs.get(1) : null;
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        int h = config.heads;
        long dh = config.modelDim / h;
        NDArray q = heads(query.forward(ps, new NDList(x), training).head(), batch, tokens, h, dh);
        NDArray k = heads(key.forward(ps, new NDList(x), training).head(), batch, tokens, h, dh);
        NDArray v = heads(value.forward(ps, new NDList(x), training).head(), batch, tokens, h, dh);
        q = q.mul(Tensors.scalar(q, (float) (1 / Math.sqrt(dh))));
        int[] rows = CstBlock.attentionRows(params);
        boolean wantWeights = CstBlock.wantsAttention(params) || rows != null;
        String rowIndex = rows == null ? null : ":, :, " + rows[0] + ":" + rows[1] + ", :";
        int[] keyCounts = keyCounts(keyMask, batch, tokens);
        int fewestKeys = java.util.Arrays.stream(keyCounts).min().orElse(0);
        // keys: every token, the leading observed tokens (sliced, the common and cheap case), or
        // the tokens of a mask (a large negative score on the other columns)
        NDArray kk = k;
        NDArray vv = v;
        NDArray qk = q;
        NDArray bias = null;
        NDArray segments;
        boolean sliced = keyMask != null && sameLeadingKeys(keyMask, keyCounts);
        if (sliced) {
            String keys = ":, :, 0:" + fewestKeys + ", :";
            kk = k.get(keys);
            vv = v.get(keys);
            qk = q.get(keys);
            segments = segmentMeans(x.getManager(), fewestKeys, config.landmarks);
        } else if (keyMask != null) {
            bias = keyMask.sub(1).mul(MASKED_SCORE).reshape(batch, 1, 1, tokens);
            segments = maskedSegmentMeans(x.getManager(), keyMask, keyCounts, config.landmarks);
        } else {
            segments = segmentMeans(x.getManager(), tokens, config.landmarks);
        }
        NDArray attended;
        NDArray weights = null;
        if (config.attention == CstConfig.Attention.FULL || fewestKeys <= config.landmarks) {
            NDArray w = masked(q.matMul(kk.transpose(0, 1, 3, 2)), bias).softmax(-1);
            attended = w.matMul(vv);
            weights = !wantWeights ? null : rows == null ? w : w.get(rowIndex);
        } else {
            NDArray ql = segments.matMul(qk);
            NDArray kl = segments.matMul(kk);
            NDArray k1 = q.matMul(kl.transpose(0, 1, 3, 2)).softmax(-1);
            NDArray k2 = ql.matMul(kl.transpose(0, 1, 3, 2)).softmax(-1);
            NDArray k3 = masked(ql.matMul(kk.transpose(0, 1, 3, 2)), bias).softmax(-1);
            NDArray z = pseudoInverse(k2, config.pinvIterations);
            attended = k1.matMul(z.matMul(k3.matMul(vv)));
            // only the rows asked for: the full tokens x tokens product is costly for long windows
            weights =
                    !wantWeights
                            ? null
                            : (rows == null ? k1 : k1.get(rowIndex)).matMul(z).matMul(k3);
        }
        if (weights != null && sliced && fewestKeys < tokens) {
            // the columns of tokens that are not keys hold 0
            long n = weights.getShape().get(2);
            NDArray rest = weights.getManager().zeros(new Shape(batch, h, n, tokens - fewestKeys));
            weights = weights.concat(rest, -1);
        }
        NDArray merged = attended.transpose(0, 2, 1, 3).reshape(batch, tokens, config.modelDim);
        NDArray out = output.forward(ps, new NDList(merged), training).head();
        return weights == null ? new NDList(out) : new NDList(out, weights);
    }

    /** Score added to masked keys: far below any real score, still finite in float32. */
    private static final float MASKED_SCORE = 1e9f;

    private static NDArray masked(NDArray scores, NDArray bias) {
        return bias == null ? scores : scores.add(bias);
    }

    /** Returns true if every batch row's keys are the same number of leading tokens. */
    private static boolean sameLeadingKeys(NDArray keyMask, int[] counts) {
        int c = counts[0];
        for (int n : counts) {
            if (n != c) {
                return false;
            }
        }
        long tokens = keyMask.getShape().get(1);
        float[] m = keyMask.toFloatArray();
        for (int i = 0; i < m.length; i++) {
            if ((m[i] > 0.5f) != (i % tokens < c)) {
                return false;
            }
        }
        return true;
    }

    /** Returns the number of keys each batch row may attend to. */
    private static int[] keyCounts(NDArray keyMask, long batch, long tokens) {
        int[] counts = new int[(int) batch];
        if (keyMask == null) {
            java.util.Arrays.fill(counts, (int) tokens);
            return counts;
        }
        float[] m = keyMask.toFloatArray();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                if (m[(int) (b * tokens + t)] > 0.5f) {
                    counts[b]++;
                }
            }
            if (counts[b] == 0) {
                throw new IllegalArgumentException(
                        "attention key mask of batch row "
                                + b
                                + " selects no token; need 1 or more");
            }
        }
        return counts;
    }

    /**
     * Returns the (batch, 1, m, tokens) matrix whose row i averages segment i of the unmasked
     * tokens of each batch row, taken in order as in {@link #segmentMeans}.
     */
    static NDArray maskedSegmentMeans(NDManager manager, NDArray keyMask, int[] counts, int m) {
        long batch = counts.length;
        int tokens = (int) keyMask.getShape().get(1);
        float[] mask = keyMask.toFloatArray();
        float[] a = new float[(int) (batch * m * tokens)];
        for (int b = 0; b < batch; b++) {
            int[] keys = new int[counts[b]];
            int n = 0;
            for (int t = 0; t < tokens; t++) {
                if (mask[b * tokens + t] > 0.5f) {
                    keys[n++] = t;
                }
            }
            for (int i = 0; i < m; i++) {
                int from = (int) ((long) i * n / m);
                int to = (int) ((long) (i + 1) * n / m);
                for (int r = from; r < to; r++) {
                    a[(b * m + i) * tokens + keys[r]] = 1f / (to - from);
                }
            }
        }
        return Tensors.of(manager, a, new Shape(batch, 1, m, tokens));
    }

    private static NDArray heads(NDArray x, long batch, long tokens, int h, long dh) {
        return x.reshape(batch, tokens, h, dh).transpose(0, 2, 1, 3);
    }

    /**
     * Returns the (m, tokens) matrix whose row i averages the tokens of segment i; segment i is
     * tokens floor(i * n / m) .. floor((i + 1) * n / m) - 1.
     */
    static NDArray segmentMeans(NDManager manager, long tokens, int m) {
        float[] a = new float[(int) (m * tokens)];
        for (int i = 0; i < m; i++) {
            long from = i * tokens / m;
            long to = (i + 1) * tokens / m;
            for (long j = from; j < to; j++) {
                a[(int) (i * tokens + j)] = 1f / (to - from);
            }
        }
        return Tensors.of(manager, a, new Shape(m, tokens));
    }

    /**
     * Iterative Moore-Penrose pseudo-inverse of each (m, m) matrix in {@code k} (batch, heads, m,
     * m), as in the Nystromformer: {@code Z <- Z (13I - KZ (15I - KZ (7I - KZ))) / 4}, started from
     * {@code K^T / (max row sum * max column sum)} of each matrix.
     *
     * <p>Each (batch, head) matrix is scaled by its own sums: a scale taken over the whole batch
     * would make a window's result depend on the other windows batched with it (after 6 iterations
     * the start still shows), so the model server's batching would change outputs.
     */
    static NDArray pseudoInverse(NDArray k, int iterations) {
        long m = k.getShape().getLastDimension();
        NDArray abs = k.abs();
        NDArray rowMax = abs.sum(new int[] {-1}).max(new int[] {-1}, true);
        NDArray colMax = abs.sum(new int[] {-2}).max(new int[] {-1}, true);
        NDArray scale = rowMax.mul(colMax).expandDims(-1);
        NDArray z = k.transpose(0, 1, 3, 2).div(scale);
        NDArray eye = k.getManager().eye((int) m);
        for (int i = 0; i < iterations; i++) {
            NDArray kz = k.matMul(z);
            NDArray inner = eye.mul(7).sub(kz);
            inner = eye.mul(15).sub(kz.matMul(inner));
            inner = eye.mul(13).sub(kz.matMul(inner));
            z = z.matMul(inner).mul(Tensors.scalar(z, 0.25f));
        }
        return z;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        for (Linear l : new Linear[] {query, key, value, output}) {
            l.initialize(manager, dataType, inputs[0]);
        }
    }
}
