package org.cststream.replay;

import java.util.List;

/**
 * How a recording is replayed: identity of the session, pacing, and the faults to inject.
 *
 * <p>Build with {@link #builder()}; {@link Builder#build()} checks every value and names the one
 * out of range.
 */
public final class ReplayOptions {
    public final String sessionId;
    public final String cameraId;

    /**
     * Channel wavelengths in nm, cycled over consecutive frames (e.g. 470, 405), for recordings
     * whose frames do not carry their own channel.
     */
    public final List<Integer> channelsNm;

    /** Nominal frame rate in frames/s when the recording has no timestamps. */
    public final double fps;

    /** Pacing factor: 1 = real time, 2 = twice as fast; ignored when {@link #asFastAsPossible}. */
    public final double speed;

    public final boolean asFastAsPossible;

    /** Fraction of frames to drop, 0..0.5. The first frame is never dropped. */
    public final double dropFraction;

    /** Fraction of frames sent out of order, 0..0.5. */
    public final double reorderFraction;

    /** Largest distance, in frames, that a reordered frame moves (1..64). */
    public final int reorderDistance;

    /** Standard deviation of Gaussian jitter added to acquisition timestamps, in ns. */
    public final long jitterNanos;

    /** Seed of every random choice, so a fault pattern can be replayed exactly. */
    public final long seed;

    /** Replay only the first N frames; 0 = all. */
    public final int limit;

    /** Whether to send an end-of-session marker after the last frame. */
    public final boolean sendEndOfSession;

    public final boolean showProgress;

    /**
     * Send frames without a channel (wavelength 0, no name), as a camera without excitation
     * metadata does; the job then assigns channels from their alternation.
     */
    public final boolean untagged;

    private ReplayOptions(Builder b) {
        sessionId = b.sessionId;
        cameraId = b.cameraId;
        channelsNm = List.copyOf(b.channelsNm);
        fps = b.fps;
        speed = b.speed;
        asFastAsPossible = b.asFastAsPossible;
        dropFraction = b.dropFraction;
        reorderFraction = b.reorderFraction;
        reorderDistance = b.reorderDistance;
        jitterNanos = b.jitterNanos;
        seed = b.seed;
        limit = b.limit;
        sendEndOfSession = b.sendEndOfSession;
        showProgress = b.showProgress;
        untagged = b.untagged;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link ReplayOptions}. */
    public static final class Builder {
        private String sessionId = "session-1";
        private String cameraId = "replay";
        private List<Integer> channelsNm = List.of(470);
        private double fps = 30.0;
        private double speed = 1.0;
        private boolean asFastAsPossible;
        private double dropFraction;
        private double reorderFraction;
        private int reorderDistance = 2;
        private long jitterNanos;
        private long seed = 1;
        private int limit;
        private boolean sendEndOfSession = true;
        private boolean showProgress = true;
        private boolean untagged;

        public Builder sessionId(String v) {
            sessionId = v;
            return this;
        }

        public Builder cameraId(String v) {
            cameraId = v;
            return this;
        }

        public Builder channelsNm(List<Integer> v) {
            channelsNm = v;
            return this;
        }

        public Builder fps(double v) {
            fps = v;
            return this;
        }

        public Builder speed(double v) {
            speed = v;
            return this;
        }

        public Builder asFastAsPossible(boolean v) {
            asFastAsPossible = v;
            return this;
        }

        public Builder dropFraction(double v) {
            dropFraction = v;
            return this;
        }

        public Builder reorderFraction(double v) {
            reorderFraction = v;
            return this;
        }

        public Builder reorderDistance(int v) {
            reorderDistance = v;
            return this;
        }

        public Builder jitterNanos(long v) {
            jitterNanos = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder limit(int v) {
            limit = v;
            return this;
        }

        public Builder sendEndOfSession(boolean v) {
            sendEndOfSession = v;
            return this;
        }

        public Builder showProgress(boolean v) {
            showProgress = v;
            return this;
        }

        public Builder untagged(boolean v) {
            untagged = v;
            return this;
        }

        /**
         * Checks every value and returns the options.
         *
         * @throws IllegalArgumentException naming the parameter, its bound and unit
         */
        public ReplayOptions build() {
            require(sessionId != null && !sessionId.isBlank(), "session id must not be empty");
            require(
                    channelsNm != null && !channelsNm.isEmpty(),
                    "channels must list at least one wavelength in nm");
            require(fps > 0 && fps <= 10_000, "fps must be in (0, 10000] frames/s, was " + fps);
            require(speed > 0 && speed <= 1000, "speed must be in (0, 1000], was " + speed);
            require(
                    dropFraction >= 0 && dropFraction <= 0.5,
                    "drop fraction must be in [0, 0.5], was " + dropFraction);
            require(
                    reorderFraction >= 0 && reorderFraction <= 0.5,
                    "reorder fraction must be in [0, 0.5], was " + reorderFraction);
            require(
                    reorderDistance >= 1 && reorderDistance <= 64,
                    "reorder distance must be in [1, 64] frames, was " + reorderDistance);
            require(jitterNanos >= 0, "jitter must be >= 0 ns, was " + jitterNanos);
            require(limit >= 0, "limit must be >= 0 frames (0 = all), was " + limit);
            return new ReplayOptions(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
