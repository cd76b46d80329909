package org.cststream.recording;

import java.io.IOException;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;

/**
 * Random access to the frames of a recorded session, whatever the file format.
 *
 * <p>Frames are numbered 0..{@link #frameCount()}-1 in acquisition order. With several interleaved
 * channels (a {@code .dat} file of {@code NCHANNELS > 1}), frame {@code i} belongs to channel
 * {@code i % channels()}.
 */
public interface RecordingReader extends AutoCloseable {

    /** Returns the number of frames, over all channels. */
    int frameCount();

    /** Returns the frame width in pixels (columns). */
    int width();

    /** Returns the frame height in pixels (rows). */
    int height();

    /** Returns the pixel type of every frame. */
    PixelType pixelType();

    /** Returns the number of interleaved channels; 1 for most formats. */
    default int channels() {
        return 1;
    }

    /**
     * Returns the excitation wavelengths (nm) of the channels in acquisition order when the
     * recording knows them, in which case its frames carry their own channel ({@link
     * Frame#channelNm}); an empty list otherwise (the replay then assigns channels).
     */
    default List<Integer> channelWavelengths() {
        return List.of();
    }

    /**
     * Reads one frame. The returned frame has width, height, pixel type, byte order, pixels and
     * {@code frameCounter = index} set; {@code acquisitionNanos} is the time from the file's
     * metadata when the format records one, else -1. Session, camera and channel are left for the
     * caller.
     *
     * @param index 0..frameCount()-1
     * @throws IOException if the file cannot be read or is malformed; the message names the file
     *     and the frame
     */
    Frame read(int index) throws IOException;

    /** Returns a one-line description: format, path, frame count, size and type. */
    String describe();

    @Override
    void close() throws IOException;
}
