package org.cststream.model.serving;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Every setting of the model server, checked once at start-up. Each bound is named with the flag
 * that sets it ({@link ModelServerArgs}) and its unit.
 *
 * @param model the model folder ({@code CstModel.save})
 * @param bind address to listen on; loopback unless the server must be reached from elsewhere
 * @param port TCP port, 0 for a free one
 * @param maxBatchWindows most windows in one model call
 * @param batchDelay how long the first waiting request waits for others to batch with, 0 to 10 s
 * @param maxQueuedWindows most windows waiting for the model; more are answered 503
 * @param limits bounds on one request
 * @param ioThreads threads that read requests and write answers
 * @param warmupTokens tokens of the warm-up window run before the server reports ready
 * @param portFile file to write the bound port to once listening, or null
 */
public record ModelServerOptions(
        Path model,
        String bind,
        int port,
        int maxBatchWindows,
        Duration batchDelay,
        int maxQueuedWindows,
        RequestLimits limits,
        int ioThreads,
        int warmupTokens,
        Path portFile) {

    /** Default port of the model server. */
    public static final int DEFAULT_PORT = 9470;

    /** Default of {@link #maxBatchWindows}. */
    public static final int DEFAULT_MAX_BATCH = 16;

    /** Default of {@link #batchDelay}, ms. */
    public static final int DEFAULT_BATCH_DELAY_MS = 2;

    /** Default of {@link #maxQueuedWindows}. */
    public static final int DEFAULT_MAX_QUEUED_WINDOWS = 128;

    /** Default of {@link RequestLimits#maxBytes()}, MiB. */
    public static final int DEFAULT_MAX_REQUEST_MIB = 64;

    /** Default of {@link RequestLimits#maxWindows()}. */
    public static final int DEFAULT_MAX_WINDOWS = 64;

    /** Default of {@link RequestLimits#maxTokens()}. */
    public static final int DEFAULT_MAX_TOKENS = 8192;

    /** Default of {@link #ioThreads}. */
    public static final int DEFAULT_IO_THREADS = 4;

    /** Default of {@link #warmupTokens}. */
    public static final int DEFAULT_WARMUP_TOKENS = 256;

    /**
     * @throws IllegalArgumentException naming the flag, its bound and unit
     */
    public ModelServerOptions {
        require(model != null, "--model is required: the folder of a saved CST model");
        require(bind != null && !bind.isBlank(), "--bind must name an address, was empty");
        require(port >= 0 && port <= 65535, "--port must be 0..65535, was " + port);
        require(maxBatchWindows >= 1, "--max-batch must be >= 1 window, was " + maxBatchWindows);
        require(
                !batchDelay.isNegative() && batchDelay.compareTo(Duration.ofSeconds(10)) <= 0,
                "--batch-delay-ms must be 0..10000 ms, was " + batchDelay.toMillis());
        require(
                maxQueuedWindows >= limits.maxWindows(),
                "--max-queued-windows ("
                        + maxQueuedWindows
                        + ") must be at least --max-windows ("
                        + limits.maxWindows()
                        + "), or a request of --max-windows windows could never be queued");
        require(
                ioThreads >= 1 && ioThreads <= 256,
                "--io-threads must be 1..256, was " + ioThreads);
        require(
                warmupTokens >= 1 && warmupTokens <= limits.maxTokens(),
                "--warmup-tokens must be 1..--max-tokens ("
                        + limits.maxTokens()
                        + "), was "
                        + warmupTokens);
    }

    /**
     * Returns the defaults for a model folder (those of {@code cst serve}): loopback, port {@value
     * #DEFAULT_PORT}.
     */
    public static ModelServerOptions defaults(Path model) {
        return new ModelServerOptions(
                model,
                "127.0.0.1",
                DEFAULT_PORT,
                DEFAULT_MAX_BATCH,
                Duration.ofMillis(DEFAULT_BATCH_DELAY_MS),
                DEFAULT_MAX_QUEUED_WINDOWS,
                new RequestLimits(
                        DEFAULT_MAX_REQUEST_MIB * 1024L * 1024L,
                        DEFAULT_MAX_WINDOWS,
                        DEFAULT_MAX_TOKENS),
                DEFAULT_IO_THREADS,
                DEFAULT_WARMUP_TOKENS,
                null);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model server setting: " + message);
        }
    }
}
