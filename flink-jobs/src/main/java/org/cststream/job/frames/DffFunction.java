package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelConversion;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes dF/F = (F - F0) / F0 against a causal per-pixel baseline F0, per session and channel.
 *
 * <p>F0 is updated with the current frame before it is used: during the first {@code warmupFrames}
 * frames of a channel it is the running mean of the frames so far; after that an exponential
 * running mean with time constant {@code tau}, weight {@code 1 - exp(-dt / tau)} for a step of
 * {@code dt} on the camera clock (so a gap weighs the next frame more, and a backwards step weighs
 * it zero). Never NaN or Inf: a saturated pixel (at its type's maximum) leaves F0 unchanged and
 * gets dF/F = 0; a pixel whose F0 is below {@code minBaseline} gets dF/F = 0. Both are counted in
 * {@link MetricNames#DFF_INVALID_PIXELS}, frames with no valid pixel in {@link
 * MetricNames#DFF_INVALID_FRAMES}, and a session whose frames have more than 1% of such pixels is
 * warned about once per channel. A frame whose size differs from the channel's earlier frames
 * restarts its baseline.
 */
public class DffFunction extends KeyedProcessFunction<String, Frame, DffFrame> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DffFunction.class);

    private final long tauNanos;
    private final int warmupFrames;
    private final double minBaseline;

    private transient MapState<String, BaselineState> baselines;
    private transient MeterRegistry registry;

    /** Sessions and channels already warned about, by kind, in this task. */
    private transient Set<String> warned;

    /**
     * @param baselineWindow time constant tau of the exponential baseline (positive)
     * @param warmupFrames frames averaged plainly before the exponential baseline (>= 1)
     * @param minBaseline smallest usable F0 in raw counts (> 0)
     */
    public DffFunction(Duration baselineWindow, int warmupFrames, double minBaseline) {
        this.tauNanos = baselineWindow.toNanos();
        this.warmupFrames = warmupFrames;
        this.minBaseline = minBaseline;
    }

    @Override
    public void open(OpenContext openContext) {
        baselines =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "baselines",
                                        Types.STRING,
                                        TypeInformation.of(BaselineState.class)));
        registry = CstMetrics.registry();
        warned = ConcurrentHashMap.newKeySet();
    }

    @Override
    public void processElement(Frame frame, Context ctx, Collector<DffFrame> out) throws Exception {
        String channel = frame.channelLabel();
        BaselineState s = baselines.get(channel);
        if (s == null || s.width != frame.width || s.height != frame.height) {
            if (s != null) {
                LOG.warn(
                        "frame size changed, baseline restarted {} from={}x{} to={}x{}",
                        frame.describe(),
                        s.width,
                        s.height,
                        frame.width,
                        frame.height);
            }
            s = new BaselineState();
            s.width = frame.width;
            s.height = frame.height;
            s.f0 = new float[frame.width * frame.height];
        }
        int[] counts = new int[2];
        float[] dff = update(s, frame, tauNanos, warmupFrames, minBaseline, counts);
        int saturated = counts[0];
        int lowBaseline = counts[1];
        baselines.put(channel, s);
        if (saturated > 0) {
            invalid(frame, "saturated", saturated);
        }
        if (lowBaseline > 0) {
            invalid(frame, "low-baseline", lowBaseline);
        }
        int pixels = frame.width * frame.height;
        if (saturated == pixels) {
            invalidFrame(frame, "saturated");
        } else if (saturated + lowBaseline == pixels) {
            invalidFrame(frame, "low-baseline");
        }
        if (saturated > pixels / 100 && warned.add("saturated|" + frame.sessionId + channel)) {
            LOG.warn(
                    "saturated pixels {} saturated={} of {} pixels at {} counts: their dF/F is 0"
                            + " and the baseline skips them; lower the exposure, gain or LED power"
                            + " (further frames counted in {})",
                    frame.describe(),
                    saturated,
                    pixels,
                    (long) frame.pixelType.saturationValue(),
                    MetricNames.DFF_INVALID_PIXELS);
        }
        if (lowBaseline > pixels / 100 && warned.add("low-baseline|" + frame.sessionId + channel)) {
            LOG.warn(
                    "pixels with no usable baseline {} pixels={} of {} have a baseline below {}"
                            + " counts (dark, zero or negative: an offset subtracted at the"
                            + " camera?): their dF/F is 0; keep the camera's offset in the frames"
                            + " or lower {} (further frames counted in {})",
                    frame.describe(),
                    lowBaseline,
                    pixels,
                    minBaseline,
                    FrameJobOptions.MIN_BASELINE.key(),
                    MetricNames.DFF_INVALID_PIXELS);
        }
        DffFrame d = DffFrame.from(frame, dff);
        d.invalidPixels = saturated + lowBaseline;
        out.collect(d);
    }

    /**
     * Computes the dF/F of one frame against its channel's baseline by this operator's rule (see
     * the class comment) and updates the baseline; for the in-process runs of benchmarks.
     *
     * @param s the channel's baseline, sized for the frame; updated
     * @param counts receives the saturated pixels at [0] and the low-baseline pixels at [1]
     * @return dF/F per pixel, row-major
     */
    public static float[] update(
            BaselineState s,
            Frame frame,
            long tauNanos,
            int warmupFrames,
            double minBaseline,
            int[] counts) {
        float[] f = PixelConversion.toFloats(frame);
        float saturation = (float) frame.pixelType.saturationValue();
        double weight;
        if (s.frames < warmupFrames) {
            weight = 1.0 / (s.frames + 1);
        } else {
            long dt = Math.max(0, frame.acquisitionNanos - s.lastAcquisitionNanos);
            weight = -Math.expm1(-(double) dt / tauNanos);
        }
        float[] f0 = s.f0;
        // dF/F is written over the frame's own float array: one allocation per frame, not two
        float[] dff = f;
        float w = (float) weight;
        float min = (float) minBaseline;
        int saturated = 0;
        int lowBaseline = 0;
        for (int i = 0; i < f.length; i++) {
            float v = f[i];
            if (v >= saturation) {
                saturated++;
                dff[i] = 0f;
                continue;
            }
            float b = f0[i] + (v - f0[i]) * w;
            f0[i] = b;
            if (b < min) {
                lowBaseline++;
                dff[i] = 0f;
                continue;
            }
            dff[i] = (v - b) / b;
        }
        // a frame saturated everywhere told the baseline nothing: it does not count as a step
        if (saturated < f.length) {
            s.frames++;
            s.lastAcquisitionNanos = frame.acquisitionNanos;
        }
        counts[0] = saturated;
        counts[1] = lowBaseline;
        return dff;
    }

    private void invalidFrame(Frame frame, String kind) {
        Counter.builder(MetricNames.DFF_INVALID_FRAMES)
                .tag(MetricNames.TAG_SESSION, frame.sessionId)
                .tag(MetricNames.TAG_KIND, kind)
                .register(registry)
                .increment();
    }

    private void invalid(Frame frame, String kind, int pixels) {
        Counter.builder(MetricNames.DFF_INVALID_PIXELS)
                .tag(MetricNames.TAG_SESSION, frame.sessionId)
                .tag(MetricNames.TAG_KIND, kind)
                .register(registry)
                .increment(pixels);
    }
}
