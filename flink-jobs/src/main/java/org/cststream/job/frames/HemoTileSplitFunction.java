package org.cststream.job.frames;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;
import org.cststream.job.frames.hemo.TileGeometry;
import org.cststream.job.frames.hemo.TileGeometry.Rect;

/**
 * Cuts a {@link FramePair} into the tiles of the correction: square interiors of {@code tileSize}
 * pixels (smaller at the right and bottom edges when the frame is not a multiple), each carrying a
 * margin of neighbouring pixels of both channels.
 */
public class HemoTileSplitFunction implements FlatMapFunction<FramePair, HemoTile> {
    private static final long serialVersionUID = 1L;

    private final int tileSize;
    private final int margin;

    /**
     * @param tileSize interior side, pixels (>= 1)
     * @param margin neighbourhood pixels on each side (>= 0)
     */
    public HemoTileSplitFunction(int tileSize, int margin) {
        this.tileSize = tileSize;
        this.margin = margin;
    }

    @Override
    public void flatMap(FramePair pair, Collector<HemoTile> out) {
        split(pair, tileSize, margin).forEach(out::collect);
    }

    /** Returns the tiles of one pair, in tile order. */
    public static java.util.List<HemoTile> split(FramePair pair, int tileSize, int margin) {
        DffFrame c = pair.calcium;
        TileGeometry g = new TileGeometry(c.width, c.height, tileSize, margin);
        boolean iso = pair.hasIsosbestic() && pair.isosbestic.length == c.values.length;
        java.util.List<HemoTile> tiles = new java.util.ArrayList<>(g.count());
        for (int t = 0; t < g.count(); t++) {
            Rect w = g.window(t);
            Rect in = g.interior(t);
            HemoTile tile = new HemoTile();
            tile.sessionId = c.sessionId;
            tile.cameraId = c.cameraId;
            tile.frameCounter = c.frameCounter;
            tile.channelNm = c.channelNm;
            tile.channelName = c.channelName;
            tile.acquisitionNanos = c.acquisitionNanos;
            tile.hostReceiveNanos = c.hostReceiveNanos;
            tile.frameWidth = c.width;
            tile.frameHeight = c.height;
            tile.binning = c.binning;
            tile.tileIndex = t;
            tile.tileCount = g.count();
            tile.windowX = w.x();
            tile.windowY = w.y();
            tile.windowWidth = w.width();
            tile.windowHeight = w.height();
            tile.interiorX = in.x();
            tile.interiorY = in.y();
            tile.interiorWidth = in.width();
            tile.interiorHeight = in.height();
            tile.haveIsosbestic = iso;
            tile.calcium = TileGeometry.cut(c.values, c.width, w);
            tile.isosbestic = iso ? TileGeometry.cut(pair.isosbestic, c.width, w) : new float[0];
            tiles.add(tile);
        }
        return tiles;
    }
}
