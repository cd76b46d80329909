package org.cststream.job.frames;

import java.nio.charset.StandardCharsets;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;

/**
 * Sizes of the records the job writes for one input frame, so that a frame whose outputs Kafka
 * would refuse is set aside at the door instead of failing a sink (which would restart the job over
 * and over on the same frame).
 */
public final class OutputSizes {
    /** Room kept for a dead letter's headers (reason, message, coordinates), bytes. */
    public static final int DEAD_LETTER_HEADER_BYTES = 64 * 1024;

    private static final int TOKEN_HEADER_BYTES = 70;

    private OutputSizes() {}

    /**
     * Returns the size in bytes of the largest record the job writes for {@code frame}: its dF/F,
     * corrected or CST frame (float32 after binning) or its patch-token record.
     *
     * @param binning the binning factor b (>= 1)
     * @param patch the patch side p in binned pixels (>= 1)
     */
    public static long largestOutputBytes(Frame frame, int binning, int patch, EdgeMode edge) {
        long h = binnedSide(frame.height, binning, edge);
        long w = binnedSide(frame.width, binning, edge);
        long strings = stringBytes(frame);
        long frameRecord = FrameCodec.FIXED_HEADER_BYTES + 6 + strings + 4 * h * w + 4;
        long rows = patchCount(h, patch, edge);
        long cols = patchCount(w, patch, edge);
        long tokenRecord = TOKEN_HEADER_BYTES + strings + 4 * rows * cols * patch * patch + 4;
        return Math.max(frameRecord, tokenRecord);
    }

    /** Returns a side after b x b binning: partial blocks kept (PAD) or left out (CROP). */
    public static long binnedSide(int side, int binning, EdgeMode edge) {
        return edge == EdgeMode.PAD ? (side + binning - 1) / binning : side / binning;
    }

    /**
     * Returns the patches along a (binned) side: a partial patch padded (PAD) or left out (CROP).
     */
    public static long patchCount(long side, int patch, EdgeMode edge) {
        return edge == EdgeMode.PAD ? (side + patch - 1) / patch : side / patch;
    }

    private static long stringBytes(Frame f) {
        return utf8(f.sessionId) + utf8(f.cameraId) + utf8(f.channelName);
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
