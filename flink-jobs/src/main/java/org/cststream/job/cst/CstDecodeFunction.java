package org.cststream.job.cst;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.Frame;
import org.cststream.metrics.CstMetrics;
import org.cststream.model.decoding.Decoder;
import org.cststream.model.decoding.DecoderFeatures;
import org.cststream.model.window.FrameWindows;
import org.cststream.model.window.WindowLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a fitted decoder to each window the CST answered: the attention of the window's newest
 * observed frame, laid on the window's grid ({@link DecoderFeatures#attention}), through the
 * decoder's PCA and regressor, gives one value per window, stamped with the newest observed frame's
 * time. The decoder is loaded once per task.
 */
public class CstDecodeFunction extends ProcessFunction<WindowResult, DecodedValue> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CstDecodeFunction.class);

    private final String decoderFile;

    private transient Decoder decoder;
    private transient MeterRegistry registry;
    private transient boolean warnedNoAttention;

    /**
     * @param decoderFile a decoder of CST attention (cst decode)
     */
    public CstDecodeFunction(String decoderFile) {
        this.decoderFile = decoderFile;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        decoder = Decoder.load(Path.of(decoderFile));
        registry = CstMetrics.registry();
        LOG.info(
                "CST decoder ready file={} target={} source={} components={} k={}",
                decoderFile,
                decoder.target().name(),
                decoder.target().source().wireName(),
                decoder.pca().components(),
                decoder.knn().neighbours());
    }

    @Override
    public void processElement(WindowResult result, Context ctx, Collector<DecodedValue> out) {
        WindowRequest r = result.request;
        if (result.attention.length == 0) {
            if (!warnedNoAttention) {
                warnedNoAttention = true;
                LOG.warn(
                        "window without attention rows, not decoded {} (the model answered no"
                                + " attention; further ones are skipped silently)",
                        r.describe());
            }
            return;
        }
        DecodedValue v = new DecodedValue();
        v.sessionId = r.sessionId;
        v.cameraId = r.cameraId;
        v.channel = Frame.channelLabel(r.channelName, r.channelNm);
        v.timeNanos = r.observedNanos[r.observedNanos.length - 1];
        v.gridFrom = r.emitFrom;
        v.gridTo = r.emitTo - 1;
        v.target = decoder.target().name();
        v.value = decoder.predict(features(r, result.attention, decoder.features().layout()));
        v.hostReceiveNanos = r.hostReceiveNanos;
        DecodeMetrics.value(registry, v);
        out.collect(v);
    }

    /**
     * Returns the attention features of a window the CST answered: its tokens are the observed
     * frames, newest first, then the queries ({@link CstInferenceFunction#toWindow}).
     *
     * @param layout the decoder's layout; the window's grid period replaces its period
     */
    static float[] features(WindowRequest r, float[][] attention, WindowLayout layout) {
        double[] times = new double[r.observedNanos.length];
        for (int i = 0; i < times.length; i++) {
            times[i] = r.observedNanos[i] / 1e9;
        }
        double[] queries = new double[r.querySlots.length];
        for (int q = 0; q < queries.length; q++) {
            queries[q] = r.slotNanos(r.querySlots[q]) / 1e9;
        }
        WindowLayout l = layout.withPeriod(r.periodNanos / 1e9);
        int[] grid =
                DecoderFeatures.gridTimes(
                        l,
                        FrameWindows.tokenFrameTimes(times, queries, true),
                        r.slotNanos(r.firstSlot) / 1e9);
        return DecoderFeatures.attention(l, attention, grid);
    }
}
