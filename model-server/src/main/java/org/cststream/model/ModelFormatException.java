package org.cststream.model;

/** A model folder that this build cannot load; the message says why and what to do. */
public class ModelFormatException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
