package org.cststream.recording.phantom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.recording.NpyWriter;

/**
 * Writes a phantom session to files the replay reads, with its ground truth beside it.
 *
 * <p>In a folder, for a session named {@code NAME}:
 *
 * <ul>
 *   <li>the frames: {@code NAME_<N>_<H>_<W>_uint16.dat} (the wfield convention, N interleaved
 *       channels, whole time points) or {@code NAME.npy} (a (T, H, W) uint16 stack);
 *   <li>{@code NAME_neural_truth.npy}: (T, H, W) float32, the neural dF/F of each frame's pixels at
 *       its acquisition time (the same index as the frames);
 *   <li>{@code NAME_brain_mask.npy}: (H, W) float32, each pixel's fraction of brain tissue;
 *   <li>{@code NAME_stimuli.csv}: one row per grating (onset, duration, contrast, orientation,
 *       temporal frequency), seconds from the session's start;
 *   <li>{@code NAME.json}: the settings (as a spec {@code cst} reads back), the neural source, and
 *       per frame its channel and acquisition time.
 * </ul>
 */
public final class PhantomWriter {
    /** File format of the frames. */
    public enum Format {
        /** Raw {@code .dat}, the wfield convention; needs whole time points and no lost frames. */
        DAT,
        /** A {@code (T, H, W)} uint16 {@code .npy} stack. */
        NPY
    }

    /**
     * What was written.
     *
     * @param recording the frames' file
     * @param truth the neural ground truth
     * @param brainMask the brain mask
     * @param stimuli the stimulus log
     * @param metadata the JSON description
     * @param frames frames written
     */
    public record Result(
            Path recording, Path truth, Path brainMask, Path stimuli, Path metadata, int frames) {}

    private static final int BATCH = 16;

    private PhantomWriter() {}

    /**
     * Writes the session.
     *
     * @param phantom the session
     * @param dir the folder; created if missing
     * @param name the file name stem, letters, digits, '-' and '.' only
     * @param format the frames' format
     * @param progress draw a progress bar on the console
     * @throws IllegalArgumentException if the format cannot hold the session (a .dat with lost
     *     frames or an incomplete last time point), saying which format to use
     * @throws IOException if a file cannot be written
     */
    public static Result write(
            PhantomRecording phantom, Path dir, String name, Format format, boolean progress)
            throws IOException {
        if (!name.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException(
                    "name '" + name + "' may hold only letters, digits, '-' and '.'");
        }
        PhantomSettings s = phantom.settings();
        int channels = s.channelsNm.size();
        int frames = phantom.frameCount();
        if (format == Format.DAT) {
            if (s.lostFraction > 0) {
                throw new IllegalArgumentException(
                        "a .dat file holds whole time points of every channel, so it cannot hold"
                                + " frames lost without a counter trace (lost="
                                + s.lostFraction
                                + "); write the .npy format instead");
            }
            if (frames % channels != 0) {
                throw new IllegalArgumentException(
                        "a .dat file holds whole time points: "
                                + frames
                                + " frames is not a multiple of "
                                + channels
                                + " channels; choose a multiple or the .npy format");
            }
        }
        Files.createDirectories(dir);
        Path recording =
                format == Format.DAT
                        ? dir.resolve(
                                String.format(
                                        Locale.ROOT,
                                        "%s_%d_%d_%d_uint16.dat",
                                        name,
                                        channels,
                                        s.height,
                                        s.width))
                        : dir.resolve(name + ".npy");
        Path truth = dir.resolve(name + "_neural_truth.npy");
        int pixels = s.width * s.height;
        try (FileChannel rec = open(recording);
                FileChannel tru = open(truth);
                ProgressBar bar = progress ? bar(name, frames) : null) {
            if (format == Format.NPY) {
                writeAll(
                        rec,
                        NpyWriter.header(PixelType.UINT16, new long[] {frames, s.height, s.width}));
            }
            writeAll(
                    tru,
                    NpyWriter.header(PixelType.FLOAT32, new long[] {frames, s.height, s.width}));
            for (int batch = 0; batch < frames; batch += BATCH) {
                int start = batch;
                int end = Math.min(frames, start + BATCH);
                // frames are independent, so a batch is generated on every core
                Frame[] f = new Frame[end - start];
                float[][] t = new float[end - start][];
                IntStream.range(start, end)
                        .parallel()
                        .forEach(
                                i -> {
                                    f[i - start] = phantom.read(i);
                                    t[i - start] = phantom.neuralFrame(i);
                                });
                for (int k = 0; k < f.length; k++) {
                    writeAll(rec, ByteBuffer.wrap(f[k].pixels));
                    ByteBuffer b = ByteBuffer.allocate(pixels * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(t[k]);
                    writeAll(tru, b);
                }
                if (bar != null) {
                    bar.stepBy(f.length);
                }
            }
        }
        Path mask = dir.resolve(name + "_brain_mask.npy");
        NpyWriter.write(mask, phantom.brainMask(), s.height, s.width);
        Path stimuli = dir.resolve(name + "_stimuli.csv");
        Files.writeString(stimuli, phantom.stimuli().toCsv(), StandardCharsets.UTF_8);
        Path metadata = dir.resolve(name + ".json");
        writeMetadata(phantom, metadata, recording, format);
        return new Result(recording, truth, mask, stimuli, metadata, frames);
    }

    private static void writeMetadata(
            PhantomRecording phantom, Path file, Path recording, Format format) throws IOException {
        PhantomSettings s = phantom.settings();
        int frames = phantom.frameCount();
        int[] channel = new int[frames];
        double[] millis = new double[frames];
        for (int i = 0; i < frames; i++) {
            channel[i] = phantom.channelOf(i);
            millis[i] = phantom.acquisitionNanos(i) / 1e6;
        }
        int saturated = 0;
        for (boolean b : phantom.saturatedMask()) {
            saturated += b ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec", s.toSpec());
        m.put("recording", recording.getFileName().toString());
        m.put("format", format.name().toLowerCase(Locale.ROOT));
        m.put("replay", replayHint(recording, s));
        m.put("neural_source", phantom.neuralSource());
        m.put("channels_nm", s.channelsNm);
        m.put("isosbestic_nm", s.isosbesticNm);
        m.put("first_frame_channel_nm", phantom.channelOf(0));
        m.put("fps", s.fps);
        m.put("frames", frames);
        m.put("saturated_pixels", saturated);
        m.put("stimuli", phantom.stimuli().stimuli().size());
        m.put("frame_channel_nm", channel);
        m.put("frame_acquisition_ms", millis);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), m);
    }

    private static String replayHint(Path recording, PhantomSettings s) {
        StringBuilder ch = new StringBuilder();
        for (int i = 0; i < s.channelsNm.size(); i++) {
            int nm = s.channelsNm.get((i + s.startChannel) % s.channelsNm.size());
            ch.append(ch.length() == 0 ? "" : ",").append(nm);
        }
        return "cst run --input "
                + recording.getFileName()
                + " --fps "
                + s.fps
                + " --channels "
                + ch;
    }

    private static FileChannel open(Path p) throws IOException {
        return FileChannel.open(
                p,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static ProgressBar bar(String name, int frames) {
        return new ProgressBarBuilder()
                .setTaskName("phantom " + name)
                .setInitialMax(frames)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" frames", 1)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .build();
    }
}
