package org.cststream.model.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.cststream.model.CstConfig;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model behind a {@link ModelServer}: each call is sent as one or more HTTP requests in the
 * binary format of {@link WindowCodec} and completes when the answers arrive, without blocking the
 * caller (for Flink's {@code AsyncDataStream}).
 *
 * <p>Connections are kept open and reused between calls. A call larger than the server's limits
 * ({@code /model} reports them) is split into several requests, sent at once; a single window over
 * the limits fails with a message naming the limit and the server flag that raises it. A request
 * that fails on the connection (e.g. a kept-alive connection the server had just closed) is sent
 * once more: inference has no side effects. Failures complete the future with a {@link
 * RemoteInferenceException} naming the server and the cause.
 *
 * <p>Thread-safe: one instance may serve many concurrent calls.
 */
public final class RemoteInference implements WindowInference {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteInference.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI server;
    private final URI predictUri;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Duration timeout;
    private final CstConfig config;
    private final RequestLimits limits;
    private final String device;
    private final long parameters;

    private RemoteInference(
            URI server,
            HttpClient client,
            ExecutorService executor,
            Duration timeout,
            JsonNode info) {
        this.server = server;
        this.predictUri = server.resolve(ModelServer.PREDICT_PATH);
        this.client = client;
        this.executor = executor;
        this.timeout = timeout;
        try {
            this.config = JSON.treeToValue(info.get("config"), CstConfig.class).validate();
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException(
                    "model server at " + server + " describes a model this client cannot read", e);
        }
        JsonNode l = info.path("limits");
        this.limits =
                new RequestLimits(
                        l.path("maxRequestBytes").asLong(),
                        l.path("maxWindows").asInt(),
                        l.path("maxTokens").asInt());
        this.device = info.path("device").asText();
        this.parameters = info.path("parameters").asLong();
    }

    /**
     * Connects to a model server, waiting for it to be ready (it may still be loading its model).
     *
     * @param server base URI, e.g. {@code http://127.0.0.1:9470}
     * @param requestTimeout how long one request may take, from sending to the full answer
     * @param readyTimeout how long to wait for the server to be reachable and ready
     * @throws RemoteInferenceException naming the server and why it could not be used
     */
    public static RemoteInference connect(
            URI server, Duration requestTimeout, Duration readyTimeout)
            throws RemoteInferenceException {
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "cst-model-client-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        HttpClient client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(
                                requestTimeout.compareTo(Duration.ofSeconds(10)) < 0
                                        ? requestTimeout
                                        : Duration.ofSeconds(10))
                        .executor(executor)
                        .build();
        try {
            JsonNode info = describe(client, server, requestTimeout, readyTimeout);
            RemoteInference remote =
                    new RemoteInference(server, client, executor, requestTimeout, info);
            LOG.info(
                    "model server connected url={} parameters={} device={} maxRequestBytes={}"
                            + " maxWindows={} maxTokens={}",
                    server,
                    remote.parameters,
                    remote.device,
                    remote.limits.maxBytes(),
                    remote.limits.maxWindows(),
                    remote.limits.maxTokens());
            return remote;
        } catch (RemoteInferenceException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** Fetches {@code /model}, retrying while the server is unreachable or loading. */
    private static JsonNode describe(
            HttpClient client, URI server, Duration requestTimeout, Duration readyTimeout)
            throws RemoteInferenceException {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        HttpRequest request =
                HttpRequest.newBuilder(server.resolve(ModelServer.MODEL_PATH))
                        .timeout(requestTimeout)
                        .GET()
                        .build();
        while (true) {
            RemoteInferenceException failure;
            try {
                HttpResponse<byte[]> r =
                        client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
                failure = refused(server, r, "describe its model");
                if (!failure.isRetryable()) {
                    throw failure;
                }
            } catch (IOException e) {
                failure = failed(server, e, requestTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteInferenceException(
                        server, 0, null, "interrupted while connecting to " + server, e);
            }
            if (System.nanoTime() > deadline) {
                throw new RemoteInferenceException(
                        server,
                        failure.status(),
                        failure.retryAfter(),
                        failure.getMessage()
                                + " (still so after waiting "
                                + readyTimeout.toSeconds()
                                + " s for it to be ready)",
                        failure.getCause());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteInferenceException(
                        server, 0, null, "interrupted while connecting to " + server, e);
            }
        }
    }

    @Override
    public CompletableFuture<List<Prediction>> predict(List<Window> windows, AttentionRows rows) {
        List<List<Window>> parts;
        try {
            LocalInference.check(windows, config);
            parts = split(windows);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (parts.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (executor.isShutdown()) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("the client of " + server + " is closed"));
        }
        List<CompletableFuture<List<Prediction>>> sent = new ArrayList<>();
        for (List<Window> part : parts) {
            // encoded on the client's threads: the caller (a Flink task thread) is not held up
            sent.add(
                    CompletableFuture.supplyAsync(
                                    () -> WindowCodec.encodeRequest(part, rows), executor)
                            .thenCompose(body -> send(body, part.size(), true)));
        }
        CompletableFuture<List<Prediction>> result = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(sent.size());
        for (CompletableFuture<List<Prediction>> f : sent) {
            f.whenComplete(
                    (p, error) -> {
                        if (error != null) {
                            result.completeExceptionally(unwrap(error));
                        } else if (left.decrementAndGet() == 0) {
                            List<Prediction> all = new ArrayList<>(windows.size());
                            sent.forEach(s -> all.addAll(s.join()));
                            result.complete(all);
                        }
                    });
        }
        return result;
    }

    /** Cuts a call into requests within the server's limits. */
    List<List<Window>> split(List<Window> windows) {
        List<List<Window>> parts = new ArrayList<>();
        List<Window> part = new ArrayList<>();
        long bytes = WindowCodec.REQUEST_HEADER_BYTES;
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            int tokens = w.values().length;
            if (tokens > limits.maxTokens()) {
                throw new IllegalArgumentException(
                        "window "
                                + i
                                + " has "
                                + tokens
                                + " tokens; the model server at "
                                + server
                                + " takes at most "
                                + limits.maxTokens()
                                + " per window (raise it with "
                                + RequestLimits.TOKENS_FLAG
                                + " on the server)");
            }
            long wb = WindowCodec.windowBytes(w);
            if (WindowCodec.REQUEST_HEADER_BYTES + wb > limits.maxBytes()) {
                throw new IllegalArgumentException(
                        "window "
                                + i
                                + " encodes to "
                                + RequestLimits.mib(wb)
                                + "; the model server at "
                                + server
                                + " takes at most "
                                + RequestLimits.mib(limits.maxBytes())
                                + " per request (raise it with "
                                + RequestLimits.BYTES_FLAG
                                + " on the server)");
            }
            if (!part.isEmpty()
                    && (part.size() == limits.maxWindows() || bytes + wb > limits.maxBytes())) {
                parts.add(part);
                part = new ArrayList<>();
                bytes = WindowCodec.REQUEST_HEADER_BYTES;
            }
            part.add(w);
            bytes += wb;
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    private CompletableFuture<List<Prediction>> send(byte[] body, int windows, boolean retry) {
        HttpRequest request =
                HttpRequest.newBuilder(predictUri)
                        .timeout(timeout)
                        .header("Content-Type", WindowCodec.REQUEST_CONTENT_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle(
                        (response, error) -> {
                            if (error != null) {
                                Throwable cause = unwrap(error);
                                if (retry
                                        && cause instanceof IOException
                                        && !(cause instanceof HttpTimeoutException)
                                        && !(cause instanceof ConnectException)) {
                                    LOG.debug(
                                            "request to the model server failed, sending again"
                                                    + " url={} error={}",
                                            server,
                                            cause.toString());
                                    return send(body, windows, false);
                                }
                                return CompletableFuture.<List<Prediction>>failedFuture(
                                        cause instanceof IOException io
                                                ? failed(server, io, timeout)
                                                : cause);
                            }
                            try {
                                return CompletableFuture.completedFuture(read(response, windows));
                            } catch (RemoteInferenceException e) {
                                return CompletableFuture.<List<Prediction>>failedFuture(e);
                            }
                        })
                .thenCompose(f -> f);
    }

    private List<Prediction> read(HttpResponse<byte[]> response, int windows)
            throws RemoteInferenceException {
        if (response.statusCode() != 200) {
            throw refused(server, response, "run the model");
        }
        List<Prediction> out;
        try {
            out = WindowCodec.decodeResponse(response.body());
        } catch (MalformedBodyException e) {
            throw new RemoteInferenceException(
                    server,
                    200,
                    null,
                    "model server at "
                            + server
                            + " sent an answer this client cannot read: "
                            + e.getMessage(),
                    e);
        }
        if (out.size() != windows) {
            throw new RemoteInferenceException(
                    server,
                    200,
                    null,
                    "model server at "
                            + server
                            + " answered "
                            + out.size()
                            + " windows for a request of "
                            + windows,
                    null);
        }
        return out;
    }

    private static RemoteInferenceException refused(
            URI server, HttpResponse<byte[]> r, String what) {
        String reason = new String(r.body(), StandardCharsets.UTF_8).strip();
        Duration retryAfter =
                r.headers()
                        .firstValue("Retry-After")
                        .map(
                                v -> {
                                    try {
                                        return Duration.ofSeconds(Long.parseLong(v.trim()));
                                    } catch (NumberFormatException e) {
                                        return null;
                                    }
                                })
                        .orElse(null);
        return new RemoteInferenceException(
                server,
                r.statusCode(),
                retryAfter,
                "model server at "
                        + server
                        + " could not "
                        + what
                        + ": HTTP "
                        + r.statusCode()
                        + (reason.isEmpty() ? "" : ": " + reason)
                        + (retryAfter == null
                                ? ""
                                : " (retry after " + retryAfter.toSeconds() + " s)"),
                null);
    }

    private static RemoteInferenceException failed(URI server, IOException e, Duration timeout) {
        String message;
        if (e instanceof HttpTimeoutException) {
            message =
                    "model server at "
                            + server
                            + " did not answer within "
                            + timeout.toMillis()
                            + " ms (the client's request timeout)";
        } else if (e instanceof ConnectException) {
            message =
                    "cannot reach the model server at "
                            + server
                            + " ("
                            + (e.getMessage() == null ? "connection refused" : e.getMessage())
                            + "); is 'cst serve' running there?";
        } else {
            message = "connection to the model server at " + server + " failed: " + e;
        }
        return new RemoteInferenceException(server, 0, null, message, e);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    @Override
    public CstConfig config() {
        return config;
    }

    /** Returns the limits the server reported. */
    public RequestLimits limits() {
        return limits;
    }

    /** Returns the server's base URI. */
    public URI server() {
        return server;
    }

    /** Returns the device the server runs the model on, e.g. {@code cpu()}. */
    public String device() {
        return device;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
