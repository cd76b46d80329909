package org.cststream.job.cst;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstModel;
import org.cststream.model.CstPredictor;
import org.cststream.model.serving.LocalInference;
import org.cststream.model.serving.RemoteInference;
import org.cststream.model.serving.WindowInference;
import org.cststream.model.window.FrameWindows;
import org.cststream.model.window.WindowLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the CST on windows through Flink's async I/O: the model in this task (loaded once per task
 * slot) or the model server. Windows of every session of the task are gathered into model calls
 * ({@link InferenceBatcher}). Each result holds the filled grid times' patch values and the
 * attention of the window's newest observed frame.
 */
public class CstInferenceFunction extends RichAsyncFunction<WindowRequest, WindowResult> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CstInferenceFunction.class);

    private final String modelDir;
    private final CstOptions.Inference mode;
    private final String serverUrl;
    private final int maxBatch;
    private final Duration maxDelay;
    private final int capacity;
    private final Duration requestTimeout;

    private transient WindowInference inference;
    private transient InferenceBatcher batcher;
    private transient WindowLayout layout;

    /**
     * @param modelDir the model folder (also read in SERVER mode, for its window layout)
     * @param mode where the model runs
     * @param serverUrl the model server's base URL, for SERVER mode
     * @param maxBatch most windows per model call
     * @param maxDelay longest a window waits for others to join its call
     * @param capacity windows in flight in this task (Flink's async capacity)
     * @param requestTimeout longest one call to the model server may take
     */
    public CstInferenceFunction(
            String modelDir,
            CstOptions.Inference mode,
            String serverUrl,
            int maxBatch,
            Duration maxDelay,
            int capacity,
            Duration requestTimeout) {
        this.modelDir = modelDir;
        this.mode = mode;
        this.serverUrl = serverUrl;
        this.maxBatch = maxBatch;
        this.maxDelay = maxDelay;
        this.capacity = capacity;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (mode == CstOptions.Inference.LOCAL) {
            CstModel model = CstModel.load(Path.of(modelDir));
            layout = WindowLayout.of(model);
            inference = new LocalInference(model, true);
        } else {
            // the server holds the model: the task needs only its layout, not its weights
            layout = WindowLayout.read(Path.of(modelDir));
            inference =
                    RemoteInference.connect(
                            java.net.URI.create(serverUrl), requestTimeout, Duration.ofSeconds(60));
        }
        MeterRegistry registry = CstMetrics.registry();
        String tag = mode.name().toLowerCase(java.util.Locale.ROOT);
        Timer calls =
                Timer.builder(MetricNames.FILL_INFERENCE)
                        .tag(MetricNames.TAG_MODE, tag)
                        .publishPercentileHistogram()
                        .publishPercentiles(0.5, 0.99)
                        .register(registry);
        DistributionSummary sizes =
                DistributionSummary.builder(MetricNames.FILL_BATCH)
                        .tag(MetricNames.TAG_MODE, tag)
                        .register(registry);
        batcher =
                new InferenceBatcher(
                        inference,
                        maxBatch,
                        maxDelay,
                        new CstPredictor.AttentionRows(0, layout.patches()),
                        (nanos, windows) -> {
                            calls.record(nanos, TimeUnit.NANOSECONDS);
                            sizes.record(windows);
                        },
                        capacity,
                        "cst-inference-"
                                + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        LOG.info(
                "CST stage ready model={} mode={} layout={} batch={} delayMs={}",
                modelDir,
                mode,
                layout,
                maxBatch,
                maxDelay.toMillis());
    }

    @Override
    public void asyncInvoke(WindowRequest r, ResultFuture<WindowResult> out) throws Exception {
        CstPredictor.Window window = toWindow(r, layout);
        long observed = r.observedValues.length;
        batcher.submit(window)
                .whenComplete(
                        (prediction, error) -> {
                            if (error != null) {
                                out.completeExceptionally(
                                        new IllegalStateException(
                                                "CST inference failed for "
                                                        + r.describe()
                                                        + ": "
                                                        + error.getMessage(),
                                                error));
                                return;
                            }
                            WindowResult result = new WindowResult();
                            result.request = r;
                            result.filled = new float[r.querySlots.length][];
                            for (int q = 0; q < r.querySlots.length; q++) {
                                result.filled[q] =
                                        FrameWindows.queryFrame(
                                                layout, prediction, (int) observed, q);
                            }
                            result.attention =
                                    prediction.attentionRows() == null
                                            ? new float[0][]
                                            : prediction.attentionRows();
                            out.complete(Collections.singleton(result));
                        });
    }

    /** Returns the model window of a request: observed frames newest first, then the queries. */
    static CstPredictor.Window toWindow(WindowRequest r, WindowLayout modelLayout) {
        WindowLayout l =
                new WindowLayout(
                        r.gridRows,
                        r.gridCols,
                        r.patchSize,
                        r.periodNanos / 1e9,
                        modelLayout.frames());
        if (l.gridRows() != modelLayout.gridRows()
                || l.gridCols() != modelLayout.gridCols()
                || l.patchSize() != modelLayout.patchSize()) {
            throw new IllegalArgumentException(
                    r.describe()
                            + ": frames of "
                            + r.gridRows
                            + " x "
                            + r.gridCols
                            + " patches of "
                            + r.patchSize
                            + " pixels; the model was trained on "
                            + modelLayout.gridRows()
                            + " x "
                            + modelLayout.gridCols()
                            + " patches of "
                            + modelLayout.patchSize()
                            + " (use the same --binning, --patch-size and frame size, or train a"
                            + " model for this rig)");
        }
        double start = r.slotNanos(r.firstSlot) / 1e9;
        double[] times = new double[r.observedNanos.length];
        for (int i = 0; i < times.length; i++) {
            times[i] = r.observedNanos[i] / 1e9;
        }
        double[] queries = new double[r.querySlots.length];
        for (int q = 0; q < queries.length; q++) {
            queries[q] = r.slotNanos(r.querySlots[q]) / 1e9;
        }
        return FrameWindows.window(l, times, r.observedValues, queries, start, true);
    }

    @Override
    public void timeout(WindowRequest r, ResultFuture<WindowResult> out) {
        out.completeExceptionally(
                new java.util.concurrent.TimeoutException(
                        "CST inference took too long for "
                                + r.describe()
                                + " (raise cst.inference-timeout, lower cst.batch-size, or give"
                                + " the model a faster device)"));
    }

    @Override
    public void close() throws Exception {
        if (batcher != null) {
            batcher.close();
        }
        if (inference != null) {
            inference.close();
        }
    }
}
