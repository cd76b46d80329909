package org.cststream.cli;

import java.io.IOException;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelType;
import org.cststream.recording.RecordingReader;

/** A recording played {@code times} times back to back, for benchmarks longer than the data. */
final class RepeatedRecording implements RecordingReader {
    private final RecordingReader inner;
    private final int times;

    RepeatedRecording(RecordingReader inner, int times) {
        this.inner = inner;
        this.times = Math.max(1, times);
    }

    @Override
    public int frameCount() {
        return inner.frameCount() * times;
    }

    @Override
    public int width() {
        return inner.width();
    }

    @Override
    public int height() {
        return inner.height();
    }

    @Override
    public PixelType pixelType() {
        return inner.pixelType();
    }

    @Override
    public Frame read(int index) throws IOException {
        Frame f = inner.read(index % inner.frameCount());
        f.frameCounter = index;
        f.acquisitionNanos = -1;
        return f;
    }

    @Override
    public String describe() {
        return inner.describe() + ", played " + times + " times";
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
