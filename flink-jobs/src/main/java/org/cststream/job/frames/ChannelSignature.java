package org.cststream.job.frames;

import org.cststream.frame.Frame;
import org.cststream.frame.PixelConversion;

/**
 * A frame's content in brief, for telling channels apart: its mean brightness and its block means
 * on a grid of at most {@value #GRID} x {@value #GRID} cells. Two channels of a widefield rig
 * differ in brightness (LED power, absorption) and in pattern (illumination, vessels look darker
 * under violet light), so a frame is scored against each channel's running reference by {@code
 * |ln(mean / reference mean)| + (1 - correlation of the block means)}: 0 is a perfect fit.
 */
final class ChannelSignature {
    static final int GRID = 16;

    final double mean;
    final float[] cells;

    private ChannelSignature(double mean, float[] cells) {
        this.mean = mean;
        this.cells = cells;
    }

    /** Returns the number of grid cells for a frame size. */
    static int cells(int width, int height) {
        return Math.min(GRID, width) * Math.min(GRID, height);
    }

    static ChannelSignature of(Frame frame) {
        float[] v = PixelConversion.toFloats(frame);
        int gx = Math.min(GRID, frame.width);
        int gy = Math.min(GRID, frame.height);
        double[] sum = new double[gx * gy];
        int[] count = new int[gx * gy];
        double total = 0;
        for (int y = 0; y < frame.height; y++) {
            int cy = y * gy / frame.height;
            for (int x = 0; x < frame.width; x++) {
                int c = cy * gx + x * gx / frame.width;
                double p = v[y * frame.width + x];
                sum[c] += p;
                count[c]++;
                total += p;
            }
        }
        float[] cells = new float[gx * gy];
        for (int c = 0; c < cells.length; c++) {
            cells[c] = (float) (sum[c] / Math.max(1, count[c]));
        }
        return new ChannelSignature(total / Math.max(1, v.length), cells);
    }

    /**
     * Returns how badly this frame fits a reference: brightness log-ratio plus one minus the
     * pattern's correlation; large when the reference is empty or dark.
     */
    double distance(float[] references, int offset, double referenceMean) {
        if (!(referenceMean > 0) || !(mean > 0)) {
            return 10;
        }
        double brightness = Math.abs(Math.log(mean / referenceMean));
        int n = cells.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += cells[i];
            mb += references[offset + i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double a = cells[i] - ma;
            double b = references[offset + i] - mb;
            sab += a * b;
            saa += a * a;
            sbb += b * b;
        }
        double r = saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
        return brightness + (1 - r);
    }
}
