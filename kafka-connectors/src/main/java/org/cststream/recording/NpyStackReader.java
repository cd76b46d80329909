package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Reads frames from one {@code .npy} file of shape {@code (T, H, W)}, memory-mapped so that opening
 * costs nothing per frame and any frame can be read in any order.
 *
 * <p>A 2-D file of shape {@code (H, W)} opens as a recording of one frame. Frames keep the file's
 * byte order ({@link Frame#littleEndian} says which). The file is never read whole into the Java
 * heap; the operating system pages in the frames that are read.
 */
public final class NpyStackReader implements RecordingReader {
    private final Path path;
    private final NpyFormat.Header header;
    private final int frameCount;
    private final int height;
    private final int width;
    private final MappedFrames frames;

    private NpyStackReader(
            Path path,
            NpyFormat.Header header,
            int frameCount,
            int height,
            int width,
            MappedFrames frames) {
        this.path = path;
        this.header = header;
        this.frameCount = frameCount;
        this.height = height;
        this.width = width;
        this.frames = frames;
    }

    /**
     * Opens a {@code .npy} stack of shape {@code (T, H, W)} with T of 1 or more, or a single frame
     * of shape {@code (H, W)}.
     *
     * @param path the {@code .npy} file
     * @return an open reader; close it when done
     * @throws IOException if the file cannot be read, its header is invalid (see {@link
     *     NpyFormat#readHeader(Path)}), it is not 2-D or 3-D, or it holds no frames; the message
     *     names the file
     */
    public static NpyStackReader open(Path path) throws IOException {
        NpyFormat.Header h = NpyFormat.readHeader(path);
        long[] shape = h.shape();
        long t;
        long rows;
        long cols;
        if (shape.length == 3) {
            t = shape[0];
            rows = shape[1];
            cols = shape[2];
        } else if (shape.length == 2) {
            t = 1;
            rows = shape[0];
            cols = shape[1];
        } else {
            throw new IOException(
                    path
                            + ": shape "
                            + h.shapeText()
                            + " has "
                            + shape.length
                            + " axes; a recording needs (T, H, W) or a single frame (H, W)");
        }
        if (t < 1) {
            throw new IOException(path + ": shape " + h.shapeText() + " holds no frames");
        }
        if (t > Integer.MAX_VALUE) {
            throw new IOException(
                    path
                            + ": shape "
                            + h.shapeText()
                            + " has more than "
                            + Integer.MAX_VALUE
                            + " frames");
        }
        int frameBytes = ReaderSupport.frameBytes(path, cols, rows, h.pixelType());
        MappedFrames frames = MappedFrames.map(path, h.dataOffset(), (int) t, frameBytes);
        return new NpyStackReader(path, h, (int) t, (int) rows, (int) cols, frames);
    }

    /** Returns the parsed {@code .npy} header. */
    public NpyFormat.Header header() {
        return header;
    }

    @Override
    public int frameCount() {
        return frameCount;
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
        return header.pixelType();
    }

    /** {@inheritDoc} Safe to call from several threads at once. */
    @Override
    public Frame read(int index) throws IOException {
        ReaderSupport.checkIndex(index, frameCount, path);
        ByteOrder order = header.byteOrder();
        return ReaderSupport.frame(
                index, width, height, header.pixelType(), order, frames.copy(index));
    }

    @Override
    public String describe() {
        return "npy-stack path="
                + path
                + " "
                + ReaderSupport.describeShape(frameCount, width, height, header.pixelType());
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
