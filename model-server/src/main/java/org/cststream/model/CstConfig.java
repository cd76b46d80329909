package org.cststream.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Sizes and choices of a CST (or of the discrete Transformer baseline), saved with the model as
 * JSON. Plain fields so that Jackson reads and writes them without ceremony.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public class CstConfig {
    /** Full softmax attention, or the Nystrom approximation with landmarks. */
    public enum Attention {
        FULL,
        NYSTROM
    }

    /** How token coordinates enter the model. */
    public enum Positions {
        /** A linear map of the real-valued coordinates (optionally Fourier features first). */
        CONTINUOUS,
        /** Sinusoidal codes of the time rounded to a grid index: the discrete Transformer. */
        DISCRETE
    }

    /** Values per token (e.g. 2 for a spiral point, p*p for a patch). */
    public int valueDim = 2;

    /** Coordinates per token: 1 (t) or 3 (t, row, col). */
    public int coordDim = 1;

    /** Model width d. */
    public int modelDim = 32;

    public int heads = 4;
    public int layers = 4;

    /** Width of the position-wise feed-forward layer. */
    public int feedForwardDim = 3072;

    public Attention attention = Attention.FULL;

    /** Nystrom landmarks m; sequences of at most m tokens use exact attention. */
    public int landmarks = 32;

    /** Iterations of the Moore-Penrose pseudo-inverse (Nystrom). */
    public int pinvIterations = 6;

    /** Gaussian Fourier features of the coordinates; 0 = plain linear map. */
    public int fourierFeatures = 0;

    /** Standard deviation of the Fourier frequencies (per unit of normalised coordinate). */
    public float fourierScale = 1f;

    public long fourierSeed = 1234;
    public Positions positions = Positions.CONTINUOUS;

    /** Grid size for {@link Positions#DISCRETE}: time in [0, 1] maps to 0..gridSize-1. */
    public int gridSize = 100;

    public float dropout = 0f;

    /**
     * Whether attention keys are the observed tokens only. When true, dummy and query tokens read
     * the observations but not each other: a query's value does not depend on which other queries
     * are asked in the same call (the model is one function of time), and queries cost attention in
     * proportion to their number. When false (the paper's code, and models saved before this field
     * existed), every token attends to every other. The block then needs the observed-token mask as
     * its third input.
     */
    public boolean observedKeysOnly = false;

    /**
     * Whether the head predicts a correction added to each token's input value instead of the value
     * itself. A departure from the paper's head: the model starts from the identity (dummy and
     * query tokens start at the linear interpolation), which a CPU budget of a few minutes can
     * improve on; without it the spirals model does not get past the linear interpolation's error
     * in that budget.
     */
    public boolean residualOutput = true;

    public CstConfig() {}

    /**
     * Returns the paper's spirals model (4 layers, 4 heads, d=32, feed-forward 3072) with time
     * through 64 fixed Gaussian Fourier features of 10 cycles per unit of time (standard deviation)
     * and attention to the observed tokens only.
     *
     * <p>With a plain linear map of time, attention cannot single out the observations near a query
     * (a score linear in each time peaks at the first or last token), and on the spirals the
     * trained model does not get past linear interpolation; the Fourier features, an option of the
     * authors' code, fix that.
     */
    public static CstConfig spirals() {
        CstConfig c = new CstConfig();
        c.fourierFeatures = 64;
        c.fourierScale = 10f;
        c.observedKeysOnly = true;
        return c;
    }

    /**
     * Returns a small widefield model for p x p patch tokens with (t, row, col) coordinates: width
     * 64, 4 heads, 2 layers, feed-forward 256, Nystrom attention with 64 landmarks over the
     * observed tokens, 64 Fourier features of the coordinates (8 cycles per unit).
     *
     * @param patchSize patch side p in pixels
     */
    public static CstConfig widefieldSmall(int patchSize) {
        CstConfig c = new CstConfig();
        c.valueDim = patchSize * patchSize;
        c.coordDim = 3;
        c.modelDim = 64;
        c.heads = 4;
        c.layers = 2;
        c.feedForwardDim = 256;
        c.attention = Attention.NYSTROM;
        c.landmarks = 64;
        c.fourierFeatures = 64;
        c.fourierScale = 8f;
        c.observedKeysOnly = true;
        // a patch has more values than the model is wide: a correction added to the input could
        // not remove the input's pixel noise, while a value read from the model's width is a
        // low-rank, denoised patch
        c.residualOutput = false;
        return c;
    }

    /**
     * Checks every size.
     *
     * @throws IllegalArgumentException naming the field and its bound
     */
    public CstConfig validate() {
        require(valueDim >= 1, "valueDim must be >= 1, was " + valueDim);
        require(coordDim >= 1 && coordDim <= 3, "coordDim must be 1..3, was " + coordDim);
        require(modelDim >= 1, "modelDim must be >= 1, was " + modelDim);
        require(
                heads >= 1 && modelDim % heads == 0,
                "heads must divide modelDim (" + modelDim + "), was " + heads);
        require(layers >= 1, "layers must be >= 1, was " + layers);
        require(feedForwardDim >= 1, "feedForwardDim must be >= 1, was " + feedForwardDim);
        require(landmarks >= 1, "landmarks must be >= 1, was " + landmarks);
        require(pinvIterations >= 1, "pinvIterations must be >= 1, was " + pinvIterations);
        require(fourierFeatures >= 0, "fourierFeatures must be >= 0, was " + fourierFeatures);
        require(gridSize >= 2, "gridSize must be >= 2, was " + gridSize);
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), was " + dropout);
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid CST configuration: " + message);
        }
    }
}
