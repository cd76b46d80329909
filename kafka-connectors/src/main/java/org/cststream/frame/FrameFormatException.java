package org.cststream.frame;

/**
 * A record that is not a valid frame. The {@link Reason} is stable and machine readable (it is used
 * as a metric tag and a dead-letter header); the message says what was found and what to do.
 */
public class FrameFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a record was rejected. */
    public enum Reason {
        TRUNCATED,
        BAD_MAGIC,
        UNSUPPORTED_VERSION,
        UNKNOWN_PIXEL_TYPE,
        WRONG_DIMENSIONS,
        TRAILING_BYTES,
        BAD_CHECKSUM,
        MISSING_SESSION,
        NON_FINITE_PIXELS,
        TOO_LARGE;

        /** Returns the lower-case tag value used in metrics and headers. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    public FrameFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Returns the rule this record broke. */
    public Reason reason() {
        return reason;
    }
}
