package org.cststream.job.frames;

import org.apache.flink.api.common.functions.MapFunction;
import org.cststream.job.frames.FrameJobOptions.EdgeMode;
import org.cststream.pictures.LatestPictures;

/**
 * Averages each b x b block of a dF/F frame. In PAD mode a partial block at the right or bottom
 * edge averages the pixels it has; in CROP mode those pixels are left out.
 */
public class BinningFunction implements MapFunction<DffFrame, DffFrame> {
    private static final long serialVersionUID = 1L;

    private final int factor;
    private final EdgeMode edge;

    /**
     * @param factor block side b in pixels (>= 1; 1 passes frames through)
     */
    public BinningFunction(int factor, EdgeMode edge) {
        this.factor = factor;
        this.edge = edge;
    }

    @Override
    public DffFrame map(DffFrame in) {
        DffFrame out = bin(in);
        // the newest frame for the picture endpoint: a reference, rendered only when asked for
        LatestPictures.shared()
                .offerFrame(
                        LatestPictures.Kind.DFF,
                        out.sessionId,
                        out.channelLabel(),
                        out.frameCounter,
                        out.acquisitionNanos,
                        false,
                        out.width,
                        out.height,
                        out.values);
        return out;
    }

    private DffFrame bin(DffFrame in) {
        if (factor == 1) {
            return in;
        }
        int h = (int) OutputSizes.binnedSide(in.height, factor, edge);
        int w = (int) OutputSizes.binnedSide(in.width, factor, edge);
        float[] out = new float[h * w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double sum = 0;
                int n = 0;
                for (int y = r * factor; y < Math.min((r + 1) * factor, in.height); y++) {
                    for (int x = c * factor; x < Math.min((c + 1) * factor, in.width); x++) {
                        sum += in.values[y * in.width + x];
                        n++;
                    }
                }
                out[r * w + c] = (float) (sum / n);
            }
        }
        in.values = out;
        in.width = w;
        in.height = h;
        in.binning *= factor;
        return in;
    }
}
