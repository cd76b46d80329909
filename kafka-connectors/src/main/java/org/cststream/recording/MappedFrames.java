package org.cststream.recording;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A run of equally sized frames in a file, memory-mapped read-only for random access.
 *
 * <p>One mapping holds at most 2 GiB, so a long recording is mapped as several segments, each a
 * whole number of frames, so that no frame straddles two segments. Reads use absolute bulk gets,
 * which leave the buffers' positions alone and so may run from several threads.
 */
final class MappedFrames {
    /** Target size of one mapped segment; a segment holds at least one frame. */
    private static final long SEGMENT_BYTES = 1L << 30;

    private final Path path;
    private final int frameBytes;
    private final int frameCount;
    private final int framesPerSegment;
    private volatile MappedByteBuffer[] segments;

    private MappedFrames(
            Path path,
            int frameBytes,
            int frameCount,
            int framesPerSegment,
            MappedByteBuffer[] segments) {
        this.path = path;
        this.frameBytes = frameBytes;
        this.frameCount = frameCount;
        this.framesPerSegment = framesPerSegment;
        this.segments = segments;
    }

    /**
     * Maps {@code frameCount} frames of {@code frameBytes} each, starting at {@code offset}.
     *
     * @throws IOException if the file cannot be opened or mapped, or is shorter than the frames
     */
    static MappedFrames map(Path path, long offset, int frameCount, int frameBytes)
            throws IOException {
        // a mapping stays valid after its channel is closed, so no descriptor is held open
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long needed = offset + (long) frameCount * frameBytes;
            if (ch.size() < needed) {
                throw new IOException(
                        path
                                + ": file has "
                                + ch.size()
                                + " bytes but "
                                + frameCount
                                + " frames of "
                                + frameBytes
                                + " bytes from offset "
                                + offset
                                + " need "
                                + needed);
            }
            int perSegment = (int) Math.max(1, Math.min(frameCount, SEGMENT_BYTES / frameBytes));
            int count = frameCount == 0 ? 0 : (frameCount + perSegment - 1) / perSegment;
            MappedByteBuffer[] segments = new MappedByteBuffer[count];
            for (int s = 0; s < count; s++) {
                int frames = Math.min(perSegment, frameCount - s * perSegment);
                long start = offset + (long) s * perSegment * frameBytes;
                segments[s] =
                        ch.map(FileChannel.MapMode.READ_ONLY, start, (long) frames * frameBytes);
            }
            return new MappedFrames(path, frameBytes, frameCount, perSegment, segments);
        }
    }

    /** Returns the number of frames mapped. */
    int frameCount() {
        return frameCount;
    }

    /**
     * Copies the bytes of one frame into a new array.
     *
     * @param index 0..frameCount()-1, checked by the caller
     * @throws IOException if the mapping was closed
     */
    byte[] copy(int index) throws IOException {
        MappedByteBuffer[] s = segments;
        if (s == null) {
            throw new IOException(path + ": reader is closed; cannot read frame " + index);
        }
        byte[] out = new byte[frameBytes];
        s[index / framesPerSegment].get((index % framesPerSegment) * frameBytes, out);
        return out;
    }

    /**
     * Drops the mappings. The operating system unmaps them when they are garbage collected, which
     * Java 17 offers no supported way to force.
     */
    void close() {
        segments = null;
    }
}
