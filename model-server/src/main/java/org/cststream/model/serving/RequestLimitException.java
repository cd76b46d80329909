package org.cststream.model.serving;

import java.io.IOException;

/**
 * A request larger than the server accepts (bytes, windows per request or tokens per window); the
 * message says the limit, the server flag that raises it, and what the client can do instead. The
 * server answers it with 413 Content Too Large.
 */
public final class RequestLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    public RequestLimitException(String message) {
        super(message);
    }
}
