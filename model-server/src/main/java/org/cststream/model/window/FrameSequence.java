package org.cststream.model.window;

/**
 * Frames of one channel of one session, in time order, as patch values: what the CST trains on and
 * what the fill benchmark hides frames from.
 *
 * @param name where the frames came from, for messages (e.g. the session)
 * @param times acquisition times, seconds, strictly increasing
 * @param frames patch values per frame ({@link WindowLayout#frameValues()} each)
 */
public record FrameSequence(String name, double[] times, float[][] frames) {

    public FrameSequence {
        if (times.length != frames.length) {
            throw new IllegalArgumentException(
                    name + ": " + times.length + " times for " + frames.length + " frames");
        }
        for (int i = 1; i < times.length; i++) {
            if (!(times[i] > times[i - 1])) {
                throw new IllegalArgumentException(
                        name
                                + ": frame "
                                + i
                                + " at "
                                + times[i]
                                + " s is not after frame "
                                + (i - 1)
                                + " at "
                                + times[i - 1]
                                + " s; times must increase");
            }
        }
    }

    /** Returns the number of frames. */
    public int size() {
        return frames.length;
    }

    /** Returns frames {@code from} (inclusive) to {@code to} (exclusive) as a new sequence. */
    public FrameSequence slice(int from, int to) {
        return new FrameSequence(
                name + "[" + from + ":" + to + "]",
                java.util.Arrays.copyOfRange(times, from, to),
                java.util.Arrays.copyOfRange(frames, from, to));
    }
}
