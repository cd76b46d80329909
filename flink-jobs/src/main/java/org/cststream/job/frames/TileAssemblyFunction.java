package org.cststream.job.frames;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.WallClock;
import org.cststream.job.frames.hemo.TileGeometry;
import org.cststream.metrics.CstMetrics;
import org.cststream.pictures.LatestPictures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a corrected frame back together from its tiles, keyed by session and channel, and emits it
 * when the last tile has arrived. Each tile stream arrives in counter order, so frames complete in
 * counter order. Records the latency from host receipt to the corrected frame ({@code
 * stage=corrected}) and, once per session and channel, a {@link SessionEvent#HEMO_CALIBRATED} event
 * at the first frame whose tiles are all calibrated.
 */
public class TileAssemblyFunction extends KeyedProcessFunction<String, CorrectedTile, DffFrame> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TileAssemblyFunction.class);

    private final String method;
    private transient MapState<Long, PartialFrame> partial;
    private transient ValueState<Boolean> announced;
    private transient Timer latency;

    /**
     * @param method the correction's name, for the calibration event
     */
    public TileAssemblyFunction(String method) {
        this.method = method;
    }

    @Override
    public void open(OpenContext openContext) {
        partial =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "partial",
                                        Types.LONG,
                                        TypeInformation.of(PartialFrame.class)));
        announced =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("announced", Types.BOOLEAN));
        latency = CstMetrics.latencyTimer(CstMetrics.registry(), "corrected");
    }

    @Override
    public void processElement(CorrectedTile tile, Context ctx, Collector<DffFrame> out)
            throws Exception {
        PartialFrame p = partial.get(tile.frameCounter);
        if (p == null) {
            p = new PartialFrame();
            DffFrame f = p.frame;
            f.sessionId = tile.sessionId;
            f.cameraId = tile.cameraId;
            f.frameCounter = tile.frameCounter;
            f.channelNm = tile.channelNm;
            f.channelName = tile.channelName;
            f.acquisitionNanos = tile.acquisitionNanos;
            f.hostReceiveNanos = tile.hostReceiveNanos;
            f.width = tile.frameWidth;
            f.height = tile.frameHeight;
            f.binning = tile.binning;
            f.values = new float[tile.frameWidth * tile.frameHeight];
        }
        TileGeometry.paste(tile.values, tile.interior(), p.frame.values, tile.frameWidth);
        p.tiles++;
        p.calibrated &= tile.calibrated;
        p.implausible += tile.implausible;
        if (p.tiles < tile.tileCount) {
            partial.put(tile.frameCounter, p);
            return;
        }
        partial.remove(tile.frameCounter);
        long nanos = WallClock.nanos() - p.frame.hostReceiveNanos;
        if (nanos >= 0) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
        if (p.calibrated && announced.value() == null) {
            announced.update(true);
            SessionEvent e = new SessionEvent();
            e.type = SessionEvent.HEMO_CALIBRATED;
            e.sessionId = p.frame.sessionId;
            e.channel = p.frame.channelLabel();
            e.fromCounter = p.frame.frameCounter;
            e.toCounter = p.frame.frameCounter;
            e.afterNanos = p.frame.acquisitionNanos;
            e.detail =
                    method
                            + " correction calibrated; "
                            + p.implausible
                            + " pixel(s) with implausible coefficients";
            ctx.output(JobOutputs.EVENTS, e);
            LOG.info(
                    "hemodynamic correction calibrated session={} channel={} method={} frame={}"
                            + " implausiblePixels={}",
                    e.sessionId,
                    e.channel,
                    method,
                    e.fromCounter,
                    p.implausible);
        }
        LatestPictures.shared()
                .offerFrame(
                        LatestPictures.Kind.CORRECTED,
                        p.frame.sessionId,
                        p.frame.channelLabel(),
                        p.frame.frameCounter,
                        p.frame.acquisitionNanos,
                        false,
                        p.frame.width,
                        p.frame.height,
                        p.frame.values);
        out.collect(p.frame);
    }
}
