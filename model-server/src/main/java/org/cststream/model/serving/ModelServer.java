package org.cststream.model.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The model server: loads a CST model folder once and answers inference requests over HTTP with the
 * binary format of {@link WindowCodec} ({@code docs/model-protocol.md}).
 *
 * <p>Endpoints: {@code POST /predict} (windows in, predictions out), {@code GET /health} (200 while
 * the process runs), {@code GET /ready} (200 once the model is loaded and a warm-up call ran, else
 * 503), {@code GET /model} (JSON: configuration, parameters, device, limits), {@code GET /metrics}
 * (Prometheus text).
 *
 * <p>Requests are read and answered on a small pool of I/O threads; the model runs on one thread of
 * its own ({@link InferenceBatcher}), which batches concurrent requests. Refusals: 400 for a
 * malformed body (offset and field), 413 for a request over the limits (the limit and its flag),
 * 503 with {@code Retry-After} while loading or when the queue is full, 500 when the model call
 * fails; the server keeps running after each.
 */
public final class ModelServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelServer.class);

    /** Inference: POST a request body, get a response body. */
    public static final String PREDICT_PATH = "/predict";

    /** Liveness: 200 while the process answers. */
    public static final String HEALTH_PATH = "/health";

    /** Readiness: 200 once the model is loaded and warmed up, 503 before. */
    public static final String READY_PATH = "/ready";

    /** The served model's description, JSON. */
    public static final String MODEL_PATH = "/model";

    /** Prometheus metrics. */
    public static final String METRICS_PATH = "/metrics";

    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a predict request ended; the tag of {@link MetricNames#MODEL_REQUESTS}. */
    enum Outcome {
        OK("ok", 200),
        BAD_REQUEST("bad-request", 400),
        TOO_LARGE("too-large", 413),
        OVERLOADED("overloaded", 503),
        NOT_READY("not-ready", 503),
        ERROR("error", 500);

        final String tag;
        final int status;

        Outcome(String tag, int status) {
            this.tag = tag;
            this.status = status;
        }
    }

    private final ModelServerOptions options;
    private final PrometheusMeterRegistry registry;
    private final HttpServer http;
    private final ThreadPoolExecutor io;
    private final InferenceBatcher batcher;
    private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
    private final Set<Outcome> warned = ConcurrentHashMap.newKeySet();
    private final Timer requestLatency;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean accepting = true;
    private volatile CstConfig config;
    private volatile byte[] modelJson;

    private ModelServer(
            ModelServerOptions options, PrometheusMeterRegistry registry, HttpServer http) {
        this.options = options;
        this.registry = registry;
        this.http = http;
        AtomicInteger n = new AtomicInteger();
        this.io =
                new ThreadPoolExecutor(
                        options.ioThreads(),
                        options.ioThreads(),
                        60,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(256),
                        r -> {
                            Thread t = new Thread(r, "cst-model-io-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        },
                        // a full I/O queue makes the accepting thread do the work: it stops
                        // accepting meanwhile, so waiting connections stay in the kernel's backlog
                        new ThreadPoolExecutor.CallerRunsPolicy());
        for (Outcome o : Outcome.values()) {
            outcomes.put(
                    o,
                    Counter.builder(MetricNames.MODEL_REQUESTS)
                            .description("predict requests answered, by outcome")
                            .tag(MetricNames.TAG_OUTCOME, o.tag)
                            .register(registry));
        }
        this.requestLatency =
                Timer.builder(MetricNames.MODEL_REQUEST_LATENCY)
                        .description("time from a decoded request to its answer")
                        .publishPercentileHistogram()
                        .publishPercentiles(0.5, 0.99)
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofSeconds(60))
                        .distributionStatisticExpiry(Duration.ofMinutes(10))
                        .register(registry);
        Gauge.builder(MetricNames.MODEL_READY, this, s -> s.isReady() ? 1 : 0)
                .description("1 once the model is loaded and warmed up")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        this.batcher =
                new InferenceBatcher(
                        this::load,
                        new InferenceBatcher.Settings(
                                options.maxBatchWindows(),
                                options.batchDelay(),
                                options.maxQueuedWindows()),
                        registry);
        batcher.loaded()
                .whenComplete(
                        (model, error) -> {
                            if (error == null) {
                                ready.complete(null);
                            } else {
                                ready.completeExceptionally(error);
                            }
                        });
    }

    /**
     * Binds the port and starts loading the model in the background; {@code /health} answers at
     * once, {@code /ready} once {@link #ready()} completes.
     *
     * @param registry where the server's metrics go, and what {@code /metrics} serves
     * @throws IOException if the address cannot be resolved or the port cannot be bound
     */
    public static ModelServer start(ModelServerOptions options, PrometheusMeterRegistry registry)
            throws IOException {
        InetAddress address = InetAddress.getByName(options.bind());
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(address, options.port()), 128);
        } catch (IOException e) {
            throw new IOException(
                    "cannot listen on "
                            + options.bind()
                            + ":"
                            + options.port()
                            + " ("
                            + e.getMessage()
                            + "); choose another --port, or 0 for a free one",
                    e);
        }
        ModelServer server = new ModelServer(options, registry, http);
        http.setExecutor(server.io);
        http.createContext("/", server::handle);
        http.start();
        if (!address.isLoopbackAddress()) {
            LOG.warn(
                    "model server listens on a non-loopback address bind={}: other machines can"
                            + " reach it, without authentication or encryption; use it on a"
                            + " trusted network only",
                    options.bind());
        }
        LOG.info(
                "model server started url={} model={} maxBatch={} batchDelayMs={}"
                        + " maxQueuedWindows={} maxRequestBytes={} maxWindows={} maxTokens={}"
                        + " ioThreads={}",
                server.uri(),
                options.model(),
                options.maxBatchWindows(),
                options.batchDelay().toMillis(),
                options.maxQueuedWindows(),
                options.limits().maxBytes(),
                options.limits().maxWindows(),
                options.limits().maxTokens(),
                options.ioThreads());
        if (options.portFile() != null) {
            Path tmp = options.portFile().resolveSibling(options.portFile().getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(server.port()));
            Files.move(tmp, options.portFile(), StandardCopyOption.ATOMIC_MOVE);
        }
        return server;
    }

    /** Returns the bound port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Returns the base URI, e.g. {@code http://127.0.0.1:9470}. */
    public URI uri() {
        String host = http.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port());
    }

    /** Completes once the model is loaded and warmed up, or with the reason it could not load. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Returns true once the model is loaded and warmed up, until the server closes. */
    public boolean isReady() {
        return accepting && ready.isDone() && !ready.isCompletedExceptionally();
    }

    /** Loads and warms up the model; runs on the inference thread. */
    private InferenceBatcher.Model load() throws IOException {
        long start = System.nanoTime();
        CstModel model = CstModel.load(options.model());
        try {
            CstPredictor predictor = new CstPredictor(model);
            CstConfig c = model.config();
            String device = model.djlModel().getNDManager().getDevice().toString();
            long warmStart = System.nanoTime();
            predictor.predict(
                    List.of(warmUpWindow(c, options.warmupTokens())), new AttentionRows(0, 1));
            long warmMillis = (System.nanoTime() - warmStart) / 1_000_000;
            long parameters = model.parameterCount();
            Gauge.builder(MetricNames.MODEL_PARAMETERS, () -> parameters)
                    .description("trainable values of the served model")
                    .tag(MetricNames.TAG_DEVICE, device)
                    .register(registry);
            modelJson = describe(c, parameters, device);
            config = c;
            LOG.info(
                    "model ready model={} parameters={} device={} valueDim={} coordDim={}"
                            + " attention={} loadMs={} warmupMs={}",
                    options.model(),
                    parameters,
                    device,
                    c.valueDim,
                    c.coordDim,
                    c.attention,
                    (warmStart - start) / 1_000_000,
                    warmMillis);
            return new InferenceBatcher.Model() {
                @Override
                public List<Prediction> predict(List<Window> windows, AttentionRows rows) {
                    return predictor.predict(windows, rows);
                }

                @Override
                public String device() {
                    return device;
                }

                @Override
                public void close() {
                    model.close();
                }
            };
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** A window of random tokens in the model's sizes, 90% observed. */
    static Window warmUpWindow(CstConfig c, int tokens) {
        Random random = new Random(1);
        float[][] values = new float[tokens][c.valueDim];
        float[][] coords = new float[tokens][c.coordDim];
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < c.valueDim; d++) {
                values[t][d] = (float) random.nextGaussian();
            }
            for (int d = 0; d < c.coordDim; d++) {
                coords[t][d] = random.nextFloat();
            }
        }
        return new Window(values, coords, Math.max(1, tokens * 9 / 10));
    }

    private byte[] describe(CstConfig c, long parameters, String device) {
        ObjectNode info = JSON.createObjectNode();
        info.put("protocolVersion", WindowCodec.VERSION);
        info.put("model", options.model().toAbsolutePath().toString());
        info.put("parameters", parameters);
        info.put("device", device);
        info.set("config", JSON.valueToTree(c));
        ObjectNode limits = info.putObject("limits");
        limits.put("maxRequestBytes", options.limits().maxBytes());
        limits.put("maxWindows", options.limits().maxWindows());
        limits.put("maxTokens", options.limits().maxTokens());
        ObjectNode batching = info.putObject("batching");
        batching.put("maxBatchWindows", options.maxBatchWindows());
        batching.put("batchDelayMs", options.batchDelay().toMillis());
        batching.put("maxQueuedWindows", options.maxQueuedWindows());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(info);
        } catch (IOException e) {
            throw new IllegalStateException("cannot describe the model as JSON", e);
        }
    }

    private void handle(HttpExchange ex) {
        String path = ex.getRequestURI().getPath();
        try {
            if (PREDICT_PATH.equals(path)) {
                predict(ex);
                return;
            }
            if (!List.of(HEALTH_PATH, READY_PATH, MODEL_PATH, METRICS_PATH).contains(path)) {
                text(
                        ex,
                        404,
                        "no endpoint "
                                + path
                                + "; endpoints: POST /predict, GET /health, /ready, /model,"
                                + " /metrics",
                        Map.of());
                return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
                text(
                        ex,
                        405,
                        path + " answers GET, not " + ex.getRequestMethod(),
                        Map.of("Allow", "GET"));
                return;
            }
            switch (path) {
                case HEALTH_PATH -> text(ex, 200, "ok", Map.of());
                case READY_PATH -> {
                    if (isReady()) {
                        text(ex, 200, "ready", Map.of());
                    } else {
                        text(ex, 503, notReadyReason(), Map.of("Retry-After", "1"));
                    }
                }
                case MODEL_PATH -> {
                    byte[] json = modelJson;
                    if (json == null) {
                        text(ex, 503, notReadyReason(), Map.of("Retry-After", "1"));
                    } else {
                        send(ex, 200, "application/json", json, Map.of());
                    }
                }
                default ->
                        send(
                                ex,
                                200,
                                PROMETHEUS_TEXT,
                                registry.scrape().getBytes(StandardCharsets.UTF_8),
                                Map.of());
            }
        } catch (IOException e) {
            LOG.debug("client connection failed path={} error={}", path, e.toString());
            ex.close();
        } catch (RuntimeException e) {
            LOG.error("request failed path={}", path, e);
            try {
                text(ex, 500, "internal error: " + e, Map.of());
            } catch (IOException | RuntimeException again) {
                ex.close();
            }
        }
    }

    private String notReadyReason() {
        if (!accepting) {
            return "the model server is shutting down";
        }
        if (ready.isCompletedExceptionally()) {
            return "the model failed to load: " + ready.handle((v, e) -> cause(e)).join();
        }
        return "the model server is loading " + options.model() + "; retry when /ready answers 200";
    }

    private void predict(HttpExchange ex) throws IOException {
        long received = System.nanoTime();
        if (!"POST".equals(ex.getRequestMethod())) {
            text(
                    ex,
                    405,
                    PREDICT_PATH + " answers POST, not " + ex.getRequestMethod(),
                    Map.of("Allow", "POST"));
            return;
        }
        CstConfig c = config;
        InputStream body = ex.getRequestBody();
        if (!isReady() || c == null) {
            refuse(ex, Outcome.NOT_READY, notReadyReason(), discarded(body, "1"));
            return;
        }
        WindowCodec.Request request;
        try {
            request =
                    WindowCodec.decodeRequest(
                            body, contentLength(ex), options.limits(), c.valueDim, c.coordDim);
        } catch (RequestLimitException e) {
            refuse(ex, Outcome.TOO_LARGE, e.getMessage(), discarded(body, null));
            return;
        } catch (MalformedBodyException e) {
            refuse(ex, Outcome.BAD_REQUEST, e.getMessage(), discarded(body, null));
            return;
        }
        body.close();
        CompletableFuture<List<Prediction>> result;
        try {
            result = batcher.submit(request.windows(), request.rows());
        } catch (InferenceBatcher.QueueFullException e) {
            refuse(ex, Outcome.OVERLOADED, e.getMessage(), Map.of("Retry-After", "1"));
            return;
        }
        result.whenCompleteAsync(
                (predictions, error) -> answer(ex, request, predictions, error, received), io);
    }

    private void answer(
            HttpExchange ex,
            WindowCodec.Request request,
            List<Prediction> predictions,
            Throwable error,
            long received) {
        try {
            if (error != null) {
                refuse(ex, Outcome.ERROR, "model call failed: " + cause(error), Map.of());
                return;
            }
            byte[] body = WindowCodec.encodeResponse(predictions, request.rows() != null);
            send(ex, 200, WindowCodec.RESPONSE_CONTENT_TYPE, body, Map.of());
            outcomes.get(Outcome.OK).increment();
            requestLatency.record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            LOG.debug("client went away before its answer error={}", e.toString());
            ex.close();
        } catch (RuntimeException e) {
            // an answer that cannot be encoded must still be answered, or the client waits
            LOG.error("answer could not be written windows={}", request.windows().size(), e);
            try {
                refuse(ex, Outcome.ERROR, "answer could not be written: " + e, Map.of());
            } catch (IOException | RuntimeException again) {
                ex.close();
            }
        }
    }

    /** Answers a refused request with its status and reason, counts it, and warns once. */
    private void refuse(
            HttpExchange ex, Outcome outcome, String reason, Map<String, String> headers)
            throws IOException {
        outcomes.get(outcome).increment();
        if (warned.add(outcome)) {
            LOG.warn(
                    "request refused outcome={} status={} reason={} (repeats are logged at DEBUG"
                            + " and counted in {})",
                    outcome.tag,
                    outcome.status,
                    reason,
                    MetricNames.MODEL_REQUESTS);
        } else {
            LOG.debug("request refused outcome={} reason={}", outcome.tag, reason);
        }
        text(ex, outcome.status, reason, headers);
    }

    /** Most bytes of a refused body read and dropped so that the client can read the answer. */
    static final long DISCARD_LIMIT_BYTES = 256L * 1024 * 1024;

    /**
     * Reads and drops the rest of a refused request body, holding none of it, so that the client,
     * still sending, gets the answer instead of a reset connection; past {@link
     * #DISCARD_LIMIT_BYTES} the answer closes the connection instead.
     *
     * @param retryAfter the Retry-After value to send, or null
     * @return the headers of the refusal
     */
    private static Map<String, String> discarded(InputStream body, String retryAfter) {
        boolean drained = false;
        try {
            byte[] scratch = new byte[64 * 1024];
            long total = 0;
            while (total < DISCARD_LIMIT_BYTES) {
                int n = body.read(scratch);
                if (n < 0) {
                    drained = true;
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            LOG.debug("refused body could not be drained error={}", e.toString());
        }
        Map<String, String> headers = new java.util.HashMap<>();
        if (!drained) {
            headers.put("Connection", "close");
        }
        if (retryAfter != null) {
            headers.put("Retry-After", retryAfter);
        }
        return headers;
    }

    /** Returns the declared body length, or -1 when the body is chunked. */
    private static long contentLength(HttpExchange ex) throws MalformedBodyException {
        String value = ex.getRequestHeaders().getFirst("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedBodyException(0, "Content-Length header", "'" + value + "'");
        }
    }

    private static void text(HttpExchange ex, int status, String message, Map<String, String> h)
            throws IOException {
        send(ex, status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), h);
    }

    private static void send(
            HttpExchange ex, int status, String type, byte[] body, Map<String, String> headers)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        ex.close();
    }

    private static String cause(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /**
     * Stops the server: refuses new requests (503), answers those already queued, then closes the
     * port and the model. Safe to call twice.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        accepting = false;
        batcher.close(Duration.ofSeconds(10));
        // answers of the last requests are written on the I/O threads; let them finish
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((io.getActiveCount() > 0 || !io.getQueue().isEmpty())
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        io.shutdownNow();
        LOG.info("model server stopped url={}", uri());
        stopped.countDown();
    }

    /** Blocks until {@link #close()} has run. */
    public void awaitClosed() throws InterruptedException {
        stopped.await();
    }

    /**
     * Runs a server until the process is told to stop (SIGTERM, Ctrl-C): prints where it listens,
     * waits for the model, prints that it is ready.
     *
     * @param out where the two status lines go
     * @throws IOException if the port cannot be bound or the model cannot be loaded
     */
    public static void serve(ModelServerOptions options, PrintStream out) throws Exception {
        ModelServer server = start(options, CstMetrics.registry());
        out.println(
                "model server     listening on "
                        + server.uri()
                        + ", loading "
                        + options.model()
                        + (InetAddress.getByName(options.bind()).isLoopbackAddress()
                                ? ""
                                : " (WARNING: not loopback; reachable from other machines)"));
        try {
            server.ready().get();
        } catch (ExecutionException e) {
            server.close();
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        // registered once ready: a server that failed to load has nothing to stop gracefully
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    out.println(
                                            "stopped          "
                                                    + server.uri()
                                                    + " (queued requests answered)");
                                },
                                "cst-model-server-shutdown"));
        CstConfig c = server.config;
        out.println(
                "ready            "
                        + server.uri()
                        + "/predict  model "
                        + c.valueDim
                        + " values + "
                        + c.coordDim
                        + " coordinates per token, "
                        + JSON.readTree(server.modelJson).get("parameters").asLong()
                        + " parameters on "
                        + JSON.readTree(server.modelJson).get("device").asText()
                        + "; metrics on "
                        + server.uri()
                        + METRICS_PATH
                        + "; Ctrl-C to stop");
        server.awaitClosed();
    }

    /** The server's own command line, the same flags as {@code cst serve}. */
    @Command(
            name = "cst-model-server",
            mixinStandardHelpOptions = true,
            description = "Serve a CST model over HTTP (binary protocol, docs/model-protocol.md).")
    static final class Main implements Callable<Integer> {
        @Mixin ModelServerArgs args;

        @Override
        public Integer call() throws Exception {
            serve(args.toOptions(), System.out);
            return 0;
        }
    }

    /**
     * Runs the server; see {@link ModelServerArgs} for the flags. Exits with 2 for bad flags or a
     * model folder that cannot be loaded, 1 for other failures.
     */
    public static void main(String[] args) {
        int code =
                new CommandLine(new Main())
                        .setExecutionExceptionHandler(
                                (e, cl, parsed) -> {
                                    LOG.error("model server failed", e);
                                    cl.getErr().println("error: " + e.getMessage());
                                    return e instanceof IllegalArgumentException
                                                    || e instanceof IOException
                                            ? 2
                                            : 1;
                                })
                        .execute(args);
        System.exit(code);
    }
}
