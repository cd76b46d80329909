package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.job.frames.hemo.HemoSettings;
import org.cststream.job.frames.hemo.HemoTileCorrector;
import org.cststream.job.frames.hemo.HemoTileState;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Corrects one tile of a calcium frame for hemodynamics and z-scores it, keyed by session, channel
 * and tile (so one frame's tiles spread over the task slots). The correction itself is {@link
 * HemoTileCorrector}; this operator keeps its state in Flink and reports it: the state's size
 * ({@link MetricNames#HEMO_STATE_BYTES}), the time per tile, the MMSE estimators computed, and the
 * pixels with implausible coefficients ({@link MetricNames#HEMO_IMPLAUSIBLE}, plus one warning per
 * session and channel when a tile has more than {@value #WARN_FRACTION} of its pixels flagged).
 */
public class HemoCorrectionFunction extends KeyedProcessFunction<String, HemoTile, CorrectedTile> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(HemoCorrectionFunction.class);

    /** Fraction of a tile's pixels flagged implausible that earns a warning. */
    static final double WARN_FRACTION = 0.05;

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final HemoSettings settings;
    private final HemoTileCorrector corrector;
    private transient ValueState<HemoTileState> state;
    private transient MeterRegistry registry;
    private transient Timer tileTime;
    private transient Counter estimatorUpdates;
    private transient String method;

    /**
     * @param settings the correction (regression or MMSE) and its parameters
     */
    public HemoCorrectionFunction(HemoSettings settings) {
        this.settings = settings;
        this.corrector = new HemoTileCorrector(settings);
    }

    @Override
    public void open(OpenContext openContext) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "hemo-tile", TypeInformation.of(HemoTileState.class)));
        registry = CstMetrics.registry();
        method = settings.method().name().toLowerCase(Locale.ROOT);
        tileTime =
                Timer.builder(MetricNames.HEMO_TILE_TIME)
                        .description("time to correct one tile of one frame")
                        .tag(MetricNames.TAG_METHOD, method)
                        .publishPercentiles(0.5, 0.99)
                        .register(registry);
        estimatorUpdates =
                Counter.builder(MetricNames.HEMO_ESTIMATOR_UPDATES)
                        .tag(MetricNames.TAG_METHOD, method)
                        .register(registry);
    }

    @Override
    public void processElement(HemoTile tile, Context ctx, Collector<CorrectedTile> out)
            throws Exception {
        long start = System.nanoTime();
        HemoTileState st = state.value();
        if (st == null) {
            st = new HemoTileState();
        }
        HemoTileCorrector.Result r =
                corrector.process(
                        st,
                        tile.window(),
                        tile.interior(),
                        tile.calcium,
                        tile.isosbestic,
                        tile.haveIsosbestic,
                        tile.acquisitionNanos);
        state.update(st);
        tileTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (r.estimatorUpdates > 0) {
            estimatorUpdates.increment(r.estimatorUpdates);
        }
        String key = ctx.getCurrentKey();
        HemoMetrics.stateBytes(registry, method, key, st.sizeBytes());
        HemoMetrics.implausible(
                registry,
                tile.sessionId,
                tile.channelLabel(),
                method,
                tile.tileIndex,
                r.implausible);
        int pixels = tile.interiorWidth * tile.interiorHeight;
        if (r.implausible > WARN_FRACTION * pixels
                && WARNED.add(tile.sessionId + '\u0000' + tile.channelLabel())) {
            LOG.warn(
                    "implausible hemodynamic coefficients session={} channel={} method={} tile={}"
                            + " rows={}..{} cols={}..{} pixels={} of {} (regression coefficient"
                            + " outside [{}, {}], or MMSE signal variance below zero); check that"
                            + " the channels are assigned right and that the isosbestic channel is"
                            + " the one configured; the count per tile is in {}",
                    tile.sessionId,
                    tile.channelLabel(),
                    method,
                    tile.tileIndex,
                    tile.interiorY,
                    tile.interiorY + tile.interiorHeight - 1,
                    tile.interiorX,
                    tile.interiorX + tile.interiorWidth - 1,
                    r.implausible,
                    pixels,
                    settings.minCoefficient(),
                    settings.maxCoefficient(),
                    MetricNames.HEMO_IMPLAUSIBLE);
        }
        CorrectedTile c = new CorrectedTile();
        c.sessionId = tile.sessionId;
        c.cameraId = tile.cameraId;
        c.frameCounter = tile.frameCounter;
        c.channelNm = tile.channelNm;
        c.channelName = tile.channelName;
        c.acquisitionNanos = tile.acquisitionNanos;
        c.hostReceiveNanos = tile.hostReceiveNanos;
        c.frameWidth = tile.frameWidth;
        c.frameHeight = tile.frameHeight;
        c.binning = tile.binning;
        c.tileIndex = tile.tileIndex;
        c.tileCount = tile.tileCount;
        c.interiorX = tile.interiorX;
        c.interiorY = tile.interiorY;
        c.interiorWidth = tile.interiorWidth;
        c.interiorHeight = tile.interiorHeight;
        c.values = r.z;
        c.calibrated = r.calibrated;
        c.implausible = r.implausible;
        out.collect(c);
    }
}
