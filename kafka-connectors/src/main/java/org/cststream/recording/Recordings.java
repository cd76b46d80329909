package org.cststream.recording;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Opens a recorded session in any supported format, chosen from what the path points at. */
public final class Recordings {
    /** The formats {@link #open(Path)} recognises, for help texts and error messages. */
    public static final String SUPPORTED_FORMATS =
            "a folder of .npy frames (one (H, W) array per file), a folder of .tif/.tiff frames"
                + " (one per file), a .npy stack of shape (T, H, W) or a single .npy frame (H, W),"
                + " a raw .dat named "
                    + RawDatReader.NAME_PATTERN
                    + ", or a multi-page .tif/.tiff stack";

    private Recordings() {}

    /**
     * Opens a recording, detecting its format: a folder of {@code .npy} files ({@link
     * NpyFolderReader}), a folder of {@code .tif}/{@code .tiff} files ({@link TiffFolderReader}), a
     * {@code .npy} file ({@link NpyStackReader}, 3-D or a single 2-D frame), a {@code .dat} file
     * ({@link RawDatReader}) or a {@code .tif}/{@code .tiff} file ({@link TiffStackReader}).
     * Extensions are matched in any case.
     *
     * @param path a file or folder
     * @return an open reader; the caller closes it
     * @throws NoSuchFileException if nothing exists at the path
     * @throws IllegalArgumentException if the path is not in a recognised format, or is a folder
     *     holding both {@code .npy} and TIFF files; the message lists the supported formats
     * @throws IOException if the format is recognised but the recording cannot be read
     */
    public static RecordingReader open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no recording at this path");
        }
        if (Files.isDirectory(path)) {
            return openFolder(path);
        }
        switch (ReaderSupport.extension(path)) {
            case "npy":
                return NpyStackReader.open(path);
            case "dat":
                return RawDatReader.open(path);
            case "tif":
            case "tiff":
                return TiffStackReader.open(path);
            default:
                throw new IllegalArgumentException(
                        path + ": unknown recording format; supported: " + SUPPORTED_FORMATS);
        }
    }

    private static RecordingReader openFolder(Path folder) throws IOException {
        List<Path> npy = NaturalOrder.list(folder, NaturalOrder.anyOf("npy"));
        List<Path> tiff = NaturalOrder.list(folder, NaturalOrder.anyOf("tif", "tiff"));
        if (!npy.isEmpty() && !tiff.isEmpty()) {
            throw new IllegalArgumentException(
                    folder
                            + ": folder holds both .npy ("
                            + npy.size()
                            + ") and TIFF ("
                            + tiff.size()
                            + ") files, so the frame"
                            + " order is ambiguous; keep one kind per folder. Supported: "
                            + SUPPORTED_FORMATS);
        }
        if (!npy.isEmpty()) {
            return NpyFolderReader.open(folder);
        }
        if (!tiff.isEmpty()) {
            return TiffFolderReader.open(folder);
        }
        throw new IllegalArgumentException(
                folder
                        + ": folder holds no .npy or .tif/.tiff"
                        + " frames; supported: "
                        + SUPPORTED_FORMATS);
    }
}
