package org.cststream.job.frames.hemo;

import java.io.Serializable;

/**
 * The settings of the hemodynamic correction, as the job's options give them (see {@code
 * FrameJobOptions}, keys {@code hemo.*}).
 *
 * @param method the correction
 * @param tileSize side of the spatial tiles the work is keyed by, pixels (8..1024)
 * @param calibrationFrames frames of a calcium channel averaged plainly before the moments adapt
 *     and before the MMSE estimator is first computed (>= 2)
 * @param adaptNanos time constant of the exponentially weighted moments after calibration, ns
 * @param highpassHz cut-off of the first-order high-pass applied to both channels, Hz (0 = off)
 * @param lowpassHz cut-off of the first-order low-pass applied to the isosbestic channel, Hz (0 =
 *     off)
 * @param minCoefficient smallest plausible regression coefficient
 * @param maxCoefficient largest plausible regression coefficient
 * @param block side of the MMSE blocks that share one estimator, pixels (1..32)
 * @param margin pixels on each side of a block that join its neighbourhood (0..16)
 * @param updateFrames frames between two computations of a block's MMSE estimator (>= 1)
 * @param zscoreNanos time constant of the running mean and variance of the z-score, ns
 */
public record HemoSettings(
        HemoMethod method,
        int tileSize,
        int calibrationFrames,
        long adaptNanos,
        double highpassHz,
        double lowpassHz,
        double minCoefficient,
        double maxCoefficient,
        int block,
        int margin,
        int updateFrames,
        long zscoreNanos)
        implements Serializable {

    /**
     * Settings for the correction's unit tests, with the given method: the job's defaults except
     * MMSE blocks of 4 pixels refreshed every 200 frames (the job's options default to 2 and 300;
     * {@code FrameJobOptions.hemoSettings} gives those).
     */
    public static HemoSettings defaults(HemoMethod method) {
        return new HemoSettings(
                method, 32, 100, 60_000_000_000L, 0.1, 14.0, 0.0, 4.0, 4, 1, 200, 60_000_000_000L);
    }

    /** Returns these settings with another method. */
    public HemoSettings withMethod(HemoMethod m) {
        return new HemoSettings(
                m,
                tileSize,
                calibrationFrames,
                adaptNanos,
                highpassHz,
                lowpassHz,
                minCoefficient,
                maxCoefficient,
                block,
                margin,
                updateFrames,
                zscoreNanos);
    }

    /** Returns these settings with another calibration length. */
    public HemoSettings withCalibrationFrames(int frames) {
        return new HemoSettings(
                method,
                tileSize,
                frames,
                adaptNanos,
                highpassHz,
                lowpassHz,
                minCoefficient,
                maxCoefficient,
                block,
                margin,
                updateFrames,
                zscoreNanos);
    }

    /** Returns these settings with other MMSE blocks. */
    public HemoSettings withBlocks(int blockSide, int blockMargin, int everyFrames) {
        return new HemoSettings(
                method,
                tileSize,
                calibrationFrames,
                adaptNanos,
                highpassHz,
                lowpassHz,
                minCoefficient,
                maxCoefficient,
                blockSide,
                blockMargin,
                everyFrames,
                zscoreNanos);
    }

    /** Returns these settings with another tile size. */
    public HemoSettings withTileSize(int side) {
        return new HemoSettings(
                method,
                side,
                calibrationFrames,
                adaptNanos,
                highpassHz,
                lowpassHz,
                minCoefficient,
                maxCoefficient,
                block,
                margin,
                updateFrames,
                zscoreNanos);
    }

    /** Returns the margin the tiles carry: the MMSE neighbourhood's, none for regression. */
    public int tileMargin() {
        return method == HemoMethod.MMSE ? margin : 0;
    }
}
