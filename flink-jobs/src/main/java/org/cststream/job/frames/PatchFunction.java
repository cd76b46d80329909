package org.cststream.job.frames;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.WallClock;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.cststream.metrics.CstMetrics;

/**
 * Cuts a dF/F frame into square patches (the CST's tokens), in row-major grid order. In PAD mode
 * the last row and column of patches are filled with zeros past the frame's edge; in CROP mode
 * pixels past the last whole patch are left out. Records the frame's latency from host receipt.
 */
public class PatchFunction extends RichMapFunction<DffFrame, PatchTokens> {
    private static final long serialVersionUID = 1L;

    private final int patchSize;
    private final EdgeMode edge;
    private transient Timer latency;

    /**
     * @param patchSize patch side p in pixels (>= 1)
     */
    public PatchFunction(int patchSize, EdgeMode edge) {
        this.patchSize = patchSize;
        this.edge = edge;
    }

    @Override
    public void open(OpenContext openContext) {
        latency = CstMetrics.latencyTimer(CstMetrics.registry(), "tokens");
    }

    @Override
    public PatchTokens map(DffFrame in) {
        PatchTokens t = cut(in, patchSize, edge);
        long nanos = WallClock.nanos() - in.hostReceiveNanos;
        if (nanos >= 0) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
        return t;
    }

    /** Cuts one frame into patches; see the class comment for the edge rules. */
    public static PatchTokens cut(DffFrame in, int p, EdgeMode edge) {
        int rows = (int) OutputSizes.patchCount(in.height, p, edge);
        int cols = (int) OutputSizes.patchCount(in.width, p, edge);
        PatchTokens t = new PatchTokens();
        t.sessionId = in.sessionId;
        t.cameraId = in.cameraId;
        t.frameCounter = in.frameCounter;
        t.channelNm = in.channelNm;
        t.channelName = in.channelName;
        t.acquisitionNanos = in.acquisitionNanos;
        t.hostReceiveNanos = in.hostReceiveNanos;
        t.patchSize = p;
        t.gridRows = rows;
        t.gridCols = cols;
        t.frameHeight = in.height;
        t.frameWidth = in.width;
        t.binning = in.binning;
        t.values = new float[rows * cols * p * p];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                for (int y = r * p; y < (r + 1) * p; y++) {
                    boolean rowInside = y < in.height;
                    int base = y * in.width;
                    for (int x = c * p; x < (c + 1) * p; x++) {
                        t.values[k++] = rowInside && x < in.width ? in.values[base + x] : 0f;
                    }
                }
            }
        }
        return t;
    }
}
