package org.cststream.model.decoding;

/**
 * A decoder file that this build cannot read; the message names the file, what is wrong and what to
 * do.
 */
public class DecoderFormatException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public DecoderFormatException(String message) {
        super(message);
    }

    public DecoderFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
