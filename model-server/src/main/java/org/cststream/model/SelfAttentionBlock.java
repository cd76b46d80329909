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
 * <p>Input: one array (batch, tokens, d). Output: the attended array (batch, tokens, d) and, when
 * asked with {@link CstBlock#RETURN_ATTENTION}, the attention weights (batch, heads, tokens,
 * tokens).
 *
 * <p>Nystrom landmarks are the means of m contiguous segments of the queries and keys. When the
 * token count is not a multiple of m, segments differ in length by at most one token; nothing is
 * padded, so the returned weights cover exactly the real tokens. Sequences of at most m tokens use
 * exact attention.
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
        NDArray x = inputs.singletonOrThrow();
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        int h = config.heads;
        long dh = config.modelDim / h;
        NDArray q = heads(query.forward(ps, new NDList(x), training).head(), batch, tokens, h, dh);
        NDArray k = heads(key.forward(ps, new NDList(x), training).head(), batch, tokens, h, dh);
        NDArray v = heads(value.forward(ps, new NDList(x), training).head(), batch, tokens, h, dh);
        q = q.div(Math.sqrt(dh));
        boolean wantWeights = CstBlock.wantsAttention(params);
        NDArray attended;
        NDArray weights = null;
        if (config.attention == CstConfig.Attention.FULL || tokens <= config.landmarks) {
            NDArray w = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
            attended = w.matMul(v);
            weights = wantWeights ? w : null;
        } else {
            NDArray segments = segmentMeans(x.getManager(), tokens, config.landmarks);
            NDArray ql = segments.matMul(q);
            NDArray kl = segments.matMul(k);
            NDArray k1 = q.matMul(kl.transpose(0, 1, 3, 2)).softmax(-1);
            NDArray k2 = ql.matMul(kl.transpose(0, 1, 3, 2)).softmax(-1);
            NDArray k3 = ql.matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
            NDArray z = pseudoInverse(k2, config.pinvIterations);
            attended = k1.matMul(z.matMul(k3.matMul(v)));
            weights = wantWeights ? k1.matMul(z).matMul(k3) : null;
        }
        NDArray merged = attended.transpose(0, 2, 1, 3).reshape(batch, tokens, config.modelDim);
        NDArray out = output.forward(ps, new NDList(merged), training).head();
        return weights == null ? new NDList(out) : new NDList(out, weights);
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
     * {@code K^T / (max row sum * max column sum)}.
     */
    static NDArray pseudoInverse(NDArray k, int iterations) {
        long m = k.getShape().getLastDimension();
        NDArray abs = k.abs();
        NDArray scale = abs.sum(new int[] {-1}).max().mul(abs.sum(new int[] {-2}).max());
        NDArray z = k.transpose(0, 1, 3, 2).div(scale);
        NDArray eye = k.getManager().eye((int) m);
        for (int i = 0; i < iterations; i++) {
            NDArray kz = k.matMul(z);
            NDArray inner = eye.mul(7).sub(kz);
            inner = eye.mul(15).sub(kz.matMul(inner));
            inner = eye.mul(13).sub(kz.matMul(inner));
            z = z.matMul(inner).mul(0.25);
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
