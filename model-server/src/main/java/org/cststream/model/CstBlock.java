package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The Continuous Spatiotemporal Transformer as a DJL block.
 *
 * <p>Inputs: token values (batch, tokens, valueDim), token coordinates (batch, tokens, coordDim),
 * coordinates normalised to about [0, 1], and the observed-token mask (batch, tokens), 1 for an
 * observation and 0 for a dummy or query token; the mask is required when {@link
 * CstConfig#observedKeysOnly} is set and ignored otherwise. A linear encoder without bias maps
 * values to width d; the coordinates enter through a linear map (optionally of fixed Gaussian
 * Fourier features) added to it; then layer norm, dropout, the encoder blocks, and the head
 * (linear, GELU, layer norm, linear without bias). Output: values (batch, tokens, valueDim),
 * followed by each layer's attention weights (batch, heads, tokens, tokens) when the forward call's
 * parameters hold {@link #RETURN_ATTENTION}.
 *
 * <p>With {@link CstConfig.Positions#DISCRETE} the time coordinate is rounded to a grid index and
 * encoded with fixed sinusoids, which makes this the discrete Transformer baseline.
 */
public class CstBlock extends AbstractBlock {
    /** Forward parameter key: when present (any value), attention weights are returned. */
    public static final String RETURN_ATTENTION = "attention";

    private final CstConfig config;
    private final Linear valueEncoder;
    private final Linear coordinateEncoder;
    private final LayerNorm inputNorm;
    private final Dropout dropout;
    private final List<EncoderLayerBlock> layers = new ArrayList<>();
    private final Linear head1;
    private final LayerNorm headNorm;
    private final Linear head2;
    private final float[] fourier;

    public CstBlock(CstConfig config) {
        this.config = config.validate();
        valueEncoder =
                addChildBlock(
                        "value_encoder",
                        Linear.builder().setUnits(config.modelDim).optBias(false).build());
        coordinateEncoder =
                addChildBlock(
                        "coordinate_encoder", Linear.builder().setUnits(config.modelDim).build());
        inputNorm = addChildBlock("input_norm", LayerNorm.builder().axis(2).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.dropout).build());
        for (int i = 0; i < config.layers; i++) {
            layers.add(addChildBlock("layer" + i, new EncoderLayerBlock(config)));
        }
        head1 = addChildBlock("head1", Linear.builder().setUnits(config.modelDim).build());
        headNorm = addChildBlock("head_norm", LayerNorm.builder().axis(2).build());
        head2 =
                addChildBlock(
                        "head2", Linear.builder().setUnits(config.valueDim).optBias(false).build());
        fourier = fourierMatrix(config);
    }

    /** Returns the configuration this block was built from. */
    public CstConfig config() {
        return config;
    }

    /**
     * Forward parameter key: an {@code int[] {from, to}} asking for rows {@code from} to {@code to
     * - 1} of the last layer's attention only (the other layers compute no weights, and the last
     * only those rows), returned as one array (batch, heads, rows, tokens).
     */
    public static final String ATTENTION_ROWS = "attention-rows";

    /** Returns true if forward parameters ask for attention weights. */
    static boolean wantsAttention(PairList<String, Object> params) {
        return params != null && params.contains(RETURN_ATTENTION);
    }

    /** Returns the rows asked for with {@link #ATTENTION_ROWS}, or null. */
    static int[] attentionRows(PairList<String, Object> params) {
        return params == null ? null : (int[]) params.get(ATTENTION_ROWS);
    }

    /** Returns forward parameters that ask for rows of the last layer's attention. */
    public static PairList<String, Object> withAttentionRows(int from, int to) {
        PairList<String, Object> p = new PairList<>();
        p.add(ATTENTION_ROWS, new int[] {from, to});
        return p;
    }

    /** Returns forward parameters that ask for attention weights. */
    public static PairList<String, Object> withAttention() {
        PairList<String, Object> p = new PairList<>();
        p.add(RETURN_ATTENTION, Boolean.TRUE);
        return p;
    }

    /**
     * The fixed Fourier frequencies (coordDim x features), drawn once from the configured seed;
     * {@link java.util.Random} is specified to give the same sequence everywhere, so the seed in
     * the saved configuration restores exactly these values.
     */
    private static float[] fourierMatrix(CstConfig c) {
        if (c.fourierFeatures == 0) {
            return null;
        }
        Random r = new Random(c.fourierSeed);
        float[] b = new float[c.coordDim * c.fourierFeatures];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextGaussian() * c.fourierScale);
        }
        return b;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray values = inputs.get(0);
        NDArray coords = inputs.get(1);
        NDArray keyMask = null;
        if (config.observedKeysOnly) {
            if (inputs.size() < 3) {
                throw new IllegalArgumentException(
                        "this CST attends to observed tokens only (observedKeysOnly); pass the"
                                + " observed-token mask (batch, tokens) as the third input");
            }
            keyMask = inputs.get(2);
        }
        NDArray x = valueEncoder.forward(ps, new NDList(values), training).head();
        x = x.add(positions(ps, coords, training));
        x = inputNorm.forward(ps, new NDList(x), training).head();
        x = dropout.forward(ps, new NDList(x), training).head();
        NDList attention = new NDList();
        boolean rowsOnly = attentionRows(params) != null;
        for (int l = 0; l < layers.size(); l++) {
            EncoderLayerBlock layer = layers.get(l);
            NDList in = keyMask == null ? new NDList(x) : new NDList(x, keyMask);
            // rows of the last layer's attention need no weights from the other layers
            boolean last = l == layers.size() - 1;
            NDList out = layer.forward(ps, in, training, rowsOnly && !last ? null : params);
            x = out.head();
            if (out.size() > 1) {
                attention.add(out.get(1));
            }
        }
        NDArray y = Activation.gelu(head1.forward(ps, new NDList(x), training).head());
        y = headNorm.forward(ps, new NDList(y), training).head();
        y = head2.forward(ps, new NDList(y), training).head();
        if (config.residualOutput) {
            y = y.add(values);
        }
        NDList result = new NDList(y);
        result.addAll(attention);
        return result;
    }

    private NDArray positions(ParameterStore ps, NDArray coords, boolean training) {
        if (config.positions == CstConfig.Positions.DISCRETE) {
            return sinusoids(coords);
        }
        return coordinateEncoder.forward(ps, new NDList(fourierFeatures(coords)), training).head();
    }

    private NDArray fourierFeatures(NDArray coords) {
        if (fourier == null) {
            return coords;
        }
        NDArray b =
                Tensors.of(
                        coords.getManager(),
                        fourier,
                        new Shape(config.coordDim, config.fourierFeatures));
        NDArray proj = coords.matMul(b).mul(2 * Math.PI);
        return NDArrays.concat(new NDList(proj.sin(), proj.cos()), -1);
    }

    /** Fixed sinusoidal codes of the time rounded to the grid (the discrete model). */
    private NDArray sinusoids(NDArray coords) {
        NDArray time = coords.get(":, :, 0:1");
        NDArray index = time.mul(config.gridSize - 1).round().clip(0, config.gridSize - 1);
        int d = config.modelDim;
        float[] freq = new float[d];
        float[] phase = new float[d];
        for (int i = 0; i < d; i++) {
            freq[i] = (float) Math.pow(10000, -(2.0 * (i / 2)) / d);
            phase[i] = (i % 2 == 0) ? 0f : (float) (Math.PI / 2);
        }
        NDManager m = coords.getManager();
        return index.mul(Tensors.of(m, freq, new Shape(d)))
                .add(Tensors.of(m, phase, new Shape(d)))
                .sin();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape v = inputs[0];
        return new Shape[] {new Shape(v.get(0), v.get(1), config.valueDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        Shape values = inputs[0];
        Shape coords = inputs[1];
        Shape hidden = new Shape(values.get(0), values.get(1), config.modelDim);
        valueEncoder.initialize(manager, dataType, values);
        Shape coordIn =
                fourier == null
                        ? coords
                        : new Shape(coords.get(0), coords.get(1), 2L * config.fourierFeatures);
        coordinateEncoder.initialize(manager, dataType, coordIn);
        inputNorm.initialize(manager, dataType, hidden);
        dropout.initialize(manager, dataType, hidden);
        for (EncoderLayerBlock layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        head1.initialize(manager, dataType, hidden);
        headNorm.initialize(manager, dataType, hidden);
        head2.initialize(manager, dataType, hidden);
    }
}
