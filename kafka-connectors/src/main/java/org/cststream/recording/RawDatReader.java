package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Reads a raw binary {@code .dat} recording named in the wfield convention {@code
 * <name>_<NCHANNELS>_<H>_<W>_<DTYPE>.dat}, e.g. {@code session_2_540_640_uint16.dat}.
 *
 * <p>The file holds an array of shape {@code (T, NCHANNELS, H, W)} in C order, little-endian, with
 * no header; T follows from the file size. Frames are numbered in file order, so frame {@code i} is
 * time point {@code i / NCHANNELS} of channel {@code i % NCHANNELS}. (wfield's own code names the
 * two spatial fields {@code w, h}; the layout is the same: the first of them is the slower axis,
 * the rows.) The file is memory-mapped, never read whole into the heap.
 */
public final class RawDatReader implements RecordingReader {
    /** The naming convention, for error messages. */
    public static final String NAME_PATTERN = "<name>_<NCHANNELS>_<H>_<W>_<DTYPE>.dat";

    private static final Pattern NAME =
            Pattern.compile("(.*)_(\\d+)_(\\d+)_(\\d+)_([A-Za-z0-9]+)\\.dat");

    private final Path path;
    private final int channels;
    private final int height;
    private final int width;
    private final PixelType pixelType;
    private final MappedFrames frames;

    private RawDatReader(
            Path path,
            int channels,
            int height,
            int width,
            PixelType pixelType,
            MappedFrames frames) {
        this.path = path;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixelType = pixelType;
        this.frames = frames;
    }

    /**
     * Opens a {@code .dat} recording.
     *
     * @param path a file named {@value #NAME_PATTERN}, with NCHANNELS, H and W of 1 or more and
     *     DTYPE one of {@code uint8}, {@code uint16}, {@code int16}, {@code float32}
     * @return an open reader
     * @throws IOException if the name does not follow the convention (the message shows the
     *     pattern), the dtype is not supported, the size is not a whole number of time points (the
     *     message says how many bytes or frames are left over), or the file cannot be mapped
     */
    public static RawDatReader open(Path path) throws IOException {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IOException(
                    path
                            + ": name does not follow the raw recording convention "
                            + NAME_PATTERN
                            + " (e.g. session_2_540_640_uint16.dat), so its channels,"
                            + " size and dtype are unknown; rename the file");
        }
        int channels = parsePositive(m.group(2), "NCHANNELS", path);
        int height = parsePositive(m.group(3), "H", path);
        int width = parsePositive(m.group(4), "W", path);
        PixelType type;
        try {
            type = PixelType.fromName(m.group(5));
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    path
                            + ": DTYPE '"
                            + m.group(5)
                            + "' in the name is not"
                            + " supported; use one of uint8, uint16, int16, float32",
                    e);
        }
        int frameBytes = ReaderSupport.frameBytes(path, width, height, type);
        long size = Files.size(path);
        long whole = size / frameBytes;
        long leftover = size % frameBytes;
        if (leftover != 0) {
            throw new IOException(
                    path
                            + ": size "
                            + size
                            + " bytes is not a whole number of "
                            + height
                            + "x"
                            + width
                            + " (rows x cols) "
                            + ReaderSupport.typeName(type)
                            + " frames ("
                            + frameBytes
                            + " bytes each): "
                            + whole
                            + " frames and "
                            + leftover
                            + " bytes left over; the file is truncated or its name gives the wrong"
                            + " size or dtype");
        }
        if (whole % channels != 0) {
            throw new IOException(
                    path
                            + ": holds "
                            + whole
                            + " frames, not a whole number of"
                            + " time points of "
                            + channels
                            + " channels ("
                            + whole % channels
                            + " frames left over); the last time point is incomplete");
        }
        if (whole == 0) {
            throw new IOException(path + ": file is empty; it holds no frames");
        }
        if (whole > Integer.MAX_VALUE) {
            throw new IOException(
                    path + ": holds " + whole + " frames, more than " + Integer.MAX_VALUE);
        }
        MappedFrames frames = MappedFrames.map(path, 0, (int) whole, frameBytes);
        return new RawDatReader(path, channels, height, width, type, frames);
    }

    private static int parsePositive(String digits, String field, Path path) throws IOException {
        int v;
        try {
            v = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 1) {
            throw new IOException(
                    path
                            + ": "
                            + field
                            + " '"
                            + digits
                            + "' in the name of "
                            + NAME_PATTERN
                            + " must be an integer from 1 to "
                            + Integer.MAX_VALUE);
        }
        return v;
    }

    @Override
    public int frameCount() {
        return frames.frameCount();
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
        return pixelType;
    }

    /** Returns NCHANNELS from the file name. */
    @Override
    public int channels() {
        return channels;
    }

    /** {@inheritDoc} Safe to call from several threads at once. */
    @Override
    public Frame read(int index) throws IOException {
        ReaderSupport.checkIndex(index, frames.frameCount(), path);
        return ReaderSupport.frame(
                index, width, height, pixelType, ByteOrder.LITTLE_ENDIAN, frames.copy(index));
    }

    @Override
    public String describe() {
        return "raw-dat path="
                + path
                + " "
                + ReaderSupport.describeShape(frameCount(), width, height, pixelType)
                + " channels="
                + channels;
    }

    @Override
    public void close() {
        frames.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
