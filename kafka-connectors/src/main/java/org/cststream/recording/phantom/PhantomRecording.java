package org.cststream.recording.phantom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.SplitMix64;

/**
 * A widefield session with known ground truth: two or three excitation channels interleaved, the
 * real parcel traces (or a synthetic stand-in) as neural signal, hemodynamics absorbing light in
 * every channel, and the faults of a real camera.
 *
 * <p>Each frame {@code i} of channel c at time t holds, per pixel p, the counts
 *
 * <pre>
 *   offset + B_c(p) * bleach_c(t) * (1 + x(p, t) [calcium channels only]) * exp(-g_c(p) h(p, t))
 * </pre>
 *
 * plus shot noise (variance = {@code countsPerElectron} times the counts above the offset, plus 4
 * counts^2 of read noise), rounded and clipped to 16 bits. Here {@code x} is the neural dF/F (the
 * ground truth, {@link #neuralFrame}): the parcel traces through the parcel map with smoothed
 * borders, plus visual cortex's response to drifting gratings when stimuli are on. {@code h} is
 * blood absorbance: vasomotion near 0.1 Hz along vessel-shaped structures (each vessel tree with
 * its own phase), slower parenchymal oscillations over a smooth field, and neurovascular coupling
 * (x convolved with a gamma hemodynamic response peaking at 0.8 s). {@code g_c(p)} is the channel's
 * absorption gain, larger on vessels and different per channel (isosbestic 1.3, 470 nm 1.0, 575 nm
 * 0.5), so the ratio of the channels' hemodynamic dF/F varies from pixel to pixel. {@code B_c(p)}
 * is the resting image: the channel's brightness (isosbestic 45%, 470 nm 100%, 575 nm 70% of {@code
 * photons}) times its own illumination pattern, times tissue (dimmer outside the brain and on
 * vessels), times a glint that saturates a small spot. Bleaching lowers each channel by 15% with
 * its own time constant.
 *
 * <p>Deterministic: the same settings give the same pixels for any read order and thread. Frames
 * carry their channel's wavelength and their acquisition time (frame index / fps, plus jitter);
 * frames lost without a counter trace ({@code lost}) are missing from the sequence, so the channel
 * alternation slips there.
 */
public final class PhantomRecording implements RecordingReader {
    private static final double READ_NOISE_VARIANCE = 4.0;
    private static final double VESSEL_AMPLITUDE = 0.04;
    private static final double PARENCHYMA_AMPLITUDE = 0.02;
    private static final double HRF_STEP_SECONDS = 0.1;
    private static final double[] HRF = gammaHrf(3, 0.4, HRF_STEP_SECONDS, 8.0);
    private static final long NOISE_STREAM = 0x4E4F495345L;
    private static final long JITTER_STREAM = 0x4A49545445L;

    /** Optical properties of one excitation channel. */
    private record Optics(
            double brightness,
            double gain,
            double vesselGain,
            double vesselDark,
            boolean neural,
            double bleachSeconds,
            double centreX,
            double centreY) {

        static Optics of(int nm, boolean isosbestic) {
            if (isosbestic) {
                return new Optics(0.45, 1.3, 0.2, 0.45, false, 400, 0.42, 0.58);
            }
            if (nm > 500) {
                return new Optics(0.7, 0.5, 0.8, 0.15, true, 320, 0.56, 0.45);
            }
            return new Optics(1.0, 1.0, 0.6, 0.35, true, 250, 0.5, 0.5);
        }
    }

    private final PhantomSettings settings;
    private final ParcelAtlas atlas;
    private final PhantomField field;
    private final GratingStimuli stimuli;
    private final int[] sourceIndex;
    private final Optics[] optics;
    private final float[][] base;
    private final float[][] gain;
    private final boolean[] saturated;
    private final double[][] treeOscillator;
    private final double[] parenchymaOscillator;

    /**
     * Generates the session's layout (the frames themselves are made on demand by {@link #read}).
     *
     * @throws IOException if the settings ask for the real neural data and it cannot be read
     */
    public PhantomRecording(PhantomSettings settings) throws IOException {
        this.settings = settings;
        Path data = settings.dataDir != null ? settings.dataDir : defaultDataDir();
        switch (settings.neural) {
            case HIGLEY:
                atlas = ParcelAtlas.higley(data);
                break;
            case SYNTHETIC:
                atlas = ParcelAtlas.synthetic(settings.seed);
                break;
            default:
                atlas = ParcelAtlas.loadOrSynthetic(data, settings.seed);
        }
        field = new PhantomField(atlas, settings.width, settings.height, settings.seed);
        double duration = settings.frames / settings.fps;
        stimuli =
                settings.stimuli
                        ? GratingStimuli.plan(duration, settings.seed)
                        : GratingStimuli.none();
        sourceIndex = keptFrames(settings);
        int channels = settings.channelsNm.size();
        optics = new Optics[channels];
        base = new float[channels][];
        gain = new float[channels][];
        int pixels = settings.width * settings.height;
        saturated = new boolean[pixels];
        boolean[] glint = glintMask();
        for (int c = 0; c < channels; c++) {
            int nm = settings.channelsNm.get(c);
            optics[c] = Optics.of(nm, channels > 1 && nm == settings.isosbesticNm);
            base[c] = new float[pixels];
            gain[c] = new float[pixels];
            Optics o = optics[c];
            for (int y = 0; y < settings.height; y++) {
                double v = (y + 0.5) / settings.height - o.centreY();
                for (int x = 0; x < settings.width; x++) {
                    double u = (x + 0.5) / settings.width - o.centreX();
                    int p = y * settings.width + x;
                    double illumination = Math.exp(-(u * u + v * v) / (2 * 0.45 * 0.45));
                    double tissue =
                            (0.3 + 0.7 * field.brain[p]) * (1 - o.vesselDark() * field.vessel[p]);
                    double b = settings.photons * o.brightness() * illumination * tissue;
                    if (glint[p]) {
                        b *= 8;
                    }
                    base[c][p] = (float) b;
                    gain[c][p] = (float) (o.gain() * (1 + o.vesselGain() * field.vessel[p]));
                    if (settings.offset + b * 1.05 >= 65535) {
                        saturated[p] = true;
                    }
                }
            }
        }
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(settings.seed, 0x4F534349L));
        treeOscillator = new double[PhantomField.TREES][];
        for (int t = 0; t < PhantomField.TREES; t++) {
            treeOscillator[t] =
                    new double[] {
                        0.08 + 0.04 * rng.nextDouble(),
                        2 * Math.PI * rng.nextDouble(),
                        0.01 + 0.01 * rng.nextDouble(),
                        2 * Math.PI * rng.nextDouble(),
                        0.2 + 0.1 * rng.nextDouble(),
                        2 * Math.PI * rng.nextDouble()
                    };
        }
        parenchymaOscillator =
                new double[] {
                    0.02 + 0.03 * rng.nextDouble(),
                    2 * Math.PI * rng.nextDouble(),
                    0.1 + 0.1 * rng.nextDouble(),
                    2 * Math.PI * rng.nextDouble(),
                    0.3 + 0.3 * rng.nextDouble(),
                    2 * Math.PI * rng.nextDouble()
                };
    }

    /**
     * Opens a phantom from an input spec ({@code phantom} or {@code phantom:key=value,...}, see
     * {@link PhantomSettings#parse}).
     */
    public static PhantomRecording open(String spec) throws IOException {
        return new PhantomRecording(PhantomSettings.parse(spec, PhantomSettings.builder()));
    }

    /** Returns the default folder of the real parcel traces, beside the checkout. */
    public static Path defaultDataDir() {
        return Paths.get(System.getProperty("cst.shared.dir", "../shared"))
                .resolve("data")
                .resolve("higley-widefield");
    }

    private static int[] keptFrames(PhantomSettings s) {
        int lost = (int) Math.round(s.lostFraction * s.frames);
        boolean[] gone = new boolean[s.frames];
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(s.seed, 0x4C4F5354L));
        int marked = 0;
        while (marked < lost && s.frames > 1) {
            int i = 1 + (int) (rng.nextDouble() * (s.frames - 1));
            if (!gone[i]) {
                gone[i] = true;
                marked++;
            }
        }
        int[] kept = new int[s.frames - marked];
        int k = 0;
        for (int i = 0; i < s.frames; i++) {
            if (!gone[i]) {
                kept[k++] = i;
            }
        }
        return kept;
    }

    private boolean[] glintMask() {
        boolean[] m = new boolean[settings.width * settings.height];
        if (!settings.glint) {
            return m;
        }
        int[] box = field.brainBox;
        double cx = box[0] + 0.7 * (box[2] - box[0]);
        double cy = box[1] + 0.3 * (box[3] - box[1]);
        double r = Math.max(1.5, 0.015 * Math.min(settings.width, settings.height));
        for (int y = 0; y < settings.height; y++) {
            for (int x = 0; x < settings.width; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                m[y * settings.width + x] = dx * dx + dy * dy <= r * r;
            }
        }
        return m;
    }

    /** Returns the settings this session was made from. */
    public PhantomSettings settings() {
        return settings;
    }

    /** Returns the grating protocol (empty without stimuli). */
    public GratingStimuli stimuli() {
        return stimuli;
    }

    /** Returns where the neural signal comes from. */
    public String neuralSource() {
        return atlas.describe();
    }

    @Override
    public int frameCount() {
        return sourceIndex.length;
    }

    @Override
    public int width() {
        return settings.width;
    }

    @Override
    public int height() {
        return settings.height;
    }

    @Override
    public PixelType pixelType() {
        return PixelType.UINT16;
    }

    @Override
    public int channels() {
        return settings.channelsNm.size();
    }

    /** Returns the wavelengths in acquisition order; frames carry their own as tags. */
    @Override
    public List<Integer> channelWavelengths() {
        return settings.channelsNm;
    }

    /** Returns the position in the acquisition sequence of frame {@code index}, before losses. */
    public int sourceIndex(int index) {
        return sourceIndex[index];
    }

    /** Returns the wavelength of frame {@code index}'s excitation, nm. */
    public int channelOf(int index) {
        int n = settings.channelsNm.size();
        return settings.channelsNm.get((sourceIndex[index] + settings.startChannel) % n);
    }

    /** Returns true if frame {@code index} is of a channel that carries the neural signal. */
    public boolean isCalcium(int index) {
        return channelIndex(index) >= 0 && optics[channelIndex(index)].neural();
    }

    private int channelIndex(int index) {
        return settings.channelsNm.indexOf(channelOf(index));
    }

    /** Returns frame {@code index}'s acquisition time, ns from the session start. */
    public long acquisitionNanos(int index) {
        int j = sourceIndex[index];
        long nominal = Math.round(j * 1e9 / settings.fps);
        if (settings.jitterNanos == 0) {
            return nominal;
        }
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(settings.seed ^ JITTER_STREAM, j));
        // bounded to 40% of a period, so exposures never swap order
        double bound = 0.4e9 / settings.fps;
        double jitter =
                Math.max(-bound, Math.min(bound, rng.nextGaussian() * settings.jitterNanos));
        return Math.max(0, nominal + Math.round(jitter));
    }

    /** Returns the fraction of brain tissue in each pixel (0 outside, 1 inside), row-major. */
    public float[] brainMask() {
        return field.brain.clone();
    }

    /** Returns which pixels the glint saturates in the brightest channel, row-major. */
    public boolean[] saturatedMask() {
        return saturated.clone();
    }

    /**
     * Returns the neural ground truth of frame {@code index}: dF/F per pixel at the frame's
     * acquisition time, row-major. Calcium channels carry exactly this signal (before absorption
     * and noise); the isosbestic channel carries none of it.
     */
    public float[] neuralFrame(int index) {
        checkIndex(index);
        double t = acquisitionNanos(index) / 1e9;
        double[] xk = parcelValues(t);
        double vis = settings.stimuli ? stimuli.response(t) : 0;
        float[] out = new float[settings.width * settings.height];
        for (int p = 0; p < out.length; p++) {
            out[p] = (float) neural(p, xk, vis);
        }
        return out;
    }

    /** Returns the noise-free expected counts of frame {@code index}, row-major. */
    public float[] meanFrame(int index) {
        checkIndex(index);
        return render(index, false);
    }

    @Override
    public Frame read(int index) {
        checkIndex(index);
        float[] counts = render(index, true);
        ByteBuffer out = ByteBuffer.allocate(counts.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < counts.length; p++) {
            out.putShort(2 * p, (short) (int) counts[p]);
        }
        Frame f = new Frame();
        f.frameCounter = index;
        f.width = settings.width;
        f.height = settings.height;
        f.pixelType = PixelType.UINT16;
        f.littleEndian = true;
        f.pixels = out.array();
        f.acquisitionNanos = acquisitionNanos(index);
        f.channelNm = channelOf(index);
        return f;
    }

    private float[] render(int index, boolean noisy) {
        int c = channelIndex(index);
        Optics o = optics[c];
        double t = acquisitionNanos(index) / 1e9;
        double[] xk = parcelValues(t);
        double vis = settings.stimuli ? stimuli.response(t) : 0;
        double[] hk = new double[xk.length];
        double hvis = 0;
        if (settings.coupling > 0) {
            for (int j = 0; j < HRF.length; j++) {
                double w = HRF[j] * HRF_STEP_SECONDS;
                double tj = t - j * HRF_STEP_SECONDS;
                for (int k = 0; k < hk.length; k++) {
                    hk[k] += w * atlas.trace(k, tj);
                }
                if (settings.stimuli) {
                    hvis += w * stimuli.response(tj);
                }
            }
        }
        double[] trees = new double[PhantomField.TREES];
        for (int k = 0; k < trees.length; k++) {
            double[] a = treeOscillator[k];
            trees[k] =
                    settings.hemoScale
                            * VESSEL_AMPLITUDE
                            * (0.75
                                            * Math.sin(
                                                    2 * Math.PI * a[0] * t
                                                            + a[1]
                                                            + Math.sin(
                                                                    2 * Math.PI * a[2] * t + a[3]))
                                    + 0.35 * Math.sin(2 * Math.PI * a[4] * t + a[5]));
        }
        double[] q = parenchymaOscillator;
        double paren =
                settings.hemoScale
                        * PARENCHYMA_AMPLITUDE
                        * (0.6 * Math.sin(2 * Math.PI * q[0] * t + q[1])
                                + 0.5 * Math.sin(2 * Math.PI * q[2] * t + q[3])
                                + 0.3 * Math.sin(2 * Math.PI * q[4] * t + q[5]));
        double bleach =
                settings.bleaching ? 1 - 0.15 * (1 - Math.exp(-t / o.bleachSeconds())) : 1.0;
        double coupling = settings.coupling * settings.neuralScale;
        float[] b = base[c];
        float[] g = gain[c];
        float[] out = new float[b.length];
        SplitMix64 rng =
                noisy
                        ? new SplitMix64(
                                SplitMix64.mix(settings.seed ^ NOISE_STREAM, sourceIndex[index]))
                        : null;
        int per = PhantomField.PARCELS_PER_PIXEL;
        for (int p = 0; p < out.length; p++) {
            double x = neural(p, xk, vis);
            double h = field.vessel[p] * trees[field.tree[p]] + field.parenchyma[p] * paren;
            if (coupling > 0) {
                double hx = 0;
                for (int s = 0; s < per; s++) {
                    hx += field.parcelWeight[p * per + s] * hk[field.parcel[p * per + s]];
                }
                h += coupling * (hx + field.visual[p] * hvis);
            }
            double signal = b[p] * bleach * (o.neural() ? 1 + x : 1) * Math.exp(-g[p] * h);
            double mean = settings.offset + Math.max(0, signal);
            if (rng != null) {
                double variance = settings.countsPerElectron * Math.max(0, signal);
                mean += Math.sqrt(variance + READ_NOISE_VARIANCE) * rng.nextGaussian();
                mean = Math.max(0, Math.min(65535, Math.rint(mean)));
            }
            out[p] = (float) mean;
        }
        return out;
    }

    private double neural(int p, double[] xk, double vis) {
        int per = PhantomField.PARCELS_PER_PIXEL;
        double x = 0;
        for (int s = 0; s < per; s++) {
            x += field.parcelWeight[p * per + s] * xk[field.parcel[p * per + s]];
        }
        return settings.neuralScale * (x + field.visual[p] * vis);
    }

    private double[] parcelValues(double t) {
        double[] xk = new double[atlas.parcels()];
        for (int k = 0; k < xk.length; k++) {
            xk[k] = atlas.trace(k, t);
        }
        return xk;
    }

    /** A gamma-shaped impulse response of shape k and scale theta (s), sampled every dt, area 1. */
    private static double[] gammaHrf(int k, double theta, double dt, double span) {
        int n = (int) Math.round(span / dt) + 1;
        double[] h = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double tau = i * dt;
            h[i] = Math.pow(tau / theta, k - 1) * Math.exp(-tau / theta);
            sum += h[i] * dt;
        }
        for (int i = 0; i < n; i++) {
            h[i] /= sum;
        }
        return h;
    }

    @Override
    public String describe() {
        StringBuilder ch = new StringBuilder();
        for (int nm : settings.channelsNm) {
            ch.append(ch.length() == 0 ? "" : "/").append(nm);
        }
        return String.format(
                Locale.ROOT,
                "phantom seed=%d frames=%d rows x cols=%dx%d type=uint16 fps=%s channels=%s"
                        + " (isosbestic %d nm%s) neural=%s stimuli=%d",
                settings.seed,
                frameCount(),
                settings.height,
                settings.width,
                settings.fps,
                ch,
                settings.isosbesticNm,
                settings.startChannel == 0 ? "" : ", first frame " + channelOf(0) + " nm",
                atlas.describe(),
                stimuli.stimuli().size());
    }

    /** Holds no resources. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return describe();
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= frameCount()) {
            throw new IndexOutOfBoundsException(
                    "frame index "
                            + index
                            + " is outside 0.."
                            + (frameCount() - 1)
                            + " of "
                            + this);
        }
    }

    /** Returns the indices, ascending, of the frames of one channel. */
    public int[] framesOf(int nm) {
        return IntStream.range(0, frameCount()).filter(i -> channelOf(i) == nm).toArray();
    }
}
