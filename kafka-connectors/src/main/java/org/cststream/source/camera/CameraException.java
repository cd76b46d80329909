package org.cststream.source.camera;

/** A camera could not be opened, configured or read; the message names the camera and the step. */
public final class CameraException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what failed and what to do. */
    public CameraException(String message) {
        super(message);
    }

    /** Creates an exception with a message and its cause. */
    public CameraException(String message, Throwable cause) {
        super(message, cause);
    }
}
