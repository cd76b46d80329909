package org.cststream.model.serving;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The model server's flags, shared by {@code cst serve} and the server's own {@code main}; {@link
 * #toOptions()} checks them.
 */
public class ModelServerArgs {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Folder of a saved CST model (cst-model.json and parameters).")
    Path model;

    @Option(
            names = "--bind",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description =
                    "Address to listen on; loopback unless clients run on other machines (no"
                            + " authentication: trusted networks only). Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "" + ModelServerOptions.DEFAULT_PORT,
            description = "TCP port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--max-batch",
            paramLabel = "N",
            defaultValue = "" + ModelServerOptions.DEFAULT_MAX_BATCH,
            description = "Most windows in one model call. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(
            names = "--batch-delay-ms",
            paramLabel = "MS",
            defaultValue = "" + ModelServerOptions.DEFAULT_BATCH_DELAY_MS,
            description =
                    "How long a request waits for others to share its model call (0 = only those"
                            + " already waiting). Default: ${DEFAULT-VALUE}.")
    long batchDelayMillis;

    @Option(
            names = "--max-queued-windows",
            paramLabel = "N",
            defaultValue = "" + ModelServerOptions.DEFAULT_MAX_QUEUED_WINDOWS,
            description =
                    "Most windows waiting for the model; beyond it requests get 503 with"
                            + " Retry-After. Default: ${DEFAULT-VALUE}.")
    int maxQueuedWindows;

    @Option(
            names = RequestLimits.BYTES_FLAG,
            paramLabel = "MIB",
            defaultValue = "" + ModelServerOptions.DEFAULT_MAX_REQUEST_MIB,
            description = "Largest request body, MiB. Default: ${DEFAULT-VALUE}.")
    int maxRequestMib;

    @Option(
            names = RequestLimits.WINDOWS_FLAG,
            paramLabel = "N",
            defaultValue = "" + ModelServerOptions.DEFAULT_MAX_WINDOWS,
            description = "Most windows in one request. Default: ${DEFAULT-VALUE}.")
    int maxWindows;

    @Option(
            names = RequestLimits.TOKENS_FLAG,
            paramLabel = "N",
            defaultValue = "" + ModelServerOptions.DEFAULT_MAX_TOKENS,
            description = "Most tokens in one window. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(
            names = "--io-threads",
            paramLabel = "N",
            defaultValue = "" + ModelServerOptions.DEFAULT_IO_THREADS,
            description =
                    "Threads that read requests and write answers. Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    @Option(
            names = "--warmup-tokens",
            paramLabel = "N",
            defaultValue = "" + ModelServerOptions.DEFAULT_WARMUP_TOKENS,
            description =
                    "Tokens of the warm-up window run before /ready answers 200. Default:"
                            + " ${DEFAULT-VALUE}.")
    int warmupTokens;

    @Option(
            names = "--port-file",
            paramLabel = "FILE",
            description = "Write the bound port to this file once listening (for scripts).")
    Path portFile;

    /**
     * Returns the checked options.
     *
     * @throws IllegalArgumentException naming the flag and its bound
     */
    public ModelServerOptions toOptions() {
        if (maxRequestMib < 1 || maxRequestMib > 2047) {
            throw new IllegalArgumentException(
                    "invalid model server setting: "
                            + RequestLimits.BYTES_FLAG
                            + " must be 1..2047 MiB, was "
                            + maxRequestMib);
        }
        if (maxWindows < 1 || maxTokens < 1) {
            throw new IllegalArgumentException(
                    "invalid model server setting: "
                            + RequestLimits.WINDOWS_FLAG
                            + " and "
                            + RequestLimits.TOKENS_FLAG
                            + " must be >= 1, were "
                            + maxWindows
                            + " and "
                            + maxTokens);
        }
        return new ModelServerOptions(
                model,
                bind,
                port,
                maxBatch,
                Duration.ofMillis(batchDelayMillis),
                maxQueuedWindows,
                new RequestLimits(maxRequestMib * 1024L * 1024L, maxWindows, maxTokens),
                ioThreads,
                warmupTokens,
                portFile);
    }
}
