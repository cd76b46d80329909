package org.cststream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cststream.recording.NpyFormat;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.BehaviourTraces;
import org.cststream.source.labels.StimulusEvent;
import org.cststream.source.labels.StimulusLog;
import picocli.CommandLine.Option;

/**
 * Options naming a recording's labels, shared by {@code cst decode} and {@code cst run}: a stimulus
 * log, or behaviour traces with their times, put on the recording's clock.
 */
public class LabelArgs {
    @Option(
            names = "--stimulus",
            paramLabel = "CSV",
            description =
                    "Stimulus log (onset, duration and the decoded field's column): the label is"
                            + " the field of the stimulus showing, 0 between stimuli.")
    Path stimulus;

    @Option(
            names = "--behaviour",
            paramLabel = "NPY|CSV",
            description =
                    "Behaviour traces: a (traces, samples) .npy, or a CSV with a time column; the"
                            + " label is the trace interpolated at the window's newest frame.")
    Path behaviour;

    @Option(
            names = "--behaviour-times",
            paramLabel = "NPY",
            description =
                    "Sample times of a .npy of traces, seconds. Without it, sample i is at i"
                            + " frame periods of the model from the recording's first frame.")
    Path behaviourTimes;

    @Option(
            names = "--names",
            split = ",",
            paramLabel = "NAME",
            description = "Names of the .npy's traces, in order (default trace0, trace1, ...).")
    List<String> names = new ArrayList<>();

    @Option(
            names = "--time-offset-s",
            paramLabel = "S",
            description =
                    "Added to the labels' times to put them on the recording's clock. Default: 0,"
                            + " except for a phantom with --behaviour-times, which plays the"
                            + " traces from their first sample at 0 s: minus the first time.")
    Double timeOffset;

    /** Returns whether any labels were named. */
    boolean isSet() {
        return stimulus != null || behaviour != null;
    }

    /**
     * Checks that exactly one kind of labels was named (or none, when not required).
     *
     * @throws IllegalArgumentException saying which options to use
     */
    void check(boolean required) {
        if (stimulus != null && behaviour != null) {
            throw new IllegalArgumentException(
                    "--stimulus and --behaviour both given; name one kind of labels");
        }
        if (required && !isSet()) {
            throw new IllegalArgumentException(
                    "no labels: give --stimulus CSV or --behaviour NPY|CSV");
        }
        if (behaviourTimes != null && behaviour == null) {
            throw new IllegalArgumentException("--behaviour-times without --behaviour");
        }
    }

    /** Returns the labels' file, for notes and messages. */
    Path file() {
        return stimulus != null ? stimulus : behaviour;
    }

    /** Reads the stimulus log, every event tagged with {@code session}. */
    List<StimulusEvent> stimuli(String session) throws IOException {
        return StimulusLog.readAll(
                stimulus, session, "stimulus", timeOffset != null ? timeOffset : 0);
    }

    /**
     * Reads the behaviour traces, every sample tagged with {@code session}, on the recording's
     * clock.
     *
     * @param phantom whether the recording is a phantom (which plays traces from their first sample
     *     at 0 s)
     * @param periodSeconds the frame period used when the traces have no times
     */
    List<BehaviourSample> behaviour(String session, boolean phantom, double periodSeconds)
            throws IOException {
        if (behaviour.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return BehaviourTraces.fromCsv(behaviour, session, offset(0));
        }
        if (behaviourTimes != null) {
            double first = NpyFormat.readNumbers(behaviourTimes).values()[0];
            return BehaviourTraces.fromNpy(
                    behaviour, behaviourTimes, names, session, offset(phantom ? -first : 0));
        }
        return atFramePeriod(session, periodSeconds, offset(0));
    }

    /** Returns the offset applied to the labels' times, seconds. */
    double offset(double auto) {
        return timeOffset != null ? timeOffset : auto;
    }

    /** Reads a .npy of traces without times: sample i at i periods, the longer axis samples. */
    private List<BehaviourSample> atFramePeriod(String session, double period, double offset)
            throws IOException {
        NpyFormat.Numbers x = NpyFormat.readNumbers(behaviour);
        long[] s = x.shape().length == 1 ? new long[] {1, x.shape()[0]} : x.shape();
        if (s.length != 2) {
            throw new IOException(
                    behaviour + ": traces must be (traces, samples) or (samples, traces)");
        }
        boolean tracesFirst = s[1] >= s[0];
        int n = (int) (tracesFirst ? s[1] : s[0]);
        int c = (int) (tracesFirst ? s[0] : s[1]);
        if (!names.isEmpty() && names.size() != c) {
            throw new IllegalArgumentException(
                    behaviour + " holds " + c + " trace(s) but --names gives " + names.size());
        }
        List<BehaviourSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> v = new LinkedHashMap<>();
            for (int k = 0; k < c; k++) {
                v.put(
                        names.isEmpty() ? "trace" + k : names.get(k),
                        x.values()[tracesFirst ? k * n + i : i * c + k]);
            }
            out.add(new BehaviourSample(session, i, Math.round((i * period + offset) * 1e9), v));
        }
        return out;
    }
}
