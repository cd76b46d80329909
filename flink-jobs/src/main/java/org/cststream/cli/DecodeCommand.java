package org.cststream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cststream.job.cst.DecodeWindows;
import org.cststream.job.cst.DecoderFitting;
import org.cststream.job.cst.FrameModelTraining;
import org.cststream.job.cst.LabelTrack;
import org.cststream.job.cst.PatchSequences;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.cststream.model.CstModel;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomSettings;
import org.cststream.source.labels.BehaviourSample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cst decode}: fits decoders of a label from a recording's CST attention, scores them beside
 * the data baseline as the CST paper does, and saves them for the stream ({@code cst run
 * --cst-decoder}).
 */
@Command(
        name = "decode",
        mixinStandardHelpOptions = true,
        description =
                "Fit decoders of behaviour traces or a stimulus field from the attention of a"
                        + " trained frame CST on windows of a recording (PCA to 10 components, KNN"
                        + " with k = 3), score them over 10 random and 10 contiguous 70/30 splits"
                        + " beside the same decoder on the windows' frames (the data baseline), and"
                        + " save one decoder per target for cst run --cst-decoder.")
final class DecodeCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "PATH",
            description = "Recording (.npy folder or stack, .dat, TIFF) or phantom:key=value,...")
    String input;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description =
                    "Frame CST (cst train); the recording is prepared as its notes say (binning,"
                            + " patches, dF/F baseline).")
    Path model;

    @Mixin LabelArgs labels;

    @Option(
            names = "--targets",
            split = ",",
            paramLabel = "NAME",
            description = "Traces to decode (default: every trace).")
    List<String> targets = new ArrayList<>();

    @Option(
            names = "--field",
            defaultValue = "contrast",
            description = "Stimulus log column to decode. Default: ${DEFAULT-VALUE}.")
    String field;

    @Option(
            names = "--fps",
            paramLabel = "FPS",
            description =
                    "Camera frames/s when the file has no times. Default: the model's frame rate"
                            + " times the recording's channels.")
    Double fps;

    @Option(
            names = "--channel",
            defaultValue = "0",
            description = "Channel index in an interleaved recording. Default: ${DEFAULT-VALUE}.")
    int channel;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Frames of the channel read at most (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--from",
            defaultValue = "0",
            description =
                    "Fraction of the frames skipped at the start (e.g. those the CST trained on)."
                            + " Default: ${DEFAULT-VALUE}.")
    double from;

    @Option(
            names = "--windows",
            defaultValue = "500",
            description =
                    "Windows, spread evenly over the frames (the paper used 500). Default:"
                            + " ${DEFAULT-VALUE}.")
    int windows;

    @Option(
            names = "--components",
            defaultValue = "10",
            description = "PCA components. Default: ${DEFAULT-VALUE}.")
    int components;

    @Option(
            names = "--neighbours",
            defaultValue = "3",
            description = "k of the nearest-neighbour regression. Default: ${DEFAULT-VALUE}.")
    int neighbours;

    @Option(
            names = "--repeats",
            defaultValue = "10",
            description = "Splits of each kind. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the random splits. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--no-baseline",
            description =
                    "Skip the data baseline (it holds every window's frames in memory: windows x"
                            + " T x frame pixels x 4 bytes).")
    boolean noBaseline;

    @Option(
            names = "--out",
            defaultValue = "cst-output/decode",
            paramLabel = "DIR",
            description =
                    "Folder for <target>.decoder and decode-results.md. Default:"
                            + " ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        labels.check(true);
        if (!(from >= 0 && from < 1)) {
            throw new IllegalArgumentException("--from " + from + ": need a fraction in [0, 1)");
        }
        String fingerprint = Decoder.fingerprint(model);
        try (CstModel cst = CstModel.load(model)) {
            WindowLayout layout = WindowLayout.of(cst);
            PatchSequences.Prepared prepared;
            boolean phantom = PhantomSettings.isSpec(input);
            try (RecordingReader reader =
                    phantom ? PhantomRecording.open(input) : Recordings.open(Paths.get(input))) {
                System.out.println("decode: " + reader.describe());
                PatchSequences.Settings prep = preparation(cst.notes(), layout, reader.channels());
                prepared = PatchSequences.read(reader, prep, channel, limit);
            }
            int n = prepared.sequence().size();
            double period = FrameModelTraining.medianStep(prepared.sequence().times());
            if (Math.abs(period / layout.periodSeconds() - 1) > 0.05) {
                System.out.printf(
                        Locale.ROOT,
                        "decode: WARNING the recording has a frame every %.1f ms, the model was"
                                + " trained on one every %.1f ms: its windows span another time%n",
                        period * 1e3,
                        layout.periodSeconds() * 1e3);
            }
            List<DecoderFitting.Labelled> labelled = new ArrayList<>();
            List<LabelTrack> tracks = new ArrayList<>();
            List<Decoder.Target> wanted = new ArrayList<>();
            readLabels(phantom, layout, tracks, wanted);

            int start = (int) Math.floor(from * n);
            int[] starts = DecodeWindows.starts(start, n, layout.frames(), windows);
            System.out.printf(
                    Locale.ROOT,
                    "decode: %d frames (%d x %d patches of %d), %d windows of %d frames from"
                            + " frame %d%n",
                    n,
                    layout.gridRows(),
                    layout.gridCols(),
                    layout.patchSize(),
                    starts.length,
                    layout.frames(),
                    start);
            DecodeWindows.Windows w =
                    DecodeWindows.build(
                            prepared, starts, cst, layout, !noBaseline, System.out, "decode");
            List<double[]> raw = new ArrayList<>();
            for (LabelTrack t : tracks) {
                raw.add(DecoderFitting.labelsAt(t, w.newestNanos(), 0));
            }
            int[] keep = DecoderFitting.labelled(raw, w.size());
            if (keep.length < w.size()) {
                System.out.printf(
                        Locale.ROOT,
                        "decode: %d of %d windows have no label at their newest frame (outside the"
                                + " labels' times; see --time-offset-s) and are left out%n",
                        w.size() - keep.length,
                        w.size());
            }
            if (keep.length < 10) {
                throw new IllegalArgumentException(
                        keep.length
                                + " windows have labels; need 10 or more. Check that the labels'"
                                + " times cover the recording (--time-offset-s)");
            }
            w = w.select(keep);
            for (int t = 0; t < tracks.size(); t++) {
                double[] all = raw.get(t);
                labelled.add(
                        new DecoderFitting.Labelled(
                                wanted.get(t),
                                java.util.Arrays.stream(keep).mapToDouble(i -> all[i]).toArray()));
            }
            ObjectNode notes = DecoderFitting.notes();
            notes.put("input", input);
            notes.put("model", model.toString());
            notes.put(
                    "labels",
                    String.valueOf(labels.stimulus != null ? labels.stimulus : labels.behaviour));
            DecoderFitting.Result r =
                    DecoderFitting.run(
                            w,
                            labelled,
                            new DecoderFitting.Settings(
                                    components, neighbours, repeats, 0.7, seed, !noBaseline),
                            fingerprint,
                            notes,
                            System.out,
                            "decode");
            Files.createDirectories(out);
            for (Decoder d : r.decoders()) {
                Path file = out.resolve(d.target().name() + ".decoder");
                d.save(file);
                System.out.println("decode: saved " + file);
            }
            String table = DecoderFitting.table(r.rows());
            Files.writeString(
                    out.resolve("decode-results.md"),
                    "# Decoding\n\nInput `" + input + "`, model `" + model + "`.\n\n" + table,
                    StandardCharsets.UTF_8);
            System.out.println();
            System.out.print(table);
            System.out.printf(
                    Locale.ROOT,
                    "%nuse a decoder with ./cst run --cst-model %s --cst-decoder %s%n",
                    model,
                    out.resolve(r.decoders().get(0).target().name() + ".decoder"));
        }
        return 0;
    }

    /** Returns how the model's frames were prepared, from its notes. */
    private PatchSequences.Settings preparation(JsonNode notes, WindowLayout layout, int channels) {
        JsonNode p = notes.path("preparation");
        double rate = fps != null ? fps : channels / layout.periodSeconds();
        if (p.isMissingNode()) {
            System.out.println(
                    "decode: the model's notes say nothing of its preparation; using the job's"
                            + " defaults and the model's patch size");
            return PatchSequences.Settings.defaults(rate, 1, layout.patchSize());
        }
        return new PatchSequences.Settings(
                rate,
                Duration.ofMillis(Math.round(p.path("baselineSeconds").asDouble(30) * 1000)),
                p.path("warmupFrames").asInt(10),
                1.0,
                p.path("binning").asInt(1),
                p.path("patchSize").asInt(layout.patchSize()),
                EdgeMode.valueOf(p.path("edge").asText("PAD")));
    }

    /** Reads the labels into one track per target. */
    private void readLabels(
            boolean phantom,
            WindowLayout layout,
            List<LabelTrack> tracks,
            List<Decoder.Target> wanted)
            throws Exception {
        if (labels.stimulus != null) {
            var events = labels.stimuli("decode");
            System.out.printf(
                    Locale.ROOT,
                    "decode: %d stimuli in %s, decoding %s%n",
                    events.size(),
                    labels.stimulus,
                    field);
            tracks.add(LabelTrack.stimulus(events, field));
            wanted.add(new Decoder.Target(field, Decoder.LabelSource.STIMULUS, field));
            return;
        }
        List<BehaviourSample> samples = labels.behaviour("decode", phantom, layout.periodSeconds());
        if (samples.isEmpty()) {
            throw new IllegalArgumentException(labels.behaviour + " holds no behaviour samples");
        }
        List<String> traces = new ArrayList<>(samples.get(0).values().keySet());
        List<String> chosen = targets.isEmpty() ? traces : targets;
        System.out.printf(
                Locale.ROOT,
                "decode: %d samples of %s in %s, %.3f..%.3f s on the recording's clock,"
                        + " decoding %s%n",
                samples.size(),
                traces,
                labels.behaviour,
                samples.get(0).timeNanos() / 1e9,
                samples.get(samples.size() - 1).timeNanos() / 1e9,
                chosen);
        for (String t : chosen) {
            tracks.add(LabelTrack.behaviour(samples, t));
            wanted.add(new Decoder.Target(t, Decoder.LabelSource.BEHAVIOUR, t));
        }
    }
}
