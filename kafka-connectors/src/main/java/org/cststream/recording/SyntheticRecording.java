package org.cststream.recording;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * A generated demo session: deterministic, seeded frames that look like widefield calcium imaging,
 * for running the pipeline without a camera or a recording.
 *
 * <p>Each frame is a smooth vignette background (about {@value #BACKGROUND_COUNTS} counts at the
 * centre, 35% less in the corners) plus a few Gaussian blobs whose brightness follows calcium
 * transients (a rise of {@value #RISE_SECONDS} s and an exponential decay of {@value
 * #DECAY_SECONDS} s, at random times about every {@value #MEAN_EVENT_INTERVAL_SECONDS} s per blob),
 * plus shot noise of variance equal to the mean. Pixels are {@link PixelType#UINT16},
 * little-endian.
 *
 * <p>The same seed and index always give the same pixels, in any read order, on any thread and on
 * any JVM: the generator is {@link SplitMix64}, fixed in this project, rather than a JDK generator
 * whose algorithm may change between releases. A longer session with the same seed starts with the
 * same frames as a shorter one.
 */
public final class SyntheticRecording implements RecordingReader {
    /** Default frame width and height in pixels. */
    public static final int DEFAULT_SIZE = 128;

    /** Default frame rate, in frames per second. */
    public static final double DEFAULT_FRAMES_PER_SECOND = 30.0;

    /** Largest width or height accepted, in pixels. */
    public static final int MAX_SIDE_PIXELS = 4096;

    /** Background level at the frame centre, in camera counts. */
    public static final double BACKGROUND_COUNTS = 2000.0;

    /** Calcium transient rise time constant, in seconds. */
    public static final double RISE_SECONDS = 0.05;

    /** Calcium transient decay time constant, in seconds. */
    public static final double DECAY_SECONDS = 0.8;

    /** Mean time between transients of one blob, in seconds. */
    public static final double MEAN_EVENT_INTERVAL_SECONDS = 3.0;

    private static final int BLOB_COUNT = 6;
    private static final double VIGNETTE_DEPTH = 0.35;
    // a transient older than this many decay constants adds under 0.1% and is dropped
    private static final double KERNEL_SPAN_DECAYS = 7.0;
    private static final long TRANSIENT_STREAM = 0x5452414E5349454EL;
    private static final long NOISE_STREAM = 0x4E4F495345000000L;

    private final long seed;
    private final int frameCount;
    private final int width;
    private final int height;
    private final double framesPerSecond;
    private final float[] background;
    private final float[][] profileX;
    private final float[][] profileY;

    /** Per blob: transient onset times in frames (ascending) and their peak amplitudes. */
    private final double[][] onsets;

    private final double[][] amplitudes;
    private final double kernelPeak;

    /**
     * Creates a session of {@value #DEFAULT_SIZE}x{@value #DEFAULT_SIZE} frames at {@value
     * #DEFAULT_FRAMES_PER_SECOND} frames per second.
     *
     * @param seed any value; equal seeds give equal sessions
     * @param frameCount number of frames, 1 or more
     * @throws IllegalArgumentException if frameCount is below 1
     */
    public SyntheticRecording(long seed, int frameCount) {
        this(seed, frameCount, DEFAULT_SIZE, DEFAULT_SIZE, DEFAULT_FRAMES_PER_SECOND);
    }

    /**
     * Creates a session.
     *
     * @param seed any value; equal seeds give equal sessions
     * @param frameCount number of frames, 1 or more
     * @param width frame width in pixels, 1..{@value #MAX_SIDE_PIXELS}
     * @param height frame height in pixels, 1..{@value #MAX_SIDE_PIXELS}
     * @param framesPerSecond frame rate, above 0 and at most 10000; sets the transients' time scale
     *     and the frames' acquisition times
     * @throws IllegalArgumentException naming the parameter and its bounds if one is out of range
     */
    public SyntheticRecording(
            long seed, int frameCount, int width, int height, double framesPerSecond) {
        if (frameCount < 1) {
            throw new IllegalArgumentException("frameCount must be 1 or more, got " + frameCount);
        }
        checkSide("width", width);
        checkSide("height", height);
        if (!(framesPerSecond > 0 && framesPerSecond <= 10_000)) {
            throw new IllegalArgumentException(
                    "framesPerSecond must be above 0 and at most"
                            + " 10000 frames/s, got "
                            + framesPerSecond);
        }
        this.seed = seed;
        this.frameCount = frameCount;
        this.width = width;
        this.height = height;
        this.framesPerSecond = framesPerSecond;
        this.background = vignette(width, height);
        this.profileX = new float[BLOB_COUNT][];
        this.profileY = new float[BLOB_COUNT][];
        this.onsets = new double[BLOB_COUNT][];
        this.amplitudes = new double[BLOB_COUNT][];
        double rise = RISE_SECONDS * framesPerSecond;
        double decay = DECAY_SECONDS * framesPerSecond;
        double tPeak = rise * Math.log(1 + decay / rise);
        this.kernelPeak = (1 - Math.exp(-tPeak / rise)) * Math.exp(-tPeak / decay);
        SplitMix64 layout = new SplitMix64(mix(seed, 0));
        for (int b = 0; b < BLOB_COUNT; b++) {
            double cx = (0.15 + 0.7 * layout.nextDouble()) * width;
            double cy = (0.15 + 0.7 * layout.nextDouble()) * height;
            double sigma =
                    Math.max(0.7, (0.03 + 0.05 * layout.nextDouble()) * Math.min(width, height));
            double peak = 300 + 600 * layout.nextDouble();
            profileX[b] = gaussian(width, cx, sigma);
            profileY[b] = gaussian(height, cy, sigma);
            generateTransients(b, peak);
        }
    }

    private static void checkSide(String name, int value) {
        if (value < 1 || value > MAX_SIDE_PIXELS) {
            throw new IllegalArgumentException(
                    name + " must be 1.." + MAX_SIDE_PIXELS + " pixels, got " + value);
        }
    }

    private void generateTransients(int blob, double peak) {
        // each blob has its own stream, so the transients of a frame depend only on the seed
        // and on the onsets up to that frame, not on the session length
        SplitMix64 rng = new SplitMix64(mix(seed ^ TRANSIENT_STREAM, blob));
        double meanGap = MEAN_EVENT_INTERVAL_SECONDS * framesPerSecond;
        double[] t = new double[16];
        double[] a = new double[16];
        int n = 0;
        // start a little before frame 0 so that the first frames may be mid-decay
        double time = -KERNEL_SPAN_DECAYS * DECAY_SECONDS * framesPerSecond * rng.nextDouble();
        while (true) {
            // exponential gaps: onsets form a Poisson process
            time += -meanGap * Math.log(1 - rng.nextDouble());
            if (time >= frameCount) {
                break;
            }
            if (n == t.length) {
                t = Arrays.copyOf(t, t.length * 2);
                a = Arrays.copyOf(a, a.length * 2);
            }
            t[n] = time;
            a[n] = peak * (0.5 + rng.nextDouble());
            n++;
        }
        onsets[blob] = Arrays.copyOf(t, n);
        amplitudes[blob] = Arrays.copyOf(a, n);
    }

    /** Returns the seed this session was generated from. */
    public long seed() {
        return seed;
    }

    /** Returns the nominal frame rate, in frames per second. */
    public double framesPerSecond() {
        return framesPerSecond;
    }

    @Override
    public int frameCount() {
        return frameCount;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public PixelType pixelType() {
        return PixelType.UINT16;
    }

    /**
     * Returns the noise-free expected value of every pixel of a frame, in counts, row-major: the
     * ground truth that a denoiser or a fill can be scored against.
     *
     * @param index 0..frameCount()-1
     */
    public float[] meanFrame(int index) {
        ReaderSupport.checkIndex(index, frameCount, this);
        double[] activity = new double[BLOB_COUNT];
        for (int b = 0; b < BLOB_COUNT; b++) {
            activity[b] = activity(b, index);
        }
        float[] mean = background.clone();
        for (int b = 0; b < BLOB_COUNT; b++) {
            if (activity[b] == 0) {
                continue;
            }
            float[] px = profileX[b];
            float[] py = profileY[b];
            for (int y = 0; y < height; y++) {
                float ay = (float) (activity[b] * py[y]);
                if (ay < 1e-4f) {
                    continue;
                }
                int row = y * width;
                for (int x = 0; x < width; x++) {
                    mean[row + x] += ay * px[x];
                }
            }
        }
        return mean;
    }

    /**
     * {@inheritDoc} The acquisition time is {@code index / framesPerSecond()} in nanoseconds. Safe
     * to call from several threads at once.
     */
    @Override
    public Frame read(int index) {
        float[] mean = meanFrame(index);
        SplitMix64 rng = new SplitMix64(mix(seed ^ NOISE_STREAM, index));
        ByteBuffer out = ByteBuffer.allocate(mean.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < mean.length; i += 2) {
            // Box-Muller gives two independent normal deviates per pair of uniforms
            double r = Math.sqrt(-2 * Math.log(1 - rng.nextDouble()));
            double phi = 2 * Math.PI * rng.nextDouble();
            out.putShort(2 * i, counts(mean[i], r * Math.cos(phi)));
            if (i + 1 < mean.length) {
                out.putShort(2 * i + 2, counts(mean[i + 1], r * Math.sin(phi)));
            }
        }
        Frame f =
                ReaderSupport.frame(
                        index,
                        width,
                        height,
                        PixelType.UINT16,
                        ByteOrder.LITTLE_ENDIAN,
                        out.array());
        f.acquisitionNanos = Math.round(index * 1e9 / framesPerSecond);
        return f;
    }

    /** Returns one pixel: the mean plus shot noise (variance = mean), clamped to uint16. */
    private static short counts(float mean, double normal) {
        double v = mean + Math.sqrt(Math.max(mean, 0)) * normal;
        long rounded = Math.round(v);
        return (short) Math.max(0, Math.min(65535, rounded));
    }

    /** Returns the summed transient amplitude of one blob at a frame, in counts. */
    private double activity(int blob, int index) {
        double[] t = onsets[blob];
        double[] a = amplitudes[blob];
        double rise = RISE_SECONDS * framesPerSecond;
        double decay = DECAY_SECONDS * framesPerSecond;
        double span = KERNEL_SPAN_DECAYS * decay;
        int last = upperBound(t, index);
        double sum = 0;
        for (int k = last - 1; k >= 0 && index - t[k] < span; k--) {
            double dt = index - t[k];
            sum += a[k] * (1 - Math.exp(-dt / rise)) * Math.exp(-dt / decay) / kernelPeak;
        }
        return sum;
    }

    /** Returns the number of entries of the ascending array that are at most {@code x}. */
    private static int upperBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static float[] vignette(int width, int height) {
        float[] bg = new float[width * height];
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        double r2max = cx * cx + cy * cy;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double r2 = r2max == 0 ? 0 : ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2max;
                bg[y * width + x] = (float) (BACKGROUND_COUNTS * (1 - VIGNETTE_DEPTH * r2));
            }
        }
        return bg;
    }

    private static float[] gaussian(int n, double centre, double sigma) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            double d = (i - centre) / sigma;
            g[i] = (float) Math.exp(-0.5 * d * d);
        }
        return g;
    }

    private static long mix(long a, long b) {
        return SplitMix64.mix(a, b);
    }

    @Override
    public String describe() {
        return "synthetic seed="
                + seed
                + " "
                + ReaderSupport.describeShape(frameCount, width, height, PixelType.UINT16)
                + " fps="
                + framesPerSecond;
    }

    /** Holds no resources. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return describe();
    }
}
