package org.cststream.job.cst;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.cststream.model.CstPredictor;
import org.cststream.model.serving.WindowInference;

/**
 * Gathers windows from every session of a task into model calls: a call takes up to {@code
 * maxBatch} windows and waits at most {@code maxDelay} for others to join the first. One thread
 * makes the calls, so a model in this process is only ever used by that thread.
 *
 * <p>Unlike the model server's batcher, which refuses a request when its queue is full so that the
 * client retries, this one makes the caller wait: Flink's async capacity already bounds the windows
 * in flight, and the job's back-pressure is the right answer to a slow model.
 */
final class InferenceBatcher implements AutoCloseable {
    private record Pending(
            CstPredictor.Window window, CompletableFuture<CstPredictor.Prediction> f) {}

    private final WindowInference inference;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final CstPredictor.AttentionRows rows;
    private final BiConsumer<Long, Integer> onCall;
    private final BlockingQueue<Pending> queue;
    private final Thread worker;
    private volatile boolean running = true;

    /**
     * @param inference the model
     * @param maxBatch most windows per call, 1 or more
     * @param maxDelay longest a window waits for others
     * @param rows attention rows asked for with every window, or null
     * @param onCall told of each call's duration (ns) and window count
     * @param capacity windows that may wait; more block the caller (Flink's async capacity bounds
     *     it anyway)
     */
    InferenceBatcher(
            WindowInference inference,
            int maxBatch,
            Duration maxDelay,
            CstPredictor.AttentionRows rows,
            BiConsumer<Long, Integer> onCall,
            int capacity,
            String name) {
        this.inference = inference;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelay.toNanos();
        this.rows = rows;
        this.onCall = onCall;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
        this.worker = new Thread(this::loop, name);
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues a window; the future completes with its prediction or the call's failure. */
    CompletableFuture<CstPredictor.Prediction> submit(CstPredictor.Window window)
            throws InterruptedException {
        CompletableFuture<CstPredictor.Prediction> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException("the CST stage is closing"));
            return f;
        }
        queue.put(new Pending(window, f));
        return f;
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxDelayNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(List.copyOf(batch));
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Pending p : batch) {
            p.f().completeExceptionally(new IllegalStateException("the CST stage closed"));
        }
    }

    private void run(List<Pending> batch) {
        List<CstPredictor.Window> windows = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            windows.add(p.window());
        }
        long start = System.nanoTime();
        CompletableFuture<List<CstPredictor.Prediction>> call;
        try {
            call = inference.predict(windows, rows);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete(
                (predictions, error) -> {
                    onCall.accept(System.nanoTime() - start, batch.size());
                    for (int i = 0; i < batch.size(); i++) {
                        if (error != null) {
                            batch.get(i).f().completeExceptionally(error);
                        } else {
                            batch.get(i).f().complete(predictions.get(i));
                        }
                    }
                });
    }

    @Override
    public void close() {
        running = false;
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.f().completeExceptionally(new IllegalStateException("the CST stage closed"));
        }
    }
}
