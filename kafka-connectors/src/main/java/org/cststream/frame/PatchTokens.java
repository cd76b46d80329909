package org.cststream.frame;

/**
 * One frame cut into square patches: the tokens the CST sees. Patches are in row-major grid order,
 * each patch's p x p values row-major, so patch {@code (r, c)} starts at {@code ((r * gridCols) +
 * c) * p * p}. Pixels past the frame's edge (pad mode) are 0.
 */
public class PatchTokens {
    public String sessionId = "";
    public String cameraId = "";
    public long frameCounter;
    public int channelNm;
    public String channelName = "";

    /** Acquisition time on the camera clock, ns. */
    public long acquisitionNanos;

    /** Host receive time of the source frame, ns since the Unix epoch. */
    public long hostReceiveNanos;

    /** Patch side p in pixels (of the binned frame). */
    public int patchSize;

    public int gridRows;
    public int gridCols;

    /** Height and width of the frame the patches were cut from (after binning). */
    public int frameHeight;

    public int frameWidth;

    /** Spatial binning factor applied before cutting (1 = none). */
    public int binning = 1;

    /** gridRows * gridCols * patchSize * patchSize values. */
    public float[] values = new float[0];

    public PatchTokens() {}

    /** Returns the number of patches. */
    public int patchCount() {
        return gridRows * gridCols;
    }

    /** Returns the value at (row, col) of the frame the patches came from; 0 if padded away. */
    public float valueAt(int row, int col) {
        int r = row / patchSize;
        int c = col / patchSize;
        int base = (r * gridCols + c) * patchSize * patchSize;
        return values[base + (row % patchSize) * patchSize + (col % patchSize)];
    }

    /** Returns the frame the patches were cut from: {@code frameHeight x frameWidth}, row-major. */
    public float[] toFrame() {
        return toFrame(values, patchSize, gridCols, frameHeight, frameWidth);
    }

    /**
     * Returns patch values laid out as in {@link PatchTokens} as the frame they were cut from,
     * leaving out the padding past its edge.
     *
     * @param patchValues patches in row-major grid order, each p x p row-major
     * @param patchSize p
     * @param gridCols patches per row of the grid
     * @param height frame rows
     * @param width frame columns
     */
    public static float[] toFrame(
            float[] patchValues, int patchSize, int gridCols, int height, int width) {
        float[] out = new float[height * width];
        int p = patchSize;
        for (int r = 0; r < height; r++) {
            int base = ((r / p) * gridCols) * p * p + (r % p) * p;
            for (int c = 0; c < width; c++) {
                out[r * width + c] = patchValues[base + (c / p) * p * p + (c % p)];
            }
        }
        return out;
    }
}
