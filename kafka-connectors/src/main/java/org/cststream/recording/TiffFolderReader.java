package org.cststream.recording;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Reads a folder of TIFF files, one frame per file, in natural order of the file names ({@code
 * frame_2.tif} before {@code frame_10.tif}); {@code .tif} and {@code .tiff} in any case are both
 * taken.
 *
 * <p>Opening lists the folder and reads the first file's layout; each {@link #read(int)} opens one
 * file, decodes its first page and closes it, and fails, naming the file, if that page differs in
 * size or pixel type from the first file's. Further pages of a file are ignored. When the file's
 * metadata records a time from the start of acquisition ({@link TiffMetadata}: OME-TIFF, a
 * Hamamatsu-style text header, ImageJ), the frame carries it as its acquisition time.
 */
public final class TiffFolderReader implements RecordingReader {
    private final Path folder;
    private final List<Path> files;
    private final TiffFile.Geometry geometry;

    private TiffFolderReader(Path folder, List<Path> files, TiffFile.Geometry geometry) {
        this.folder = folder;
        this.files = files;
        this.geometry = geometry;
    }

    /**
     * Opens a folder of TIFF frames.
     *
     * @param folder a folder holding one or more {@code .tif} or {@code .tiff} files (other files
     *     are ignored)
     * @return an open reader
     * @throws IOException if the folder cannot be listed, holds no TIFF, or its first TIFF is
     *     unreadable or not a supported layout; the message names the file
     */
    public static TiffFolderReader open(Path folder) throws IOException {
        List<Path> files = NaturalOrder.list(folder, NaturalOrder.anyOf("tif", "tiff"));
        if (files.isEmpty()) {
            throw new IOException(folder + ": folder holds no .tif or .tiff files");
        }
        try (TiffFile first = TiffFile.open(files.get(0))) {
            return new TiffFolderReader(folder, List.copyOf(files), first.geometry(0));
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
        return geometry.width();
    }

    @Override
    public int height() {
        return geometry.height();
    }

    @Override
    public PixelType pixelType() {
        return geometry.type();
    }

    /** {@inheritDoc} Safe to call from several threads at once. */
    @Override
    public Frame read(int index) throws IOException {
        ReaderSupport.checkIndex(index, files.size(), folder);
        Frame frame;
        try (TiffFile file = TiffFile.open(files.get(index))) {
            byte[] pixels = file.readPixels(0, geometry);
            frame =
                    ReaderSupport.frame(
                            index,
                            geometry.width(),
                            geometry.height(),
                            geometry.type(),
                            ByteOrder.LITTLE_ENDIAN,
                            pixels);
        }
        List<TiffMetadata> meta = TiffPages.metadata(files.get(index));
        if (!meta.isEmpty()) {
            frame.acquisitionNanos = meta.get(0).timeFromStartNanos().orElse(-1);
        }
        return frame;
    }

    @Override
    public String describe() {
        return "tiff-folder path="
                + folder
                + " "
                + ReaderSupport.describeShape(
                        files.size(), geometry.width(), geometry.height(), geometry.type());
    }

    /** Holds no open files between reads, so there is nothing to release. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return describe();
    }
}
