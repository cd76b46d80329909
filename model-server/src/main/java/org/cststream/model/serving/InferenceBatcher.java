package org.cststream.model.serving;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a model on one thread of its own, batching requests: requests that arrive within the batch
 * delay of the first waiting one run as one model call, up to a maximum number of windows. The
 * queue is bounded in windows; a request that does not fit is refused at once ({@link
 * QueueFullException}), never queued without bound.
 *
 * <p>The thread loads the model itself and is the only one that touches it, so the engine is never
 * shared between threads. Requests that ask for different attention rows share a call: the call
 * asks for the union of their rows and each request gets its own slice.
 */
final class InferenceBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceBatcher.class);

    /** The model as the inference thread sees it. */
    interface Model extends AutoCloseable {
        /** Runs the model; called on the inference thread only. */
        List<Prediction> predict(List<Window> windows, AttentionRows rows);

        /** Returns the engine's device, e.g. {@code cpu()}, for the metrics' device tag. */
        String device();

        @Override
        void close();
    }

    /** The queue has no room for a request's windows; answer 503 and let the client retry. */
    static final class QueueFullException extends Exception {
        private static final long serialVersionUID = 1L;

        QueueFullException(String message) {
            super(message);
        }
    }

    /**
     * Batching settings.
     *
     * @param maxBatchWindows most windows in one model call, 1 or more (a single request larger
     *     than this runs alone)
     * @param batchDelay how long the first waiting request waits for others, 0 or more
     * @param maxQueuedWindows most windows waiting for the model, 1 or more
     */
    record Settings(int maxBatchWindows, Duration batchDelay, int maxQueuedWindows) {}

    private record Pending(
            List<Window> windows,
            AttentionRows rows,
            CompletableFuture<List<Prediction>> result,
            long enqueuedNanos) {}

    private final Settings settings;
    private final MeterRegistry registry;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicInteger queuedWindows = new AtomicInteger();
    private final CompletableFuture<Model> loaded = new CompletableFuture<>();
    private final DistributionSummary batchWindows;
    private final Thread thread;
    private volatile boolean closing;
    private Timer inference;

    /**
     * Starts the inference thread, which loads the model first.
     *
     * @param loader loads and warms up the model; runs on the inference thread
     */
    InferenceBatcher(Callable<Model> loader, Settings settings, MeterRegistry registry) {
        this.settings = settings;
        this.registry = registry;
        this.batchWindows =
                DistributionSummary.builder(MetricNames.MODEL_BATCH_WINDOWS)
                        .description("windows run together in one model call")
                        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                        .register(registry);
        Gauge.builder(MetricNames.MODEL_QUEUE_WINDOWS, queuedWindows, AtomicInteger::get)
                .description("windows waiting for the model")
                .register(registry);
        this.thread = new Thread(() -> run(loader), "cst-model-inference");
        thread.start();
    }

    /** Completes with the loaded, warmed-up model, or with the reason it could not load. */
    CompletableFuture<Model> loaded() {
        return loaded;
    }

    /** Returns the windows now waiting. */
    int queuedWindows() {
        return queuedWindows.get();
    }

    /**
     * Queues a request.
     *
     * @return its predictions, in window order; completes exceptionally if the model call fails
     * @throws QueueFullException if the queue has no room for the windows, or the batcher closes
     */
    CompletableFuture<List<Prediction>> submit(List<Window> windows, AttentionRows rows)
            throws QueueFullException {
        CompletableFuture<List<Prediction>> result = new CompletableFuture<>();
        lock.lock();
        try {
            if (closing) {
                throw new QueueFullException("the model server is shutting down");
            }
            int queued = queuedWindows.get();
            if (queued + windows.size() > settings.maxQueuedWindows()) {
                throw new QueueFullException(
                        "the model server is busy: "
                                + queued
                                + " windows wait for the model (limit "
                                + settings.maxQueuedWindows()
                                + ", --max-queued-windows); retry later");
            }
            queue.add(new Pending(windows, rows, result, System.nanoTime()));
            queuedWindows.addAndGet(windows.size());
            arrived.signal();
        } finally {
            lock.unlock();
        }
        return result;
    }

    private void run(Callable<Model> loader) {
        Model model;
        try {
            model = loader.call();
        } catch (Throwable e) {
            if (e instanceof java.io.IOException) {
                // a model folder that cannot be read: the message says why, a trace adds nothing
                LOG.error("model failed to load reason={}", e.getMessage());
            } else {
                LOG.error("model failed to load", e);
            }
            loaded.completeExceptionally(e);
            failQueued(e);
            return;
        }
        inference =
                Timer.builder(MetricNames.MODEL_INFERENCE)
                        .description("time of one model call on a batch of windows")
                        .tag(MetricNames.TAG_DEVICE, model.device())
                        .publishPercentileHistogram()
                        .publishPercentiles(0.5, 0.99)
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofSeconds(60))
                        .distributionStatisticExpiry(Duration.ofMinutes(10))
                        .register(registry);
        loaded.complete(model);
        try {
            for (List<Pending> batch = next(); batch != null; batch = next()) {
                runBatch(model, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failQueued(new IllegalStateException("the model server shut down"));
            model.close();
        }
    }

    /** Waits for the next batch; returns null once closing with nothing left to run. */
    private List<Pending> next() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) {
                    return null;
                }
                arrived.await();
            }
            // the first request waits up to the batch delay for others, unless the batch is full
            long deadline = queue.peek().enqueuedNanos() + settings.batchDelay().toNanos();
            while (!closing && queuedWindows.get() < settings.maxBatchWindows()) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                arrived.awaitNanos(wait);
            }
            List<Pending> batch = new ArrayList<>();
            int windows = 0;
            while (!queue.isEmpty()) {
                Pending p = queue.peek();
                if (!batch.isEmpty() && windows + p.windows().size() > settings.maxBatchWindows()) {
                    break;
                }
                queue.poll();
                batch.add(p);
                windows += p.windows().size();
                queuedWindows.addAndGet(-p.windows().size());
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void runBatch(Model model, List<Pending> batch) {
        List<Window> windows = new ArrayList<>();
        int from = Integer.MAX_VALUE;
        int to = -1;
        for (Pending p : batch) {
            windows.addAll(p.windows());
            if (p.rows() != null) {
                from = Math.min(from, p.rows().from());
                to = Math.max(to, p.rows().to());
            }
        }
        AttentionRows union = to < 0 ? null : new AttentionRows(from, to);
        List<Prediction> out;
        long start = System.nanoTime();
        try {
            out = model.predict(windows, union);
        } catch (RuntimeException | OutOfMemoryError e) {
            // a failed call fails its own requests; the server keeps running for the next ones
            LOG.warn(
                    "model call failed windows={} requests={} error={}",
                    windows.size(),
                    batch.size(),
                    e.toString());
            for (Pending p : batch) {
                p.result().completeExceptionally(e);
            }
            return;
        }
        inference.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        batchWindows.record(windows.size());
        LOG.debug(
                "batch done windows={} requests={} ms={}",
                windows.size(),
                batch.size(),
                (System.nanoTime() - start) / 1e6);
        int i = 0;
        for (Pending p : batch) {
            List<Prediction> mine = new ArrayList<>(p.windows().size());
            for (Window w : p.windows()) {
                mine.add(slice(out.get(i++), p.rows(), union, w.values().length));
            }
            p.result().complete(mine);
        }
    }

    /** Cuts a request's own attention rows out of those computed for the whole batch. */
    static Prediction slice(Prediction p, AttentionRows mine, AttentionRows union, int tokens) {
        if (mine == null) {
            return new Prediction(p.values(), null, null);
        }
        if (mine.equals(union)) {
            return p;
        }
        // rows past the window's tokens are not returned, in the union as in the request
        int base = Math.min(union.from(), tokens);
        int from = Math.min(mine.from(), tokens) - base;
        int to = Math.min(mine.to(), tokens) - base;
        float[][] rows = new float[to - from][];
        System.arraycopy(p.attentionRows(), from, rows, 0, to - from);
        return new Prediction(p.values(), null, rows);
    }

    private void failQueued(Throwable cause) {
        lock.lock();
        try {
            for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                queuedWindows.addAndGet(-p.windows().size());
                p.result().completeExceptionally(cause);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new requests, runs those already queued (waiting up to {@code drain} for them), then
     * stops the thread, which closes the model.
     */
    void close(Duration drain) {
        lock.lock();
        try {
            closing = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(drain.toMillis());
            if (thread.isAlive()) {
                LOG.warn(
                        "model still busy after shutdown wait ms={}; failing queued requests",
                        drain.toMillis());
                failQueued(new IllegalStateException("the model server shut down"));
                thread.join(drain.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
