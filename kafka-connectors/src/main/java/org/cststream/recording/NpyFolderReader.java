package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Reads a folder of {@code .npy} files, one 2-D frame of shape {@code (H, W)} per file, in natural
 * order of the file names ({@code 2.npy} before {@code 10.npy}).
 *
 * <p>Opening reads every file's header (a few hundred bytes each) and rejects the folder unless all
 * frames share one shape and dtype, so that a bad file is reported before replay starts rather than
 * in the middle of it. Each {@link #read(int)} then reads one file.
 */
public final class NpyFolderReader implements RecordingReader {
    private final Path folder;
    private final List<Path> files;
    private final NpyFormat.Header header;
    private final int width;
    private final int height;
    private final int frameBytes;

    private NpyFolderReader(
            Path folder, List<Path> files, NpyFormat.Header header, int frameBytes) {
        this.folder = folder;
        this.files = files;
        this.header = header;
        long[] shape = header.shape();
        this.height = (int) shape[0];
        this.width = (int) shape[1];
        this.frameBytes = frameBytes;
    }

    /**
     * Opens a folder of {@code .npy} frames.
     *
     * @param folder a folder holding one or more {@code .npy} files (other files are ignored)
     * @return an open reader
     * @throws IOException if the folder cannot be listed, holds no {@code .npy} file, or a file is
     *     not a valid 2-D {@code .npy} of the same shape and dtype as the first; the message names
     *     the offending file
     */
    public static NpyFolderReader open(Path folder) throws IOException {
        List<Path> files = NaturalOrder.list(folder, NaturalOrder.anyOf("npy"));
        if (files.isEmpty()) {
            throw new IOException(folder + ": folder holds no .npy files");
        }
        NpyFormat.Header first = NpyFormat.readHeader(files.get(0));
        if (first.ndim() != 2) {
            throw new IOException(
                    files.get(0)
                            + ": shape "
                            + first.shapeText()
                            + " is not"
                            + " 2-D; a folder recording needs one (H, W) frame per file");
        }
        long[] shape = first.shape();
        int frameBytes =
                ReaderSupport.frameBytes(files.get(0), shape[1], shape[0], first.pixelType());
        for (Path file : files.subList(1, files.size())) {
            checkSame(file, NpyFormat.readHeader(file), first, files.get(0));
        }
        return new NpyFolderReader(folder, List.copyOf(files), first, frameBytes);
    }

    private static void checkSame(
            Path file, NpyFormat.Header h, NpyFormat.Header first, Path firstFile)
            throws IOException {
        if (!h.sameArrayAs(first)) {
            throw new IOException(
                    file
                            + ": shape "
                            + h.shapeText()
                            + " dtype "
                            + h.descr()
                            + " differs from "
                            + first.shapeText()
                            + " "
                            + first.descr()
                            + " of "
                            + firstFile.getFileName()
                            + "; every frame in the folder must share shape"
                            + " and dtype");
        }
    }

    /** Returns the files in frame order; frame {@code i} is file {@code i}. */
    public List<Path> files() {
        return files;
    }

    @Override
    public int frameCount() {
        return files.size();
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

    /**
     * {@inheritDoc} The file's header is read again and must still match the folder's shape and
     * dtype, since files may be replaced while a replay runs.
     */
    @Override
    public Frame read(int index) throws IOException {
        ReaderSupport.checkIndex(index, files.size(), folder);
        Path file = files.get(index);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyFormat.Header h = NpyFormat.readHeader(ch, file);
            checkSame(file, h, header, files.get(0));
            ByteBuffer b = ByteBuffer.allocate(frameBytes);
            long pos = h.dataOffset();
            while (b.hasRemaining()) {
                int n = ch.read(b, pos);
                if (n < 0) {
                    throw new IOException(file + ": file ends inside frame " + index + "'s data");
                }
                pos += n;
            }
            return ReaderSupport.frame(
                    index, width, height, header.pixelType(), h.byteOrder(), b.array());
        }
    }

    @Override
    public String describe() {
        return "npy-folder path="
                + folder
                + " "
                + ReaderSupport.describeShape(files.size(), width, height, header.pixelType());
    }

    /** Holds no open files between reads, so there is nothing to release. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return describe();
    }
}
