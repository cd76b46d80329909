package org.cststream.model.serving;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Window;
import org.cststream.model.Normalisation;

/**
 * Per-request latency and throughput of the CST on a widefield window (10 frames of 256 patches of
 * 16x16: 2560 tokens, the last frame's 256 tokens as queries, their attention rows returned), in
 * this process ({@link LocalInference}, one model per client thread, as one per task slot) and
 * through a model server in its own JVM ({@link RemoteInference}), at several numbers of concurrent
 * clients. A benchmark: it prints figures and never fails on a slow machine.
 */
public final class ServerBenchmark {
    static final int FRAMES = 10;
    static final int PATCHES = 256;
    static final int TOKENS = FRAMES * PATCHES;
    static final int OBSERVED = TOKENS - PATCHES;

    private ServerBenchmark() {}

    /**
     * What to run.
     *
     * @param requests timed requests per client, 1 or more
     * @param warmup untimed requests per client first, 0 or more
     * @param clients numbers of concurrent clients to measure, e.g. 1 and 4
     * @param attentionRows whether each request asks for the query frame's attention rows
     * @param serverArgs further flags for the server, e.g. {@code --batch-delay-ms 2}
     * @param workDir folder for the model and the server's log
     */
    public record Settings(
            int requests,
            int warmup,
            List<Integer> clients,
            boolean attentionRows,
            List<String> serverArgs,
            Path workDir) {}

    /**
     * One measured configuration.
     *
     * @param path {@code in-process} or {@code server}
     * @param clients concurrent clients, each sending one request after another
     * @param requests timed requests in all
     * @param p50Millis median request latency, ms
     * @param p99Millis 99th percentile request latency, ms
     * @param windowsPerSecond windows answered per second over all clients
     * @param meanBatch mean windows per model call in the server, or 1 in process
     * @param modelMillis mean time of one model call in the server (its inference histogram), ms;
     *     NaN in process
     */
    public record Row(
            String path,
            int clients,
            int requests,
            double p50Millis,
            double p99Millis,
            double windowsPerSecond,
            double meanBatch,
            double modelMillis) {}

    /** Runs every configuration, printing each row as it is measured and a table at the end. */
    public static List<Row> run(Settings s, PrintStream out) throws Exception {
        CstConfig config = CstConfig.widefieldSmall(16);
        Path model = s.workDir().resolve("widefield-small-model");
        Engine.getInstance().setRandomSeed(1);
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            m.save(
                    model,
                    new ObjectMapper()
                            .createObjectNode()
                            .put("data", "untrained, for the server benchmark"));
        }
        Window window = widefieldWindow(config);
        AttentionRows rows = s.attentionRows() ? new AttentionRows(OBSERVED, TOKENS) : null;
        long answerFloats = TOKENS * (long) config.valueDim;
        if (rows != null) {
            answerFloats += (long) PATCHES * TOKENS;
        }
        out.printf(
                Locale.ROOT,
                "window           %d frames x %d patches of 16x16 = %d tokens, the last frame's %d"
                        + " as queries%s; request %.1f MB, answer %.1f MB%n",
                FRAMES,
                PATCHES,
                TOKENS,
                PATCHES,
                rows == null ? "" : " with their attention rows",
                WindowCodec.requestBytes(List.of(window)) / 1e6,
                answerFloats * 4 / 1e6);
        List<Row> results = new ArrayList<>();
        for (int clients : s.clients()) {
            results.add(
                    print(
                            out,
                            measure(
                                    "in-process",
                                    clients,
                                    s,
                                    () -> new LocalInference(CstModel.load(model), true),
                                    window,
                                    rows,
                                    null)));
        }
        Path log = s.workDir().resolve("model-server.log");
        out.println("model server     starting in its own JVM (log " + log + ")");
        try (ModelServerProcess server =
                ModelServerProcess.start(
                        model, s.serverArgs(), List.of("-Xmx3g"), log, Duration.ofMinutes(3))) {
            out.println("model server     ready at " + server.uri());
            for (int clients : s.clients()) {
                results.add(
                        print(
                                out,
                                measure(
                                        "server",
                                        clients,
                                        s,
                                        () ->
                                                RemoteInference.connect(
                                                        server.uri(),
                                                        Duration.ofMinutes(2),
                                                        Duration.ofSeconds(30)),
                                        window,
                                        rows,
                                        server)));
            }
        }
        out.println();
        out.println(
                "| path | clients | requests | p50 ms | p99 ms | windows/s | windows per call"
                        + " | server model ms per call |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (Row r : results) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %d | %d | %.1f | %.1f | %.1f | %.2f | %s |%n",
                    r.path(),
                    r.clients(),
                    r.requests(),
                    r.p50Millis(),
                    r.p99Millis(),
                    r.windowsPerSecond(),
                    r.meanBatch(),
                    Double.isNaN(r.modelMillis())
                            ? "-"
                            : String.format(Locale.ROOT, "%.1f", r.modelMillis()));
        }
        out.printf(
                Locale.ROOT,
                "(%d cores, device %s, engine %s %s, engine threads %s; model %s, %s attention)%n",
                Runtime.getRuntime().availableProcessors(),
                CstModel.defaultDevice(),
                Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"),
                "widefieldSmall(16)",
                config.attention);
        return results;
    }

    private static Row print(PrintStream out, Row r) {
        out.printf(
                Locale.ROOT,
                "%-16s %d client(s): p50 %.1f ms, p99 %.1f ms, %.1f windows/s, %.2f windows per"
                        + " model call%s%n",
                r.path(),
                r.clients(),
                r.p50Millis(),
                r.p99Millis(),
                r.windowsPerSecond(),
                r.meanBatch(),
                Double.isNaN(r.modelMillis())
                        ? ""
                        : String.format(Locale.ROOT, ", %.1f ms per model call", r.modelMillis()));
        return r;
    }

    private static Row measure(
            String path,
            int clients,
            Settings s,
            Callable<WindowInference> open,
            Window window,
            AttentionRows rows,
            ModelServerProcess server)
            throws Exception {
        double[] before = server == null ? null : batchTotals(server);
        AtomicLong started = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(clients, () -> started.set(System.nanoTime()));
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(
                        pool.submit(
                                () -> {
                                    try (WindowInference inference = open.call()) {
                                        for (int i = 0; i < s.warmup(); i++) {
                                            inference.predict(List.of(window), rows).get();
                                        }
                                        start.await();
                                        for (int i = 0; i < s.requests(); i++) {
                                            long t0 = System.nanoTime();
                                            inference.predict(List.of(window), rows).get();
                                            latencies.add((System.nanoTime() - t0) / 1e6);
                                        }
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started.get()) / 1e9;
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double meanBatch = 1;
        double modelMillis = Double.NaN;
        if (server != null) {
            double[] after = batchTotals(server);
            double calls = Math.max(1, after[1] - before[1]);
            meanBatch = (after[0] - before[0]) / calls;
            modelMillis = (after[2] - before[2]) * 1000 / calls;
        }
        return new Row(
                path,
                clients,
                sorted.size(),
                percentile(sorted, 0.5),
                percentile(sorted, 0.99),
                sorted.size() / seconds,
                meanBatch,
                modelMillis);
    }

    static double percentile(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /**
     * Returns the server's windows run, model calls and seconds spent in model calls so far, from
     * {@code /metrics}.
     */
    private static double[] batchTotals(ModelServerProcess server)
            throws IOException, InterruptedException {
        String metrics =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                server.uri().resolve(ModelServer.METRICS_PATH))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        // one series per device tag; the server runs on one device
        Matcher seconds =
                Pattern.compile("(?m)^cst_model_inference_seconds_sum\\{[^}]*\\} (\\S+)$")
                        .matcher(metrics);
        return new double[] {
            sample(metrics, "cst_model_batch_windows_sum"),
            sample(metrics, "cst_model_batch_windows_count"),
            seconds.find() ? Double.parseDouble(seconds.group(1)) : 0
        };
    }

    private static double sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * Returns a window of 10 frames of 16x16 patches on a 16x16 grid, coordinates (t, row, col) in
     * [0, 1]: frames 0 to 8 observed, frame 9 asked for.
     */
    static Window widefieldWindow(CstConfig c) {
        Random random = new Random(7);
        float[][] values = new float[TOKENS][c.valueDim];
        float[][] coords = new float[TOKENS][3];
        int grid = (int) Math.sqrt(PATCHES);
        for (int f = 0; f < FRAMES; f++) {
            for (int p = 0; p < PATCHES; p++) {
                int t = f * PATCHES + p;
                for (int d = 0; d < c.valueDim; d++) {
                    values[t][d] = (float) random.nextGaussian();
                }
                coords[t][0] = f / (FRAMES - 1f);
                coords[t][1] = (p / grid) / (grid - 1f);
                coords[t][2] = (p % grid) / (grid - 1f);
            }
        }
        return new Window(values, coords, OBSERVED);
    }
}
