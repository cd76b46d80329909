package org.cststream.replay;

import java.util.SortedSet;

/**
 * What a replay did: frames read, sent and dropped on purpose, and how long it took.
 *
 * @param framesInRecording frames the recording holds (after any limit)
 * @param framesPublished frames acknowledged by Kafka
 * @param droppedIndices frames not sent (fault injection), as recording indices
 * @param reorderedPairs pairs of frames sent swapped
 * @param elapsedNanos wall time from the first send to the last acknowledgement, in ns
 */
public record ReplayResult(
        int framesInRecording,
        long framesPublished,
        SortedSet<Integer> droppedIndices,
        int reorderedPairs,
        long elapsedNanos) {

    /** Returns the sustained publishing rate in frames/s. */
    public double framesPerSecond() {
        return elapsedNanos == 0 ? 0 : framesPublished * 1e9 / elapsedNanos;
    }
}
