package org.cststream.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomSettings;
import org.cststream.recording.phantom.PhantomWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cst phantom}: writes a phantom session to files, with its ground truth beside them. */
@Command(
        name = "phantom",
        mixinStandardHelpOptions = true,
        description = {
            "Write a widefield phantom (known neural truth, hemodynamics, camera noise) to files"
                    + " the replay reads, with the truth, brain mask, stimulus log and a JSON"
                    + " description beside them. The same settings work as --input of 'cst run' and"
                    + " 'cst replay'.",
            "",
            "SETTINGS is phantom:key=value,... (or just key=value,...). Keys: size (N or WxH),"
                    + " frames, fps (all channels together), channels (e.g. 470/405 or"
                    + " 470/395/575), isosbestic (nm), start (index of the first frame's channel),"
                    + " seed, stimuli (on/off), bleaching (on/off), glint (on/off), hemo (factor),"
                    + " coupling, neural-scale, photons, offset, counts-per-electron, jitter-ms,"
                    + " lost (fraction of frames missing without a counter trace), neural (auto,"
                    + " higley, synthetic), data (folder of the real parcel traces)."
        })
final class PhantomCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            arity = "0..1",
            defaultValue = "phantom",
            paramLabel = "SETTINGS",
            description =
                    "The phantom's settings. Default: ${DEFAULT-VALUE} (256x256, 1200 frames).")
    String spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Folder to write to; created if missing.")
    Path out;

    @Option(
            names = "--name",
            defaultValue = "phantom",
            paramLabel = "NAME",
            description = "File name stem. Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(
            names = "--format",
            defaultValue = "DAT",
            paramLabel = "DAT|NPY",
            description =
                    "DAT: NAME_<N>_<H>_<W>_uint16.dat (wfield convention, channels interleaved);"
                            + " NPY: a (T, H, W) stack. Default: ${DEFAULT-VALUE}.")
    PhantomWriter.Format format;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        String full =
                PhantomSettings.isSpec(spec) ? spec : PhantomSettings.SPEC_PREFIX + ":" + spec;
        PhantomRecording phantom = PhantomRecording.open(full);
        System.out.println("phantom          " + phantom.describe());
        PhantomWriter.Result r =
                PhantomWriter.write(
                        phantom, out, name, format, !noProgress && System.console() != null);
        System.out.println("frames           " + r.recording() + " (" + r.frames() + " frames)");
        System.out.println("neural truth     " + r.truth());
        System.out.println("brain mask       " + r.brainMask());
        System.out.println("stimulus log     " + r.stimuli());
        System.out.println("description      " + r.metadata());
        return 0;
    }
}
