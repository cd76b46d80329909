package org.cststream.job.frames.hemo;

/**
 * Everything the streaming correction keeps for one tile of one calcium channel of one session: the
 * band-limiting filters, the per-pixel regression moments, the MMSE blocks' moments and estimators,
 * and the z-score statistics. Plain arrays, so Flink stores it as a POJO.
 */
public class HemoTileState {
    /** The window and interior it was sized for; another shape restarts it. */
    public int windowWidth;

    public int windowHeight;
    public int interiorX;
    public int interiorY;
    public int interiorWidth;
    public int interiorHeight;

    /** Pairs seen; the calibration counts these. */
    public long frames;

    /** Acquisition time of the last pair, ns (camera clock). */
    public long lastNanos;

    /** Sum of the squared weights of the moments' samples; 1 / it is the effective count. */
    public double squaredWeights;

    /** High-pass states (the running low-pass) of both channels, per window pixel. */
    public double[] calciumLow = new double[0];

    public double[] isosbesticLow = new double[0];

    /** Low-pass state of the band-limited isosbestic channel, per window pixel. */
    public double[] isosbesticSmooth = new double[0];

    /** Per interior pixel: means, variances and covariance of the band-limited channels. */
    public double[] mean1 = new double[0];

    public double[] mean2 = new double[0];
    public double[] var1 = new double[0];
    public double[] var2 = new double[0];
    public double[] cov12 = new double[0];

    /** Per interior pixel: running mean and variance of the corrected value (z-score). */
    public double[] zMean = new double[0];

    public double[] zVar = new double[0];

    /** MMSE: per block the mean of [y1; y2] of its neighbourhood, flattened. */
    public double[] blockMean = new double[0];

    /** MMSE: per block the joint covariance, packed upper triangles, flattened. */
    public float[] blockCov = new float[0];

    /** MMSE: per block one row of weights per own pixel, flattened. */
    public float[] blockEstimator = new float[0];

    /** MMSE: per block 1 once its estimator exists. */
    public byte[] blockReady = new byte[0];

    /** MMSE: per block the pixels flagged at its last estimator computation. */
    public int[] blockFlagged = new int[0];

    public HemoTileState() {}

    /** Returns the bytes the arrays hold (the state's size in memory, object headers aside). */
    public long sizeBytes() {
        long doubles =
                calciumLow.length
                        + isosbesticLow.length
                        + isosbesticSmooth.length
                        + mean1.length
                        + mean2.length
                        + var1.length
                        + var2.length
                        + cov12.length
                        + zMean.length
                        + zVar.length
                        + blockMean.length;
        return 8 * doubles
                + 4L * (blockCov.length + blockEstimator.length + blockFlagged.length)
                + blockReady.length
                + 64;
    }
}
