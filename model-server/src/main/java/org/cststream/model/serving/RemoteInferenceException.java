package org.cststream.model.serving;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The model server could not answer: unreachable, too slow, refusing the request, or answering
 * something this client cannot read. The message names the server and the cause; {@link #status()}
 * and {@link #isRetryable()} let a caller decide whether to try again.
 */
public final class RemoteInferenceException extends IOException {
    private static final long serialVersionUID = 1L;

    private final URI server;
    private final int status;
    private final Duration retryAfter;

    /**
     * @param server the server's base URI
     * @param status the HTTP status, or 0 when no answer came
     * @param retryAfter the server's {@code Retry-After}, or null
     * @param message what happened, naming the server
     * @param cause the underlying failure, or null
     */
    public RemoteInferenceException(
            URI server, int status, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.server = server;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** Returns the server's base URI. */
    public URI server() {
        return server;
    }

    /** Returns the HTTP status of the answer, or 0 when none came (unreachable, timeout). */
    public int status() {
        return status;
    }

    /** Returns how long the server asked the client to wait before retrying, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * Returns true when the same request may succeed later: the server was busy, loading or
     * unreachable, or did not answer in time. A 400 or 413 never succeeds unchanged.
     */
    public boolean isRetryable() {
        return status == 0 || status == 503;
    }
}
