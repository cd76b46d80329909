package org.cststream.job.cst;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cststream.model.CstModel;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.spirals.Plot;
import org.cststream.model.window.FrameSequence;
import org.cststream.recording.NpyFormat;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.BehaviourTraces;
import org.cststream.source.labels.StimulusEvent;
import org.cststream.source.labels.StimulusLog;

/**
 * The decoding benchmark: the CST paper's decoding experiment on rendered widefield frames.
 *
 * <p>Two parts, each on a one-channel phantom ({@link PhantomRecording}) whose neural signal is the
 * 48 real parcel traces of {@code higley-widefield} through its parcel map, played from their first
 * sample (so the frames and the behaviour traces share a clock): <b>behaviour</b>, without stimuli,
 * decodes pupil, wheel and whisking; <b>stimulus</b>, with drifting gratings of 5 contrasts,
 * decodes the contrast showing (0 between gratings). In each part a frame CST is trained on the
 * first frames ({@link FrameModelTraining}, contiguous split, the last 15% of them validating), and
 * the decoders are scored on windows of the frames after them, which the CST never saw: from CST
 * attention and from the data baseline ({@link DecoderFitting}).
 */
public final class DecodeBenchmark {
    /** The Markdown table's file name. */
    public static final String TABLE_FILE = "decode-results.md";

    /** The picture of decoded vs true values over a held-out stretch. */
    public static final String PICTURE_FILE = "decode-traces.png";

    /** The benchmark's parts. */
    public static final List<String> PARTS = List.of("behaviour", "stimulus");

    private static final String BEHAVIOUR_FILE = "behavior_pupil_wheel_whisking_3x4000_float64.npy";
    private static final String TIMES_FILE = "time_seconds_4000_float64.npy";
    private static final List<String> TRACES = List.of("pupil", "wheel", "whisking");

    private DecodeBenchmark() {}

    /**
     * Settings.
     *
     * @param data the {@code higley-widefield} folder
     * @param size frame side, pixels
     * @param frames frames per phantom (10 Hz: 4000 frames play the 400 s of traces once)
     * @param patchSize patch side, pixels
     * @param trainFrames frames the CST trains on (the first ones; 15% of them validate)
     * @param training how the CST trains
     * @param windows windows decoded per part, spread over the frames after {@code trainFrames}
     * @param fitting how decoders are fitted and scored
     * @param parts parts to run, of {@link #PARTS}
     * @param outDir where the table, picture, models and decoders go
     * @param out progress lines
     */
    public record Options(
            Path data,
            int size,
            int frames,
            int patchSize,
            int trainFrames,
            FrameModelTraining.Settings training,
            int windows,
            DecoderFitting.Settings fitting,
            List<String> parts,
            Path outDir,
            PrintStream out) {}

    /**
     * One part's outcome.
     *
     * @param part {@code behaviour} or {@code stimulus}
     * @param spec the phantom it rendered
     * @param fit the scores, decoders and held-out stretch
     * @param training the CST's training
     * @param parameters the CST's trainable values
     * @param firstWindowFrame first frame of the decoded windows
     * @param lastFrame last frame of the prepared sequence
     */
    public record Part(
            String part,
            String spec,
            DecoderFitting.Result fit,
            org.cststream.model.CstTrainer.Report training,
            long parameters,
            int firstWindowFrame,
            int lastFrame) {}

    /** What the benchmark measured and wrote. */
    public record Result(List<Part> parts, Path table, Path picture) {}

    /**
     * Runs the benchmark.
     *
     * @throws IOException if the data cannot be read or the results cannot be written
     */
    public static Result run(Options o) throws IOException {
        for (String p : o.parts()) {
            if (!PARTS.contains(p)) {
                throw new IllegalArgumentException("part '" + p + "'; the parts are " + PARTS);
            }
        }
        Files.createDirectories(o.outDir());
        List<Part> parts = new ArrayList<>();
        for (String part : o.parts()) {
            parts.add(runPart(o, part));
        }
        Path picture = o.outDir().resolve(PICTURE_FILE);
        Plot.writePng(picture(parts), picture);
        Path table = o.outDir().resolve(TABLE_FILE);
        Files.writeString(table, markdown(o, parts), StandardCharsets.UTF_8);
        o.out().println("decode: wrote " + table + " and " + picture);
        return new Result(parts, table, picture);
    }

    /** Returns the phantom spec of a part. */
    static String spec(Options o, String part) {
        boolean usual =
                o.data()
                        .toAbsolutePath()
                        .normalize()
                        .equals(PhantomRecording.defaultDataDir().toAbsolutePath().normalize());
        return String.format(
                Locale.ROOT,
                "phantom:size=%d,frames=%d,fps=10,channels=470,hemo=0,stimuli=%s,neural=higley,"
                        + "seed=1%s",
                o.size(),
                o.frames(),
                part.equals("stimulus") ? "on" : "off",
                usual ? "" : ",data=" + o.data());
    }

    private static Part runPart(Options o, String part) throws IOException {
        PrintStream out = o.out();
        String name = "decode " + part;
        String spec = spec(o, part);
        PatchSequences.Settings prep = PatchSequences.Settings.defaults(10, 1, o.patchSize());
        PatchSequences.Prepared prepared;
        List<StimulusEvent> stimuli = List.of();
        try (PhantomRecording phantom = PhantomRecording.open(spec)) {
            out.println(name + ": " + phantom.describe());
            prepared = PatchSequences.read(phantom, prep, 0, 0);
            if (part.equals("stimulus")) {
                // the log as cst phantom writes it, read back as cst decode reads a log
                Path log = o.outDir().resolve("stimulus-phantom_stimuli.csv");
                Files.writeString(log, phantom.stimuli().toCsv(), StandardCharsets.UTF_8);
                stimuli = StimulusLog.readAll(log, "bench", "stimulus", 0);
            }
        }
        FrameSequence seq = prepared.sequence();
        int n = seq.size();
        int trainEnd = Math.min(o.trainFrames(), n / 2);
        int validationStart = (int) Math.round(0.85 * trainEnd);
        double period = FrameModelTraining.medianStep(seq.times());
        out.printf(
                Locale.ROOT,
                "%s: %d frames of %d x %d, %d x %d patches of %d; CST trains on frames 0-%d,"
                        + " validates on %d-%d; windows decoded from frame %d on%n",
                name,
                n,
                prepared.first().frameHeight,
                prepared.first().frameWidth,
                prepared.first().gridRows,
                prepared.first().gridCols,
                o.patchSize(),
                validationStart - 1,
                validationStart,
                trainEnd - 1,
                trainEnd);

        // the CST, trained on the first frames only
        FrameModelTraining.Trained trained =
                FrameModelTraining.train(
                        seq.slice(0, validationStart),
                        seq.slice(validationStart, trainEnd),
                        prepared,
                        period,
                        o.training(),
                        out,
                        name + ": CST");
        try (CstModel model = trained.model()) {
            Path modelDir = o.outDir().resolve(part + "-model");
            model.save(
                    modelDir,
                    FrameModelTraining.notes(
                            spec, validationStart, trained.layout(), prep, trained.report()));

            // windows of the frames the CST did not see, and their labels
            int[] starts =
                    DecodeWindows.starts(trainEnd, n, trained.layout().frames(), o.windows());
            DecodeWindows.Windows w =
                    DecodeWindows.build(
                            prepared,
                            starts,
                            model,
                            trained.layout(),
                            o.fitting().baseline(),
                            out,
                            name);
            List<LabelTrack> tracks = new ArrayList<>();
            List<Decoder.Target> targets = new ArrayList<>();
            if (part.equals("stimulus")) {
                tracks.add(LabelTrack.stimulus(stimuli, "contrast"));
                targets.add(
                        new Decoder.Target("contrast", Decoder.LabelSource.STIMULUS, "contrast"));
            } else {
                Path times = o.data().resolve(TIMES_FILE);
                double first = NpyFormat.readNumbers(times).values()[0];
                List<BehaviourSample> samples =
                        BehaviourTraces.fromNpy(
                                o.data().resolve(BEHAVIOUR_FILE), times, TRACES, "bench", -first);
                for (String t : TRACES) {
                    tracks.add(LabelTrack.behaviour(samples, t));
                    targets.add(new Decoder.Target(t, Decoder.LabelSource.BEHAVIOUR, t));
                }
            }
            List<double[]> raw = new ArrayList<>();
            for (LabelTrack t : tracks) {
                raw.add(DecoderFitting.labelsAt(t, w.newestNanos(), 0));
            }
            int[] keep = DecoderFitting.labelled(raw, w.size());
            w = w.select(keep);
            List<DecoderFitting.Labelled> labelled = new ArrayList<>();
            for (int t = 0; t < tracks.size(); t++) {
                double[] all = raw.get(t);
                labelled.add(
                        new DecoderFitting.Labelled(
                                targets.get(t),
                                java.util.Arrays.stream(keep).mapToDouble(i -> all[i]).toArray()));
            }
            var notes = DecoderFitting.notes();
            notes.put("input", spec);
            notes.put("model", modelDir.toString());
            DecoderFitting.Result fit =
                    DecoderFitting.run(
                            w,
                            labelled,
                            o.fitting(),
                            Decoder.fingerprint(modelDir),
                            notes,
                            out,
                            name);
            for (Decoder d : fit.decoders()) {
                d.save(o.outDir().resolve("decoders").resolve(d.target().name() + ".decoder"));
            }
            return new Part(
                    part, spec, fit, trained.report(), model.parameterCount(), trainEnd, n - 1);
        }
    }

    private static java.awt.image.BufferedImage picture(List<Part> parts) {
        List<Plot> panels = new ArrayList<>();
        Color truth = new Color(0x222222);
        Color attention = new Color(0x1F77B4);
        Color baseline = new Color(0xFF7F0E);
        for (Part p : parts) {
            DecoderFitting.HeldOut h = p.fit().heldOut();
            for (int t = 0; t < h.truth().length; t++) {
                String target = p.fit().decoders().get(t).target().name();
                Plot plot =
                        new Plot(
                                        target + " (" + p.part() + " phantom), held-out stretch",
                                        "time on the recording's clock (s)",
                                        target)
                                .line(h.seconds(), h.truth()[t], truth, 2f, "true")
                                .line(
                                        h.seconds(),
                                        h.attention()[t],
                                        attention,
                                        1.3f,
                                        "CST attention");
                if (h.baseline() != null) {
                    plot.line(h.seconds(), h.baseline()[t], baseline, 1.3f, "data baseline");
                }
                panels.add(plot);
            }
        }
        return Plot.renderWithLegendStrip(panels, 1, 960, 260);
    }

    private static String markdown(Options o, List<Part> parts) {
        StringBuilder s = new StringBuilder("# Decoding benchmark\n\n");
        for (Part p : parts) {
            DecoderFitting.Row any = p.fit().rows().get(0);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "**%s**: `%s`, one 470 nm channel at 10 Hz, dF/F as the job computes"
                                    + " it, %d x %d pixels in patches of %d. The CST (%d"
                                    + " parameters, windows of %d frames) trained on frames 0-%d"
                                    + " for %d epochs (best %d, %.1f windows/s). Decoded: %d"
                                    + " windows of frames %d-%d, which the CST did not see.%n%n",
                            p.part(),
                            p.spec(),
                            o.size(),
                            o.size(),
                            o.patchSize(),
                            p.parameters(),
                            o.training().windowFrames(),
                            p.firstWindowFrame() - 1,
                            p.training().epochs(),
                            p.training().bestEpoch(),
                            p.training().samplesPerSecond(),
                            any.windows(),
                            p.firstWindowFrame(),
                            p.lastFrame()));
        }
        DecoderFitting.Settings f = o.fitting();
        s.append(
                String.format(
                        Locale.ROOT,
                        "Decoder: PCA to %d components, K-nearest-neighbour regression with k = %d."
                                + " Label: the value at the window's newest frame (behaviour"
                                + " interpolated; contrast of the grating showing, 0 between"
                                + " gratings). Scores: MSE and R2 on the test windows, mean +/-"
                                + " std over %d splits with %.0f%% of the windows for training;"
                                + " `random` splits as in the paper, `blocks` splits whose test"
                                + " windows are one contiguous stretch with the windows that share"
                                + " frames with it left out of training.%n%n",
                        f.components(),
                        f.neighbours(),
                        f.repeats(),
                        100 * f.trainFraction()));
        List<DecoderFitting.Row> rows = new ArrayList<>();
        for (Part p : parts) {
            rows.addAll(p.fit().rows());
        }
        s.append(DecoderFitting.table(rows));
        s.append(
                "\nThe paper (stimulus contrast on real recordings, 500 windows, random splits):"
                        + " data baseline MSE 0.112, R2 0.595; CST-small 0.090, 0.676; CST-base"
                        + " 0.063, 0.774.\n");
        s.append("\n![decoded vs true](").append(PICTURE_FILE).append(")\n");
        return s.toString();
    }
}
