package org.cststream.job.cst;

import java.io.IOException;
import java.time.Duration;
import org.cststream.frame.Frame;
import org.cststream.frame.PatchTokens;
import org.cststream.job.frames.BaselineState;
import org.cststream.job.frames.BinningFunction;
import org.cststream.job.frames.DffFrame;
import org.cststream.job.frames.DffFunction;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.cststream.job.frames.PatchFunction;
import org.cststream.model.window.FrameSequence;
import org.cststream.recording.NpyFormat;
import org.cststream.recording.RecordingReader;

/**
 * Reads one channel of a recording and prepares it as the frame job does, offline: dF/F against the
 * causal baseline ({@link DffFunction#update}), binning ({@link BinningFunction}) and patches
 * ({@link PatchFunction#cut}). What the CST trains on is then what it sees in the stream.
 */
public final class PatchSequences {
    private PatchSequences() {}

    /**
     * How frames are prepared.
     *
     * @param fps camera frames per second over all channels, used when the file has no times
     * @param baselineWindow time constant of the dF/F baseline
     * @param warmupFrames frames of plain running mean before the exponential baseline; they are
     *     left out of the sequence, their baseline being unsettled
     * @param minBaseline smallest usable baseline, raw counts
     * @param binning spatial binning factor (1 for none)
     * @param patchSize patch side in pixels of the binned frame
     * @param edge what to do with a frame that is not a multiple of the patch
     */
    public record Settings(
            double fps,
            Duration baselineWindow,
            int warmupFrames,
            double minBaseline,
            int binning,
            int patchSize,
            EdgeMode edge) {

        /** The job's defaults for dF/F and patches at {@code fps}, with the given binning. */
        public static Settings defaults(double fps, int binning, int patchSize) {
            return new Settings(
                    fps, Duration.ofSeconds(30), 10, 1.0, binning, patchSize, EdgeMode.PAD);
        }
    }

    /**
     * One prepared channel.
     *
     * @param sequence the frames' patch values and times (seconds from the first frame read)
     * @param first the first frame's tokens (grid, patch size, frame size after binning)
     * @param indices each frame's index in the recording
     * @param startNanos acquisition time of the sequence's first frame on the recording's clock,
     *     ns: a frame's time on that clock is this plus its sequence time
     */
    public record Prepared(
            FrameSequence sequence, PatchTokens first, int[] indices, long startNanos) {}

    /**
     * Reads frames the job has already prepared and written as {@code .npy} files ({@code
     * --output-dir}): {@code <prefix>_<counter>.npy} in one channel's folder, e.g. the corrected
     * frames of a two-channel session. They are cut into patches as they are (the job has binned
     * them); a frame's time is its camera counter over {@code fps}.
     *
     * @param folder a channel folder of the job's output
     * @param prefix the files' prefix, e.g. {@code corrected} or {@code dff}
     * @param fps camera frames per second over all channels
     * @throws IOException if the folder holds no such file or one cannot be read
     */
    public static Prepared readPrepared(
            java.nio.file.Path folder, String prefix, double fps, int patchSize, EdgeMode edge)
            throws IOException {
        java.util.regex.Pattern name =
                java.util.regex.Pattern.compile(
                        java.util.regex.Pattern.quote(prefix) + "_(\\d+)\\.npy");
        java.util.List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(folder)) {
            files =
                    s.filter(p -> name.matcher(p.getFileName().toString()).matches())
                            .sorted()
                            .toList();
        }
        if (files.isEmpty()) {
            throw new IOException(
                    folder + ": no " + prefix + "_<counter>.npy files (the job's --output-dir)");
        }
        double[] times = new double[files.size()];
        float[][] frames = new float[files.size()][];
        int[] indices = new int[files.size()];
        PatchTokens first = null;
        for (int i = 0; i < files.size(); i++) {
            java.util.regex.Matcher m = name.matcher(files.get(i).getFileName().toString());
            m.matches();
            long counter = Long.parseLong(m.group(1));
            NpyFormat.Numbers n = NpyFormat.readNumbers(files.get(i));
            if (n.shape().length != 2) {
                throw new IOException(files.get(i) + ": not a 2-D frame");
            }
            DffFrame d = new DffFrame();
            d.height = (int) n.shape()[0];
            d.width = (int) n.shape()[1];
            d.frameCounter = counter;
            d.values = new float[n.values().length];
            for (int k = 0; k < d.values.length; k++) {
                d.values[k] = (float) n.values()[k];
            }
            PatchTokens tokens = PatchFunction.cut(d, patchSize, edge);
            times[i] = counter / fps;
            frames[i] = tokens.values;
            indices[i] = (int) counter;
            if (first == null) {
                first = tokens;
            }
        }
        // times are counters over the rate already: the sequence starts at the clock's zero
        return new Prepared(
                new FrameSequence(folder.toString(), times, frames), first, indices, 0L);
    }

    /**
     * Prepares frames {@code channel}, {@code channel + channels}, ... of {@code reader}, at most
     * {@code limit} of them (0 for all).
     *
     * @throws IOException if a frame cannot be read; the message names the file and frame
     */
    public static Prepared read(RecordingReader reader, Settings s, int channel, int limit)
            throws IOException {
        int channels = reader.channels();
        if (channel < 0 || channel >= channels) {
            throw new IllegalArgumentException(
                    "channel " + channel + " of a recording with " + channels + " channel(s)");
        }
        int available = (reader.frameCount() - channel + channels - 1) / channels;
        int count = limit > 0 ? Math.min(limit, available) : available;
        if (count <= s.warmupFrames()) {
            throw new IllegalArgumentException(
                    reader.describe()
                            + ": "
                            + count
                            + " frame(s) of channel "
                            + channel
                            + "; need more than the "
                            + s.warmupFrames()
                            + " warm-up frames of the dF/F baseline");
        }
        BaselineState baseline = new BaselineState();
        baseline.width = reader.width();
        baseline.height = reader.height();
        baseline.f0 = new float[reader.width() * reader.height()];
        BinningFunction binning = new BinningFunction(s.binning(), s.edge());
        long tau = s.baselineWindow().toNanos();
        int kept = count - s.warmupFrames();
        double[] times = new double[kept];
        float[][] frames = new float[kept][];
        int[] indices = new int[kept];
        PatchTokens first = null;
        long t0 = Long.MIN_VALUE;
        for (int k = 0; k < count; k++) {
            int index = channel + k * channels;
            Frame frame = reader.read(index);
            if (frame.acquisitionNanos < 0) {
                frame.acquisitionNanos = Math.round(index * 1e9 / s.fps());
            }
            float[] values =
                    DffFunction.update(
                            baseline, frame, tau, s.warmupFrames(), s.minBaseline(), new int[2]);
            if (k < s.warmupFrames()) {
                continue;
            }
            if (t0 == Long.MIN_VALUE) {
                t0 = frame.acquisitionNanos;
            }
            DffFrame dff = binning.map(DffFrame.from(frame, values));
            PatchTokens tokens = PatchFunction.cut(dff, s.patchSize(), s.edge());
            int i = k - s.warmupFrames();
            times[i] = (frame.acquisitionNanos - t0) / 1e9;
            frames[i] = tokens.values;
            indices[i] = index;
            if (first == null) {
                first = tokens;
            }
        }
        return new Prepared(
                new FrameSequence(reader.describe(), times, frames), first, indices, t0);
    }
}
