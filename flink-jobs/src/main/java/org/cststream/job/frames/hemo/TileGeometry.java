package org.cststream.job.frames.hemo;

import java.io.Serializable;

/**
 * How a frame is cut into square tiles for the correction, each with a margin of neighbouring
 * pixels. Tiles are numbered row-major; the last row and column of tiles are smaller when the frame
 * is not a multiple of the tile size, so no pixel is lost or padded. A window is a tile's interior
 * plus the margin on every side, clipped to the frame.
 */
public final class TileGeometry implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * A rectangle of pixels.
     *
     * @param x first column
     * @param y first row
     * @param width columns
     * @param height rows
     */
    public record Rect(int x, int y, int width, int height) implements Serializable {
        /** Returns the number of pixels. */
        public int size() {
            return width * height;
        }
    }

    private final int frameWidth;
    private final int frameHeight;
    private final int tileSize;
    private final int margin;
    private final int cols;
    private final int rows;

    /**
     * @param frameWidth frame columns (>= 1)
     * @param frameHeight frame rows (>= 1)
     * @param tileSize tile side, pixels (>= 1)
     * @param margin pixels of neighbourhood on each side of a tile (>= 0)
     */
    public TileGeometry(int frameWidth, int frameHeight, int tileSize, int margin) {
        if (frameWidth < 1 || frameHeight < 1 || tileSize < 1 || margin < 0) {
            throw new IllegalArgumentException(
                    "tiles need a frame of 1x1 or more, a tile side of 1 or more and a margin of 0"
                            + " or more pixels; got "
                            + frameWidth
                            + "x"
                            + frameHeight
                            + ", tile "
                            + tileSize
                            + ", margin "
                            + margin);
        }
        this.frameWidth = frameWidth;
        this.frameHeight = frameHeight;
        this.tileSize = tileSize;
        this.margin = margin;
        this.cols = (frameWidth + tileSize - 1) / tileSize;
        this.rows = (frameHeight + tileSize - 1) / tileSize;
    }

    /** Returns the number of tiles. */
    public int count() {
        return cols * rows;
    }

    public int frameWidth() {
        return frameWidth;
    }

    public int frameHeight() {
        return frameHeight;
    }

    /** Returns the pixels a tile owns in the output. */
    public Rect interior(int index) {
        int x = (index % cols) * tileSize;
        int y = (index / cols) * tileSize;
        return new Rect(
                x, y, Math.min(tileSize, frameWidth - x), Math.min(tileSize, frameHeight - y));
    }

    /** Returns the pixels a tile reads: its interior and the margin, clipped to the frame. */
    public Rect window(int index) {
        return expand(interior(index), margin, new Rect(0, 0, frameWidth, frameHeight));
    }

    /** Returns {@code r} grown by {@code by} pixels on each side and clipped to {@code bounds}. */
    public static Rect expand(Rect r, int by, Rect bounds) {
        int x0 = Math.max(bounds.x(), r.x() - by);
        int y0 = Math.max(bounds.y(), r.y() - by);
        int x1 = Math.min(bounds.x() + bounds.width(), r.x() + r.width() + by);
        int y1 = Math.min(bounds.y() + bounds.height(), r.y() + r.height() + by);
        return new Rect(x0, y0, x1 - x0, y1 - y0);
    }

    /** Copies a rectangle of a row-major frame into a new array, row-major. */
    public static float[] cut(float[] frame, int frameWidth, Rect r) {
        float[] out = new float[r.size()];
        for (int y = 0; y < r.height(); y++) {
            System.arraycopy(
                    frame, (r.y() + y) * frameWidth + r.x(), out, y * r.width(), r.width());
        }
        return out;
    }

    /** Copies a row-major rectangle's values into their place in a row-major frame. */
    public static void paste(float[] values, Rect r, float[] frame, int frameWidth) {
        for (int y = 0; y < r.height(); y++) {
            System.arraycopy(
                    values, y * r.width(), frame, (r.y() + y) * frameWidth + r.x(), r.width());
        }
    }
}
