package org.cststream.model.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstPredictor.AttentionRows;
import org.cststream.model.CstPredictor.Prediction;
import org.cststream.model.CstPredictor.Window;
import org.junit.jupiter.api.Test;

/** The batcher with a stand-in model, so that batching and back-pressure can be pinned down. */
class InferenceBatcherTest {

    /**
     * Records each call's window count and rows; returns each window's values doubled and attention
     * row r filled with the row's index.
     */
    private static final class RecordingModel implements InferenceBatcher.Model {
        final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        final List<AttentionRows> rows = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean fail;

        @Override
        public List<Prediction> predict(List<Window> windows, AttentionRows r) {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new IllegalStateException("engine fault");
            }
            batches.add(windows.size());
            rows.add(r);
            List<Prediction> out = new ArrayList<>();
            for (Window w : windows) {
                int tokens = w.values().length;
                float[][] v = new float[tokens][];
                for (int t = 0; t < tokens; t++) {
                    v[t] = w.values()[t].clone();
                    for (int d = 0; d < v[t].length; d++) {
                        v[t][d] *= 2;
                    }
                }
                float[][] a = null;
                if (r != null) {
                    int from = Math.min(r.from(), tokens);
                    int to = Math.min(r.to(), tokens);
                    a = new float[to - from][tokens];
                    for (int i = 0; i < a.length; i++) {
                        java.util.Arrays.fill(a[i], from + i);
                    }
                }
                out.add(new Prediction(v, null, a));
            }
            return out;
        }

        @Override
        public String device() {
            return "cpu()";
        }

        @Override
        public void close() {}
    }

    private static Window window(int tokens) {
        return WindowCodecTest.window(new Random(tokens), tokens, tokens, 2, 1);
    }

    private static InferenceBatcher batcher(
            RecordingModel model, int maxBatch, long delayMillis, int maxQueued) throws Exception {
        InferenceBatcher b =
                new InferenceBatcher(
                        () -> model,
                        new InferenceBatcher.Settings(
                                maxBatch, Duration.ofMillis(delayMillis), maxQueued),
                        new SimpleMeterRegistry());
        b.loaded().get(10, TimeUnit.SECONDS);
        return b;
    }

    @Test
    void requestsWithinTheDelayRunAsOneModelCall() throws Exception {
        RecordingModel model = new RecordingModel();
        try (InferenceBatcher b = batcher(model, 16, 300, 64)) {
            CompletableFuture<List<Prediction>> one = b.submit(List.of(window(3)), null);
            CompletableFuture<List<Prediction>> two = b.submit(List.of(window(5), window(4)), null);
            CompletableFuture<List<Prediction>> three = b.submit(List.of(window(3)), null);

            List<Prediction> second = two.get(10, TimeUnit.SECONDS);

            assertThat(model.batches).containsExactly(4);
            assertThat(one.get()).hasSize(1);
            assertThat(second).hasSize(2);
            assertThat(second.get(0).values()).hasNumberOfRows(5);
            assertThat(second.get(0).values()[0][0]).isEqualTo(2 * window(5).values()[0][0]);
            assertThat(second.get(1).values()).hasNumberOfRows(4);
            assertThat(three.get()).hasSize(1);
        }
    }

    @Test
    void aFullBatchRunsWithoutWaitingForTheDelay() throws Exception {
        RecordingModel model = new RecordingModel();
        try (InferenceBatcher b = batcher(model, 2, 60_000, 64)) {
            long start = System.nanoTime();
            CompletableFuture<List<Prediction>> f = b.submit(List.of(window(2), window(2)), null);

            f.get(10, TimeUnit.SECONDS);

            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
            assertThat(model.batches).containsExactly(2);
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndRecovers() throws Exception {
        RecordingModel model = new RecordingModel();
        model.gate = new CountDownLatch(1);
        try (InferenceBatcher b = batcher(model, 1, 0, 2)) {
            CompletableFuture<List<Prediction>> running = b.submit(List.of(window(2)), null);
            model.entered.await(10, TimeUnit.SECONDS);
            CompletableFuture<List<Prediction>> queued =
                    b.submit(List.of(window(2), window(2)), null);

            assertThatThrownBy(() -> b.submit(List.of(window(2)), null))
                    .isInstanceOf(InferenceBatcher.QueueFullException.class)
                    .hasMessageContaining("2 windows wait for the model (limit 2");
            assertThat(b.queuedWindows()).isEqualTo(2);

            model.gate.countDown();
            running.get(10, TimeUnit.SECONDS);
            queued.get(10, TimeUnit.SECONDS);
            assertThat(b.submit(List.of(window(2)), null).get(10, TimeUnit.SECONDS)).hasSize(1);
            assertThat(b.queuedWindows()).isZero();
        }
    }

    @Test
    void requestsAskingForDifferentRowsShareACallAndGetTheirOwnRows() throws Exception {
        RecordingModel model = new RecordingModel();
        try (InferenceBatcher b = batcher(model, 16, 300, 64)) {
            CompletableFuture<List<Prediction>> low =
                    b.submit(List.of(window(10)), new AttentionRows(2, 4));
            CompletableFuture<List<Prediction>> high =
                    b.submit(List.of(window(10), window(6)), new AttentionRows(5, 8));
            CompletableFuture<List<Prediction>> none = b.submit(List.of(window(10)), null);

            Prediction l = low.get(10, TimeUnit.SECONDS).get(0);
            List<Prediction> h = high.get();

            assertThat(model.batches).containsExactly(4);
            assertThat(model.rows).containsExactly(new AttentionRows(2, 8));
            assertThat(l.attentionRows()).hasNumberOfRows(2);
            assertThat(l.attentionRows()[0][0]).isEqualTo(2f);
            assertThat(l.attentionRows()[1][0]).isEqualTo(3f);
            assertThat(h.get(0).attentionRows()).hasNumberOfRows(3);
            assertThat(h.get(0).attentionRows()[0][0]).isEqualTo(5f);
            // the 6-token window has rows 5 only: rows past a window's tokens are not returned
            assertThat(h.get(1).attentionRows()).hasNumberOfRows(1);
            assertThat(h.get(1).attentionRows()[0][0]).isEqualTo(5f);
            assertThat(none.get().get(0).attentionRows()).isNull();
        }
    }

    @Test
    void aFailedModelCallFailsItsRequestsOnly() throws Exception {
        RecordingModel model = new RecordingModel();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (InferenceBatcher b =
                new InferenceBatcher(
                        () -> model,
                        new InferenceBatcher.Settings(4, Duration.ZERO, 8),
                        registry)) {
            b.loaded().get(10, TimeUnit.SECONDS);
            model.fail = true;
            CompletableFuture<List<Prediction>> failed = b.submit(List.of(window(2)), null);

            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("engine fault");

            model.fail = false;
            assertThat(b.submit(List.of(window(3)), null).get(10, TimeUnit.SECONDS)).hasSize(1);
            assertThat(registry.get(MetricNames.MODEL_BATCH_WINDOWS).summary().count())
                    .isEqualTo(1);
            assertThat(registry.get(MetricNames.MODEL_INFERENCE).timer().count()).isEqualTo(1);
        }
    }

    @Test
    void aModelThatCannotLoadFailsReadinessWithItsReason() {
        InferenceBatcher b =
                new InferenceBatcher(
                        () -> {
                            throw new java.io.IOException("no cst-model.json in /nowhere");
                        },
                        new InferenceBatcher.Settings(4, Duration.ZERO, 8),
                        new SimpleMeterRegistry());

        assertThatThrownBy(() -> b.loaded().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("no cst-model.json in /nowhere");
        b.close();
    }
}
