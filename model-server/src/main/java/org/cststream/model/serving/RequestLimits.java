package org.cststream.model.serving;

/**
 * Bounds on one inference request, checked before the body is read as far as the declared sizes
 * allow (the Content-Length, the window count, each window's token count).
 *
 * @param maxBytes largest body, bytes, 1 or more
 * @param maxWindows most windows in one request, 1 or more
 * @param maxTokens most tokens in one window, 1 or more
 */
public record RequestLimits(long maxBytes, int maxWindows, int maxTokens) {
    /** The server flag that sets {@link #maxBytes}, in MiB. */
    public static final String BYTES_FLAG = "--max-request-mib";

    /** The server flag that sets {@link #maxWindows}. */
    public static final String WINDOWS_FLAG = "--max-windows";

    /** The server flag that sets {@link #maxTokens}. */
    public static final String TOKENS_FLAG = "--max-tokens";

    /** Limits that accept anything an array can hold; for decoding a server's answer. */
    public static final RequestLimits NONE =
            new RequestLimits(Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    public RequestLimits {
        if (maxBytes < 1 || maxWindows < 1 || maxTokens < 1) {
            throw new IllegalArgumentException(
                    "request limits must be >= 1: maxBytes="
                            + maxBytes
                            + " maxWindows="
                            + maxWindows
                            + " maxTokens="
                            + maxTokens);
        }
    }

    /**
     * Checks a request's declared body size.
     *
     * @param bytes Content-Length, bytes
     * @throws RequestLimitException if it exceeds {@link #maxBytes}
     */
    public void checkBytes(long bytes) throws RequestLimitException {
        if (bytes > maxBytes) {
            throw new RequestLimitException(
                    "request body of "
                            + mib(bytes)
                            + " exceeds the server's limit of "
                            + mib(maxBytes)
                            + " per request: send fewer windows per request, or start the server"
                            + " with a larger "
                            + BYTES_FLAG);
        }
    }

    /**
     * Checks a request's window count.
     *
     * @throws RequestLimitException if it exceeds {@link #maxWindows}
     */
    public void checkWindows(int windows) throws RequestLimitException {
        if (windows > maxWindows) {
            throw new RequestLimitException(
                    "request of "
                            + windows
                            + " windows exceeds the server's limit of "
                            + maxWindows
                            + " windows per request: split it, or start the server with a larger "
                            + WINDOWS_FLAG);
        }
    }

    /**
     * Checks one window's token count.
     *
     * @param window index of the window in its request
     * @throws RequestLimitException if it exceeds {@link #maxTokens}
     */
    public void checkTokens(int window, int tokens) throws RequestLimitException {
        if (tokens > maxTokens) {
            throw new RequestLimitException(
                    "window "
                            + window
                            + " has "
                            + tokens
                            + " tokens, more than the server's limit of "
                            + maxTokens
                            + " tokens per window: use shorter windows, or start the server with"
                            + " a larger "
                            + TOKENS_FLAG);
        }
    }

    /** Formats a byte count in MiB with one decimal. */
    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
