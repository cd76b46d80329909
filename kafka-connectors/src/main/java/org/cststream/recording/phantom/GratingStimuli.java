package org.cststream.recording.phantom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.cststream.recording.SplitMix64;

/**
 * A drifting-grating protocol and the visual cortex's response to it: gratings of several contrasts
 * shown for 2 s every 7 s (2 s on, 5 s off), in blocks that hold each contrast once in a seeded
 * order, as in the CST paper's experiment.
 *
 * <p>The response (dF/F) to a grating of contrast c rises with a time constant of 0.15 s to {@code
 * 0.04 c^2 / (c^2 + 0.15^2)} (a Naka-Rushton curve), is modulated by 20% at the grating's temporal
 * frequency while it is on, and decays with a time constant of 0.6 s after it goes off.
 */
public final class GratingStimuli {
    /** Contrasts shown, each once per block. */
    public static final double[] CONTRASTS = {0.05, 0.1, 0.2, 0.5, 1.0};

    /** Seconds a grating stays on. */
    public static final double ON_SECONDS = 2.0;

    /** Seconds between a grating's end and the next one's start. */
    public static final double OFF_SECONDS = 5.0;

    /** Onset of the first grating, seconds from the session start. */
    public static final double FIRST_ONSET_SECONDS = 3.0;

    /** Temporal frequency of the drifting gratings, Hz. */
    public static final double TEMPORAL_FREQUENCY_HZ = 2.0;

    private static final double RISE_SECONDS = 0.15;
    private static final double DECAY_SECONDS = 0.6;
    private static final double MAX_RESPONSE = 0.04;
    private static final double HALF_CONTRAST = 0.15;

    /**
     * One grating.
     *
     * @param onsetSeconds start, seconds from the session start
     * @param durationSeconds how long it stays on, s
     * @param contrast Michelson contrast, 0..1
     * @param orientationDegrees drift direction, degrees
     * @param temporalFrequencyHz drift rate, Hz
     */
    public record Stimulus(
            double onsetSeconds,
            double durationSeconds,
            double contrast,
            double orientationDegrees,
            double temporalFrequencyHz) {}

    private final List<Stimulus> stimuli;

    private GratingStimuli(List<Stimulus> stimuli) {
        this.stimuli = stimuli;
    }

    /** Returns a protocol with no stimuli: the response is 0 throughout. */
    public static GratingStimuli none() {
        return new GratingStimuli(List.of());
    }

    /**
     * Plans the gratings of a session.
     *
     * @param durationSeconds session length, s; only gratings that end before it are shown
     * @param seed seed of the contrast and orientation order
     */
    public static GratingStimuli plan(double durationSeconds, long seed) {
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(seed, 0x5354494DL));
        List<Stimulus> out = new ArrayList<>();
        List<Double> block = new ArrayList<>();
        double period = ON_SECONDS + OFF_SECONDS;
        for (double onset = FIRST_ONSET_SECONDS;
                onset + ON_SECONDS <= durationSeconds;
                onset += period) {
            if (block.isEmpty()) {
                for (double c : CONTRASTS) {
                    block.add(c);
                }
                // Fisher-Yates with the fixed generator, so the order never depends on the JDK
                for (int i = block.size() - 1; i > 0; i--) {
                    Collections.swap(block, i, (int) (rng.nextDouble() * (i + 1)));
                }
            }
            double contrast = block.remove(block.size() - 1);
            double orientation = 45.0 * (int) (rng.nextDouble() * 4);
            out.add(new Stimulus(onset, ON_SECONDS, contrast, orientation, TEMPORAL_FREQUENCY_HZ));
        }
        return new GratingStimuli(List.copyOf(out));
    }

    /** Returns the gratings in onset order. */
    public List<Stimulus> stimuli() {
        return stimuli;
    }

    /** Returns the peak response to a grating of the given contrast, dF/F. */
    public static double amplitude(double contrast) {
        double c2 = contrast * contrast;
        return MAX_RESPONSE * c2 / (c2 + HALF_CONTRAST * HALF_CONTRAST);
    }

    /** Returns the visual cortex's response at a time, dF/F (0 before the first grating). */
    public double response(double seconds) {
        double sum = 0;
        for (Stimulus s : stimuli) {
            double dt = seconds - s.onsetSeconds();
            if (dt < 0) {
                break;
            }
            if (dt > s.durationSeconds() + 10 * DECAY_SECONDS) {
                continue;
            }
            double a = amplitude(s.contrast());
            if (dt <= s.durationSeconds()) {
                double mod = 1 + 0.2 * Math.sin(2 * Math.PI * s.temporalFrequencyHz() * dt);
                sum += a * (1 - Math.exp(-dt / RISE_SECONDS)) * mod;
            } else {
                double atOff = a * (1 - Math.exp(-s.durationSeconds() / RISE_SECONDS));
                sum += atOff * Math.exp(-(dt - s.durationSeconds()) / DECAY_SECONDS);
            }
        }
        return sum;
    }

    /** Returns the stimulus log as CSV: a header, then one row per grating. */
    public String toCsv() {
        StringBuilder sb =
                new StringBuilder(
                        "onset_s,duration_s,contrast,orientation_deg,temporal_frequency_hz\n");
        for (Stimulus s : stimuli) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%.3f,%.3f,%.3f,%.1f,%.2f\n",
                            s.onsetSeconds(),
                            s.durationSeconds(),
                            s.contrast(),
                            s.orientationDegrees(),
                            s.temporalFrequencyHz()));
        }
        return sb.toString();
    }
}
