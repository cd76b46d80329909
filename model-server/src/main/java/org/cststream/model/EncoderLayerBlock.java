package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One transformer encoder block: self-attention with a residual and layer norm, then a GELU
 * feed-forward with a residual and layer norm (post-norm, as in the CST paper's code). Inputs: the
 * tokens (batch, tokens, d) and optionally the attention key mask of {@link SelfAttentionBlock}.
 */
public class EncoderLayerBlock extends AbstractBlock {
    private final SelfAttentionBlock attention;
    private final LayerNorm norm1;
    private final Linear ff1;
    private final Linear ff2;
    private final LayerNorm norm2;
    private final Dropout dropout;

    public EncoderLayerBlock(CstConfig config) {
        attention = addChildBlock("attention", new SelfAttentionBlock(config));
        norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).build());
        ff1 = addChildBlock("ff1", Linear.builder().setUnits(config.feedForwardDim).build());
        ff2 = addChildBlock("ff2", Linear.builder().setUnits(config.modelDim).build());
        norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.dropout).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        // the optional second input is the attention key mask, handed on unchanged
        NDList attentionInputs = inputs.size() > 1 ? new NDList(x, inputs.get(1)) : new NDList(x);
        NDList att = attention.forward(ps, attentionInputs, training, params);
        NDArray a = dropout.forward(ps, new NDList(att.head()), training).head();
        NDArray y = norm1.forward(ps, new NDList(x.add(a)), training).head();
        NDArray f = Activation.gelu(ff1.forward(ps, new NDList(y), training).head());
        f = dropout.forward(ps, ff2.forward(ps, new NDList(f), training), training).head();
        NDArray out = norm2.forward(ps, new NDList(y.add(f)), training).head();
        return att.size() > 1 ? new NDList(out, att.get(1)) : new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        Shape x = inputs[0];
        attention.initialize(manager, dataType, x);
        norm1.initialize(manager, dataType, x);
        ff1.initialize(manager, dataType, x);
        Shape hidden = ff1.getOutputShapes(new Shape[] {x})[0];
        ff2.initialize(manager, dataType, hidden);
        norm2.initialize(manager, dataType, x);
        dropout.initialize(manager, dataType, x);
    }
}
