package org.cststream.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.recording.RecordingReader;

/**
 * The first frames of a recording held in memory, so a benchmark measures the pipeline rather than
 * the disk or the demo generator.
 */
final class InMemoryRecording implements RecordingReader {
    private final List<Frame> frames = new ArrayList<>();
    private final String description;
    private final int width;
    private final int height;
    private final PixelType type;

    /** Reads up to {@code limit} frames of {@code source} and closes it. */
    InMemoryRecording(RecordingReader source, int limit) throws IOException {
        try (source) {
            int n = Math.min(limit, source.frameCount());
            for (int i = 0; i < n; i++) {
                frames.add(source.read(i));
            }
            description = source.describe() + ", " + n + " frames in memory";
            width = source.width();
            height = source.height();
            type = source.pixelType();
        }
    }

    @Override
    public int frameCount() {
        return frames.size();
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
        return type;
    }

    @Override
    public Frame read(int index) {
        Frame f = frames.get(index);
        Frame copy = new Frame();
        copy.width = f.width;
        copy.height = f.height;
        copy.pixelType = f.pixelType;
        copy.littleEndian = f.littleEndian;
        copy.frameCounter = f.frameCounter;
        copy.acquisitionNanos = f.acquisitionNanos;
        copy.pixels = f.pixels;
        return copy;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {}
}
