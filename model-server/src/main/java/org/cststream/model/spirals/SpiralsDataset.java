package org.cststream.model.spirals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cststream.frame.PixelConversion;
import org.cststream.recording.NpyStackReader;

/**
 * The integral-equation spirals of the CST paper: curves of evenly spaced points in time, each
 * point a vector of coordinates (500 curves of 100 points in 2 dimensions in the shared file).
 *
 * <p>Time is not stored in the file; point {@code j} of {@code P} lies at {@code t = j / (P - 1)},
 * so that the points span {@code [0, 1]}. Every curve is observed at {@value #OBSERVED_POINTS}
 * regularly spaced points (indices 0, 11, 22, ..., 99 for 100 points); the other points are the
 * interpolation targets.
 */
public final class SpiralsDataset {
    /** Name of the shared file, under {@code data/cst-spirals/} of the shared folder. */
    public static final String FILE_NAME = "ie_spirals_500x100x2_float32.npy";

    /** Observed points per curve. */
    public static final int OBSERVED_POINTS = 10;

    /** Fraction of the curves that train; the rest are held out. */
    public static final double TRAIN_FRACTION = 0.7;

    private final String source;
    private final double[][][] curves;
    private final double[] times;
    private final int[] observedIndices;
    private final int[] targetIndices;
    private final double dataScale;

    private SpiralsDataset(String source, double[][][] curves) {
        this.source = source;
        this.curves = curves;
        int points = curves[0].length;
        this.times = new double[points];
        for (int j = 0; j < points; j++) {
            times[j] = (double) j / (points - 1);
        }
        this.observedIndices = observedIndices(points, OBSERVED_POINTS);
        this.targetIndices = complement(observedIndices, points);
        this.dataScale = standardDeviation(curves);
    }

    /**
     * Returns where the shared spirals file is expected: {@code data/cst-spirals/}{@value
     * #FILE_NAME} under the folder named by the system property {@code cst.shared.dir} (default
     * {@code ../shared}).
     */
    public static Path defaultPath() {
        return Path.of(System.getProperty("cst.shared.dir", "../shared"))
                .resolve("data")
                .resolve("cst-spirals")
                .resolve(FILE_NAME);
    }

    /**
     * Loads the shared spirals file from {@link #defaultPath()}.
     *
     * @throws IOException as for {@link #load(Path)}
     */
    public static SpiralsDataset load() throws IOException {
        return load(defaultPath());
    }

    /**
     * Loads spirals from a {@code .npy} array of shape (curves, points, coordinates).
     *
     * @param npy the file; any dtype the recording readers accept, read as float32
     * @throws IOException if the file is missing or unreadable, or its shape does not have 3 axes
     *     with at least 1 curve, {@value #OBSERVED_POINTS} points and 1 coordinate; the message
     *     names the file
     */
    public static SpiralsDataset load(Path npy) throws IOException {
        if (!Files.isRegularFile(npy)) {
            throw new IOException(
                    npy.toAbsolutePath()
                            + ": spirals file not found (set -Dcst.shared.dir to the folder"
                            + " holding data/cst-spirals/)");
        }
        try (NpyStackReader reader = NpyStackReader.open(npy)) {
            if (reader.header().ndim() != 3) {
                throw new IOException(
                        npy
                                + ": shape "
                                + reader.header().shapeText()
                                + " has "
                                + reader.header().ndim()
                                + " axes; spirals need (curves, points, coordinates)");
            }
            int points = reader.height();
            int dims = reader.width();
            if (points < OBSERVED_POINTS || dims < 1) {
                throw new IOException(
                        npy
                                + ": shape "
                                + reader.header().shapeText()
                                + " has "
                                + points
                                + " points of "
                                + dims
                                + " coordinates; need at least "
                                + OBSERVED_POINTS
                                + " points and 1 coordinate");
            }
            double[][][] curves = new double[reader.frameCount()][points][dims];
            for (int c = 0; c < curves.length; c++) {
                float[] flat = PixelConversion.toFloats(reader.read(c));
                for (int j = 0; j < points; j++) {
                    for (int d = 0; d < dims; d++) {
                        curves[c][j][d] = flat[j * dims + d];
                    }
                }
            }
            return new SpiralsDataset(npy.toString(), curves);
        }
    }

    /**
     * Wraps curves held in memory, e.g. synthetic ones for a test.
     *
     * @param source a description for tables, e.g. {@code "synthetic"}
     * @param curves (curves, points, coordinates); copied
     * @throws IllegalArgumentException if there is no curve, a curve has fewer than {@value
     *     #OBSERVED_POINTS} points, or the curves differ in shape
     */
    public static SpiralsDataset of(String source, double[][][] curves) {
        if (curves.length == 0) {
            throw new IllegalArgumentException("curves is empty; need 1 or more");
        }
        int points = curves[0].length;
        if (points < OBSERVED_POINTS || curves[0][0].length == 0) {
            throw new IllegalArgumentException(
                    "curves[0] has "
                            + points
                            + " points; need at least "
                            + OBSERVED_POINTS
                            + " points of 1 or more coordinates");
        }
        int dims = curves[0][0].length;
        double[][][] copy = new double[curves.length][points][];
        for (int c = 0; c < curves.length; c++) {
            if (curves[c].length != points) {
                throw new IllegalArgumentException(
                        "curves["
                                + c
                                + "] has "
                                + curves[c].length
                                + " points; curves[0] has "
                                + points);
            }
            for (int j = 0; j < points; j++) {
                if (curves[c][j].length != dims) {
                    throw new IllegalArgumentException(
                            "curves["
                                    + c
                                    + "]["
                                    + j
                                    + "] has "
                                    + curves[c][j].length
                                    + " coordinates; curves[0][0] has "
                                    + dims);
                }
                copy[c][j] = curves[c][j].clone();
            }
        }
        return new SpiralsDataset(source, copy);
    }

    /**
     * Returns {@code count} regularly spaced indices from 0 to {@code points - 1}, both included:
     * index {@code k} is {@code round(k (points - 1) / (count - 1))}.
     *
     * @param points points per curve, at least {@code count}
     * @param count indices wanted, at least 2
     */
    public static int[] observedIndices(int points, int count) {
        if (count < 2 || points < count) {
            throw new IllegalArgumentException(
                    "need 2 <= count <= points, got count=" + count + " points=" + points);
        }
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = (int) Math.round((double) k * (points - 1) / (count - 1));
        }
        return out;
    }

    /** Returns where the curves came from: the file's path or the given description. */
    public String source() {
        return source;
    }

    /** Returns the number of curves (500 in the shared file). */
    public int curveCount() {
        return curves.length;
    }

    /** Returns the number of points per curve (100 in the shared file). */
    public int pointCount() {
        return times.length;
    }

    /** Returns the number of coordinates per point (2 in the shared file). */
    public int dimensions() {
        return curves[0][0].length;
    }

    /** Returns the time of each point, evenly spaced on {@code [0, 1]}. */
    public double[] times() {
        return times.clone();
    }

    /** Returns the indices of the observed points (0, 11, ..., 99 for 100 points). */
    public int[] observedIndices() {
        return observedIndices.clone();
    }

    /** Returns the indices of the interpolation targets: every point not observed. */
    public int[] targetIndices() {
        return targetIndices.clone();
    }

    /**
     * Returns a copy of one curve's values.
     *
     * @param index the curve, from 0 to {@link #curveCount()} - 1
     * @return one row per point, one column per coordinate
     */
    public double[][] curve(int index) {
        double[][] out = new double[times.length][];
        for (int j = 0; j < out.length; j++) {
            out[j] = curves[index][j].clone();
        }
        return out;
    }

    /**
     * Returns the data scale: the standard deviation (population, divided by the count) of all
     * values of all curves, points and coordinates together. Noise levels are fractions of it.
     */
    public double dataScale() {
        return dataScale;
    }

    /**
     * Splits the curves without noise; see {@link #split(long, double, long)}.
     *
     * @param seed seed of the shuffle
     */
    public SpiralSplit split(long seed) {
        return split(seed, 0, 0);
    }

    /**
     * Splits the curves into {@value #TRAIN_FRACTION} training and the rest held out, after a
     * shuffle with a fixed seed, and adds Gaussian noise to the observed points of every curve.
     *
     * <p>The first {@code round(0.7 x curves)} curves of the shuffled order train (350 of 500). The
     * noise has standard deviation {@code noiseFraction x} {@link #dataScale()}, independent per
     * curve, point and coordinate. It is drawn from {@code noiseSeed} for every curve in data-set
     * order, whatever the split, and then scaled, so that the same seeds at two noise levels give
     * the same noise pattern at two sizes.
     *
     * @param seed seed of the shuffle; the same seed gives the same split
     * @param noiseFraction noise as a fraction of the data scale, 0 or more (0.05 and 0.1 in the
     *     benchmark)
     * @param noiseSeed seed of the noise
     * @throws IllegalArgumentException if {@code noiseFraction} is negative or not finite
     */
    public SpiralSplit split(long seed, double noiseFraction, long noiseSeed) {
        if (!(noiseFraction >= 0) || Double.isInfinite(noiseFraction)) {
            throw new IllegalArgumentException(
                    "noiseFraction = "
                            + noiseFraction
                            + "; need a finite fraction of the data scale, 0 or more");
        }
        int[] order = shuffledOrder(curves.length, seed);
        double noiseStd = noiseFraction * dataScale;
        Random noise = new Random(noiseSeed);
        double[][][] observed = new double[curves.length][observedIndices.length][dimensions()];
        for (int c = 0; c < curves.length; c++) {
            for (int k = 0; k < observedIndices.length; k++) {
                for (int d = 0; d < dimensions(); d++) {
                    double z = noise.nextGaussian();
                    observed[c][k][d] = curves[c][observedIndices[k]][d] + noiseStd * z;
                }
            }
        }
        int trainCount = (int) Math.round(TRAIN_FRACTION * curves.length);
        List<SpiralSplit.Curve> train = new ArrayList<>(trainCount);
        List<SpiralSplit.Curve> test = new ArrayList<>(curves.length - trainCount);
        for (int i = 0; i < order.length; i++) {
            int c = order[i];
            SpiralSplit.Curve curve = new SpiralSplit.Curve(c, curves[c], observed[c]);
            (i < trainCount ? train : test).add(curve);
        }
        return new SpiralSplit(
                times.clone(),
                observedIndices.clone(),
                targetIndices.clone(),
                train,
                test,
                noiseFraction,
                noiseStd,
                dataScale,
                seed);
    }

    /** Returns a Fisher-Yates shuffle of 0..n-1 driven by {@code java.util.Random(seed)}. */
    private static int[] shuffledOrder(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static int[] complement(int[] indices, int points) {
        boolean[] taken = new boolean[points];
        for (int i : indices) {
            taken[i] = true;
        }
        int[] out = new int[points - indices.length];
        int n = 0;
        for (int j = 0; j < points; j++) {
            if (!taken[j]) {
                out[n++] = j;
            }
        }
        return out;
    }

    private static double standardDeviation(double[][][] curves) {
        double sum = 0;
        long n = 0;
        for (double[][] curve : curves) {
            for (double[] point : curve) {
                for (double v : point) {
                    sum += v;
                    n++;
                }
            }
        }
        double mean = sum / n;
        double squares = 0;
        for (double[][] curve : curves) {
            for (double[] point : curve) {
                for (double v : point) {
                    squares += (v - mean) * (v - mean);
                }
            }
        }
        return Math.sqrt(squares / n);
    }
}
