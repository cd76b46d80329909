package org.cststream.recording.phantom;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything that shapes a phantom session: geometry, timing, channels, signal strengths and the
 * acquisition faults it carries. Build with {@link #builder()} or {@link #parse}; {@link
 * Builder#build()} names the value out of range, its bound and unit.
 */
public final class PhantomSettings {
    /** How the spec of an input names the phantom: {@code phantom} or {@code phantom:k=v,...}. */
    public static final String SPEC_PREFIX = "phantom";

    /** Largest width or height, pixels. */
    public static final int MAX_SIDE = 2048;

    /** Where the neural signal comes from. */
    public enum Neural {
        /** The real parcel traces when the data folder holds them, else the synthetic atlas. */
        AUTO,
        /** The real parcel traces; fails if the data folder lacks them. */
        HIGLEY,
        /** The seeded synthetic atlas. */
        SYNTHETIC
    }

    public final int width;
    public final int height;

    /** Frames in the recording, over all channels (before {@link #lostFraction}). */
    public final int frames;

    /** Frames per second over all channels; each of N channels runs at fps / N. */
    public final double fps;

    /** Excitation wavelengths in acquisition order, nm. */
    public final List<Integer> channelsNm;

    /** The isosbestic channel's wavelength, nm; it carries no neural signal. */
    public final int isosbesticNm;

    /** Position in {@link #channelsNm} of the first frame's channel (0 = as listed). */
    public final int startChannel;

    public final long seed;

    /** Whether visual cortex responds to drifting gratings (2 s on, 5 s off). */
    public final boolean stimuli;

    /** Factor on every hemodynamic amplitude; 0 removes hemodynamics. */
    public final double hemoScale;

    /** Strength of neurovascular coupling: blood volume following neural activity. */
    public final double coupling;

    /** Factor on the neural signal; 0 gives a session of hemodynamics and noise only. */
    public final double neuralScale;

    /** Mean counts of the brightest channel at the field's centre (sets the shot noise). */
    public final double photons;

    /** Camera offset, counts. */
    public final double offset;

    /**
     * Counts per photo-electron: shot noise has variance {@code countsPerElectron} times the counts
     * above the offset. The default, 0.1, is a binned sCMOS pixel of about 10^5 electrons at 10^4
     * counts (0.3% noise).
     */
    public final double countsPerElectron;

    /** Whether fluorescence bleaches slowly (15% over minutes, per channel). */
    public final boolean bleaching;

    /** Whether a small glint saturates the camera (pixels at 65535). */
    public final boolean glint;

    /** Standard deviation of timing jitter of each exposure, ns. */
    public final long jitterNanos;

    /** Fraction of frames missing from the recording without a trace in the counter. */
    public final double lostFraction;

    public final Neural neural;

    /** The {@code higley-widefield} folder, or null for the default beside the checkout. */
    public final Path dataDir;

    private PhantomSettings(Builder b) {
        width = b.width;
        height = b.height;
        frames = b.frames;
        fps = b.fps;
        channelsNm = List.copyOf(b.channelsNm);
        isosbesticNm = b.isosbesticNm > 0 ? b.isosbesticNm : isosbesticOf(b.channelsNm);
        startChannel = b.startChannel;
        seed = b.seed;
        stimuli = b.stimuli;
        hemoScale = b.hemoScale;
        coupling = b.coupling;
        neuralScale = b.neuralScale;
        photons = b.photons;
        offset = b.offset;
        countsPerElectron = b.countsPerElectron;
        bleaching = b.bleaching;
        glint = b.glint;
        jitterNanos = b.jitterNanos;
        lostFraction = b.lostFraction;
        neural = b.neural;
        dataDir = b.dataDir;
    }

    /** Returns the listed wavelength between 380 and 430 nm, or -1 if there is none. */
    static int isosbesticOf(List<Integer> channels) {
        for (int nm : channels) {
            if (nm >= 380 && nm <= 430) {
                return nm;
            }
        }
        return -1;
    }

    /** Returns a builder with the defaults: 256x256, 1200 frames at 20 fps, 470/405 nm. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.width = width;
        b.height = height;
        b.frames = frames;
        b.fps = fps;
        b.channelsNm = channelsNm;
        b.isosbesticNm = isosbesticNm;
        b.startChannel = startChannel;
        b.seed = seed;
        b.stimuli = stimuli;
        b.hemoScale = hemoScale;
        b.coupling = coupling;
        b.neuralScale = neuralScale;
        b.photons = photons;
        b.offset = offset;
        b.countsPerElectron = countsPerElectron;
        b.bleaching = bleaching;
        b.glint = glint;
        b.jitterNanos = jitterNanos;
        b.lostFraction = lostFraction;
        b.neural = neural;
        b.dataDir = dataDir;
        return b;
    }

    /** Returns true if an input spec names the phantom ({@code phantom} or {@code phantom:...}). */
    public static boolean isSpec(String input) {
        return input != null && (input.equals(SPEC_PREFIX) || input.startsWith(SPEC_PREFIX + ":"));
    }

    /**
     * Parses {@code phantom} or {@code phantom:key=value,key=value}. Keys: {@code size} (N or WxH),
     * {@code frames}, {@code fps}, {@code channels} (e.g. 470/405 or 470/395/575), {@code
     * isosbestic} (nm), {@code start} (index of the first frame's channel), {@code seed}, {@code
     * stimuli}, {@code bleaching}, {@code glint} (on/off), {@code hemo}, {@code coupling}, {@code
     * neural-scale}, {@code photons}, {@code offset}, {@code counts-per-electron}, {@code
     * jitter-ms}, {@code lost} (fraction), {@code neural} (auto, higley, synthetic), {@code data}
     * (folder).
     *
     * @param spec the input spec
     * @param defaults the builder the keys are applied to
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public static PhantomSettings parse(String spec, Builder defaults) {
        if (!isSpec(spec)) {
            throw new IllegalArgumentException(
                    "'" + spec + "' is not a phantom spec; use phantom or phantom:key=value,...");
        }
        Builder b = defaults;
        String body =
                spec.length() > SPEC_PREFIX.length()
                        ? spec.substring(SPEC_PREFIX.length() + 1)
                        : "";
        for (String part : body.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(
                        "phantom spec entry '" + part + "' is not key=value");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            try {
                apply(b, key, value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "phantom spec: " + key + "=" + value + " is not a number", e);
            }
        }
        return b.build();
    }

    private static void apply(Builder b, String key, String value) {
        switch (key) {
            case "size":
                {
                    String[] wh = value.toLowerCase(Locale.ROOT).split("x");
                    b.size(
                            Integer.parseInt(wh[0]),
                            Integer.parseInt(wh.length > 1 ? wh[1] : wh[0]));
                    break;
                }
            case "frames":
                b.frames(Integer.parseInt(value));
                break;
            case "fps":
                b.fps(Double.parseDouble(value));
                break;
            case "channels":
                {
                    List<Integer> nm = new ArrayList<>();
                    for (String s : value.split("[/+]")) {
                        nm.add(Integer.parseInt(s.trim()));
                    }
                    b.channelsNm(nm);
                    break;
                }
            case "isosbestic":
                b.isosbesticNm(Integer.parseInt(value));
                break;
            case "start":
                b.startChannel(Integer.parseInt(value));
                break;
            case "seed":
                b.seed(Long.parseLong(value));
                break;
            case "stimuli":
                b.stimuli(onOff(key, value));
                break;
            case "bleaching":
                b.bleaching(onOff(key, value));
                break;
            case "glint":
                b.glint(onOff(key, value));
                break;
            case "hemo":
                b.hemoScale(Double.parseDouble(value));
                break;
            case "coupling":
                b.coupling(Double.parseDouble(value));
                break;
            case "neural-scale":
                b.neuralScale(Double.parseDouble(value));
                break;
            case "photons":
                b.photons(Double.parseDouble(value));
                break;
            case "offset":
                b.offset(Double.parseDouble(value));
                break;
            case "counts-per-electron":
                b.countsPerElectron(Double.parseDouble(value));
                break;
            case "jitter-ms":
                b.jitterNanos(Math.round(Double.parseDouble(value) * 1e6));
                break;
            case "lost":
                b.lostFraction(Double.parseDouble(value));
                break;
            case "neural":
                try {
                    b.neural(Neural.valueOf(value.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "phantom spec: neural=" + value + "; use auto, higley or synthetic", e);
                }
                break;
            case "data":
                b.dataDir(Paths.get(value));
                break;
            default:
                throw new IllegalArgumentException(
                        "phantom spec: unknown key '"
                                + key
                                + "'; keys: size, frames, fps, channels, isosbestic, start, seed,"
                                + " stimuli, bleaching, glint, hemo, coupling, neural-scale,"
                                + " photons, offset, counts-per-electron, jitter-ms, lost, neural,"
                                + " data");
        }
    }

    private static boolean onOff(String key, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
            case "yes":
            case "1":
                return true;
            case "off":
            case "false":
            case "no":
            case "0":
                return false;
            default:
                throw new IllegalArgumentException(
                        "phantom spec: " + key + "=" + value + "; use on or off");
        }
    }

    /** Returns the settings as a compact spec that {@link #parse} reads back. */
    public String toSpec() {
        StringBuilder ch = new StringBuilder();
        for (int nm : channelsNm) {
            ch.append(ch.length() == 0 ? "" : "/").append(nm);
        }
        return String.format(
                Locale.ROOT,
                "phantom:size=%dx%d,frames=%d,fps=%s,channels=%s,isosbestic=%d,start=%d,seed=%d,"
                        + "stimuli=%s,hemo=%s,coupling=%s,neural-scale=%s,photons=%s,offset=%s,"
                        + "counts-per-electron=%s,bleaching=%s,glint=%s,jitter-ms=%s,lost=%s,"
                        + "neural=%s",
                width,
                height,
                frames,
                fps,
                ch,
                isosbesticNm,
                startChannel,
                seed,
                stimuli ? "on" : "off",
                hemoScale,
                coupling,
                neuralScale,
                photons,
                offset,
                countsPerElectron,
                bleaching ? "on" : "off",
                glint ? "on" : "off",
                jitterNanos / 1e6,
                lostFraction,
                neural.name().toLowerCase(Locale.ROOT));
    }

    /** Builder of {@link PhantomSettings}. */
    public static final class Builder {
        private int width = 256;
        private int height = 256;
        private int frames = 1200;
        private double fps = 20;
        private List<Integer> channelsNm = List.of(470, 405);
        private int isosbesticNm;
        private int startChannel;
        private long seed = 1;
        private boolean stimuli = true;
        private double hemoScale = 1;
        private double coupling = 0.3;
        private double neuralScale = 1;
        private double photons = 12000;
        private double offset = 100;
        private double countsPerElectron = 0.1;
        private boolean bleaching = true;
        private boolean glint = true;
        private long jitterNanos;
        private double lostFraction;
        private Neural neural = Neural.AUTO;
        private Path dataDir;

        public Builder size(int w, int h) {
            width = w;
            height = h;
            return this;
        }

        public Builder frames(int v) {
            frames = v;
            return this;
        }

        public Builder fps(double v) {
            fps = v;
            return this;
        }

        public Builder channelsNm(List<Integer> v) {
            channelsNm = List.copyOf(v);
            return this;
        }

        /** Sets the isosbestic wavelength; 0 = the listed one between 380 and 430 nm. */
        public Builder isosbesticNm(int v) {
            isosbesticNm = v;
            return this;
        }

        public Builder startChannel(int v) {
            startChannel = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder stimuli(boolean v) {
            stimuli = v;
            return this;
        }

        public Builder hemoScale(double v) {
            hemoScale = v;
            return this;
        }

        public Builder coupling(double v) {
            coupling = v;
            return this;
        }

        public Builder neuralScale(double v) {
            neuralScale = v;
            return this;
        }

        public Builder photons(double v) {
            photons = v;
            return this;
        }

        public Builder offset(double v) {
            offset = v;
            return this;
        }

        public Builder countsPerElectron(double v) {
            countsPerElectron = v;
            return this;
        }

        public Builder bleaching(boolean v) {
            bleaching = v;
            return this;
        }

        public Builder glint(boolean v) {
            glint = v;
            return this;
        }

        public Builder jitterNanos(long v) {
            jitterNanos = v;
            return this;
        }

        public Builder lostFraction(double v) {
            lostFraction = v;
            return this;
        }

        public Builder neural(Neural v) {
            neural = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        /**
         * Checks every value and returns the settings.
         *
         * @throws IllegalArgumentException naming the setting, its bound and unit
         */
        public PhantomSettings build() {
            List<String> problems = new ArrayList<>();
            if (width < 8 || width > MAX_SIDE || height < 8 || height > MAX_SIDE) {
                problems.add(
                        "size must be 8.."
                                + MAX_SIDE
                                + " pixels per side, was "
                                + width
                                + "x"
                                + height);
            }
            if (frames < 1) {
                problems.add("frames must be 1 or more, was " + frames);
            }
            if (!(fps > 0 && fps <= 1000)) {
                problems.add("fps must be in (0, 1000] frames/s, was " + fps);
            }
            if (channelsNm.isEmpty() || channelsNm.size() > 4) {
                problems.add("channels must list 1 to 4 wavelengths, was " + channelsNm);
            }
            for (int nm : channelsNm) {
                if (nm < 300 || nm > 1000) {
                    problems.add("channel wavelength must be in [300, 1000] nm, was " + nm);
                }
            }
            if (channelsNm.stream().distinct().count() != channelsNm.size()) {
                problems.add("channels must not repeat a wavelength, was " + channelsNm);
            }
            if (isosbesticNm > 0 && !channelsNm.contains(isosbesticNm)) {
                problems.add(
                        "isosbestic "
                                + isosbesticNm
                                + " nm is not one of the channels "
                                + channelsNm);
            }
            if (channelsNm.size() > 1 && isosbesticNm <= 0 && isosbesticOf(channelsNm) < 0) {
                problems.add(
                        "no channel between 380 and 430 nm in "
                                + channelsNm
                                + "; name the isosbestic one (isosbestic=NM)");
            }
            if (startChannel < 0 || startChannel >= Math.max(1, channelsNm.size())) {
                problems.add(
                        "start must be a channel position in [0, "
                                + (channelsNm.size() - 1)
                                + "], was "
                                + startChannel);
            }
            check(
                    problems,
                    hemoScale >= 0 && hemoScale <= 20,
                    "hemo must be in [0, 20]",
                    hemoScale);
            check(problems, coupling >= 0 && coupling <= 5, "coupling must be in [0, 5]", coupling);
            check(
                    problems,
                    neuralScale >= 0 && neuralScale <= 20,
                    "neural-scale must be in [0, 20]",
                    neuralScale);
            check(
                    problems,
                    photons >= 10 && photons <= 60000,
                    "photons must be in [10, 60000] counts",
                    photons);
            check(
                    problems,
                    offset >= 0 && offset <= 5000,
                    "offset must be in [0, 5000] counts",
                    offset);
            check(
                    problems,
                    countsPerElectron > 0 && countsPerElectron <= 100,
                    "counts-per-electron must be in (0, 100]",
                    countsPerElectron);
            if (jitterNanos < 0 || jitterNanos > 1_000_000_000L) {
                problems.add("jitter must be in [0, 1000] ms, was " + jitterNanos / 1e6 + " ms");
            }
            check(
                    problems,
                    lostFraction >= 0 && lostFraction <= 0.5,
                    "lost must be a fraction in [0, 0.5]",
                    lostFraction);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid phantom settings: " + String.join("; ", problems));
            }
            return new PhantomSettings(this);
        }

        private static void check(List<String> problems, boolean ok, String rule, double value) {
            if (!ok) {
                problems.add(rule + ", was " + value);
            }
        }
    }
}
