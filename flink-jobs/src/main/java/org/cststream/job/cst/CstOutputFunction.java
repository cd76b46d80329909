package org.cststream.job.cst;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.Frame;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.WallClock;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.pictures.LatestPictures;

/**
 * Turns the model's answers into the regular output stream: one frame per grid time, the observed
 * frame where there was one, the CST's fill where there was not, each reassembled from its patches
 * and marked.
 */
public class CstOutputFunction extends ProcessFunction<WindowResult, FilledFrame> {
    private static final long serialVersionUID = 1L;

    private transient MeterRegistry registry;
    private transient Timer latency;

    @Override
    public void open(OpenContext openContext) {
        registry = CstMetrics.registry();
        latency = CstMetrics.latencyTimer(registry, "filled");
    }

    @Override
    public void processElement(WindowResult result, Context ctx, Collector<FilledFrame> out) {
        WindowRequest r = result.request;
        int observed = 0;
        int filled = 0;
        FilledFrame last = null;
        for (long slot = r.emitFrom; slot < r.emitTo; slot++) {
            FilledFrame f = new FilledFrame();
            f.sessionId = r.sessionId;
            f.cameraId = r.cameraId;
            f.channelName = r.channelName;
            f.channelNm = r.channelNm;
            f.slot = slot;
            f.timeNanos = r.slotNanos(slot);
            f.hostReceiveNanos = r.hostReceiveNanos;
            f.width = r.frameWidth;
            f.height = r.frameHeight;
            f.binning = r.binning;
            float[] patches = null;
            for (int i = 0; i < r.observedSlots.length && patches == null; i++) {
                if (r.observedSlots[i] == slot) {
                    patches = r.observedValues[i];
                    f.sourceCounter = r.observedCounters[i];
                }
            }
            if (patches == null) {
                for (int q = 0; q < r.querySlots.length && patches == null; q++) {
                    if (r.querySlots[q] == slot) {
                        patches = result.filled[q];
                        f.filled = true;
                    }
                }
            }
            if (patches == null) {
                throw new IllegalStateException(
                        r.describe() + ": grid time " + slot + " is neither observed nor filled");
            }
            f.values =
                    PatchTokens.toFrame(
                            patches, r.patchSize, r.gridCols, r.frameHeight, r.frameWidth);
            if (f.filled) {
                filled++;
            } else {
                observed++;
            }
            out.collect(f);
            last = f;
        }
        offerPictures(result, last);
        count(r.sessionId, "observed", observed);
        count(r.sessionId, "filled", filled);
        long nanos = WallClock.nanos() - r.hostReceiveNanos;
        if (r.hostReceiveNanos > 0 && nanos >= 0) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Hands the newest output frame and the window's attention to the picture endpoint. */
    private static void offerPictures(WindowResult result, FilledFrame last) {
        WindowRequest r = result.request;
        String channel = Frame.channelLabel(r.channelName, r.channelNm);
        LatestPictures pictures = LatestPictures.shared();
        if (last != null) {
            pictures.offerFrame(
                    LatestPictures.Kind.FILLED,
                    last.sessionId,
                    channel,
                    last.slot,
                    last.timeNanos,
                    last.filled,
                    last.width,
                    last.height,
                    last.values);
        }
        pictures.offerAttention(
                r.sessionId,
                channel,
                r.emitTo - 1,
                r.gridRows,
                r.gridCols,
                r.patchSize,
                result.attention);
    }

    private void count(String session, String kind, int n) {
        if (n > 0) {
            Counter.builder(MetricNames.FILL_FRAMES)
                    .tag(MetricNames.TAG_SESSION, session)
                    .tag(MetricNames.TAG_KIND, kind)
                    .register(registry)
                    .increment(n);
        }
    }
}
