package org.cststream.recording.phantom;

import org.cststream.recording.SplitMix64;

/**
 * The phantom's fixed spatial layout at the output size: each pixel's parcels and their weights
 * (smoothed borders), its share of brain tissue, of visual cortex, of blood vessel (and which
 * vessel tree), and a smooth parenchymal blood-volume field.
 *
 * <p>Parcels are blurred on the atlas map with a Gaussian of {@value #BORDER_SIGMA_MAP_PIXELS} map
 * pixels and resampled bilinearly, so a pixel near a border mixes its neighbours' traces. Vessels
 * are drawn as meandering, tapering, branching curves with a Gaussian cross-section: a sinus along
 * the brain's medial edge and trees running laterally from it.
 */
final class PhantomField {
    /** Parcels kept per pixel; more add under 1% of the weight. */
    static final int PARCELS_PER_PIXEL = 4;

    static final double BORDER_SIGMA_MAP_PIXELS = 1.5;

    /** Vessel trees, the sinus included; each has its own vasomotion phase. */
    static final int TREES = 4;

    final int width;
    final int height;
    final int[] parcel;
    final float[] parcelWeight;
    final float[] brain;
    final float[] visual;
    final float[] vessel;
    final byte[] tree;
    final float[] parenchyma;

    /** Brain bounding box in output pixels: left, top, right, bottom (exclusive). */
    final int[] brainBox;

    PhantomField(ParcelAtlas atlas, int width, int height, long seed) {
        this.width = width;
        this.height = height;
        int n = width * height;
        parcel = new int[n * PARCELS_PER_PIXEL];
        parcelWeight = new float[n * PARCELS_PER_PIXEL];
        brain = new float[n];
        visual = new float[n];
        renderParcels(atlas);
        brainBox = boundingBox(brain, width, height);
        vessel = new float[n];
        tree = new byte[n];
        drawVessels(new SplitMix64(SplitMix64.mix(seed, 0x56455353L)));
        parenchyma = smoothField(new SplitMix64(SplitMix64.mix(seed, 0x50415245L)));
    }

    private void renderParcels(ParcelAtlas atlas) {
        int side = ParcelAtlas.MAP_SIDE;
        int labels = atlas.parcels() + 1;
        // blurred one-hot maps, one per label (label 0 is outside the brain)
        float[][] blurred = new float[labels][];
        float[] visualMap = new float[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                if (atlas.isVisual(y, x)) {
                    visualMap[y * side + x] = 1f;
                }
            }
        }
        for (int k = 0; k < labels; k++) {
            float[] m = new float[side * side];
            boolean any = false;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    if (atlas.label(y, x) == k) {
                        m[y * side + x] = 1f;
                        any = true;
                    }
                }
            }
            blurred[k] = any ? blur(m, side, side, BORDER_SIGMA_MAP_PIXELS) : null;
        }
        visualMap = blur(visualMap, side, side, 3 * BORDER_SIGMA_MAP_PIXELS);
        float[] w = new float[labels];
        for (int y = 0; y < height; y++) {
            double v = (y + 0.5) * side / height - 0.5;
            for (int x = 0; x < width; x++) {
                double u = (x + 0.5) * side / width - 0.5;
                int p = y * width + x;
                double total = 0;
                for (int k = 1; k < labels; k++) {
                    w[k] = blurred[k] == null ? 0f : (float) bilinear(blurred[k], side, u, v);
                    total += w[k];
                }
                brain[p] = (float) Math.min(1, total);
                visual[p] = (float) bilinear(visualMap, side, u, v);
                // keep the strongest few parcels, scaled so their sum is the brain weight
                double kept = 0;
                for (int slot = 0; slot < PARCELS_PER_PIXEL; slot++) {
                    int best = -1;
                    for (int k = 1; k < labels; k++) {
                        if (w[k] > 0 && (best < 0 || w[k] > w[best])) {
                            best = k;
                        }
                    }
                    if (best < 0) {
                        break;
                    }
                    parcel[p * PARCELS_PER_PIXEL + slot] = best - 1;
                    parcelWeight[p * PARCELS_PER_PIXEL + slot] = w[best];
                    kept += w[best];
                    w[best] = 0;
                }
                if (kept > 0) {
                    float scale = (float) (brain[p] / kept);
                    for (int slot = 0; slot < PARCELS_PER_PIXEL; slot++) {
                        parcelWeight[p * PARCELS_PER_PIXEL + slot] *= scale;
                    }
                }
            }
        }
    }

    private static double bilinear(float[] m, int side, double u, double v) {
        double cu = Math.max(0, Math.min(side - 1, u));
        double cv = Math.max(0, Math.min(side - 1, v));
        int x0 = (int) Math.floor(cu);
        int y0 = (int) Math.floor(cv);
        int x1 = Math.min(side - 1, x0 + 1);
        int y1 = Math.min(side - 1, y0 + 1);
        double fx = cu - x0;
        double fy = cv - y0;
        return (m[y0 * side + x0] * (1 - fx) + m[y0 * side + x1] * fx) * (1 - fy)
                + (m[y1 * side + x0] * (1 - fx) + m[y1 * side + x1] * fx) * fy;
    }

    /** Separable Gaussian blur with edges clamped. */
    static float[] blur(float[] m, int w, int h, double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] tmp = new float[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    int xx = Math.max(0, Math.min(w - 1, x + i));
                    s += k[i + r] * m[y * w + xx];
                }
                tmp[y * w + x] = (float) s;
            }
        }
        float[] out = new float[m.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    int yy = Math.max(0, Math.min(h - 1, y + i));
                    s += k[i + r] * tmp[yy * w + x];
                }
                out[y * w + x] = (float) s;
            }
        }
        return out;
    }

    private static int[] boundingBox(float[] brain, int w, int h) {
        int left = w;
        int top = h;
        int right = 0;
        int bottom = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (brain[y * w + x] > 0.5f) {
                    left = Math.min(left, x);
                    right = Math.max(right, x + 1);
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y + 1);
                }
            }
        }
        if (right <= left || bottom <= top) {
            return new int[] {0, 0, w, h};
        }
        return new int[] {left, top, right, bottom};
    }

    private void drawVessels(SplitMix64 rng) {
        double left = brainBox[0];
        double top = brainBox[1];
        double boxW = brainBox[2] - brainBox[0];
        double boxH = brainBox[3] - brainBox[1];
        double scale = Math.min(width, height);
        double sinusWidth = Math.max(1.2, 0.014 * scale);
        // the sinus runs down the brain's medial edge, wandering a little
        curve(left + 0.02 * boxW, top, Math.PI / 2, boxH, sinusWidth, 0.15, 0, 0, rng);
        for (int t = 1; t < TREES; t++) {
            double y = top + boxH * (0.15 + 0.7 * (t - 1 + rng.nextDouble()) / (TREES - 1));
            double angle = (rng.nextDouble() - 0.5) * 0.8;
            curve(
                    left + 0.02 * boxW,
                    y,
                    angle,
                    boxW * (0.7 + 0.3 * rng.nextDouble()),
                    0.8 * sinusWidth,
                    0.6,
                    t,
                    2,
                    rng);
        }
    }

    /**
     * Draws a vessel from (x, y) in direction {@code angle} (radians) over {@code length} pixels,
     * tapering to 40% of its width, bending by a random walk of strength {@code wander}, with
     * {@code branches} side branches (each with one level less).
     */
    private void curve(
            double x,
            double y,
            double angle,
            double length,
            double vesselWidth,
            double wander,
            int treeId,
            int branches,
            SplitMix64 rng) {
        double step = 0.5;
        int steps = (int) Math.max(2, length / step);
        double turn = 0;
        double[] branchAt = new double[branches];
        for (int b = 0; b < branches; b++) {
            branchAt[b] = 0.2 + 0.6 * rng.nextDouble();
        }
        for (int s = 0; s < steps; s++) {
            double f = (double) s / steps;
            double wHere = vesselWidth * (1 - 0.6 * f);
            stamp(x, y, wHere / 2, treeId);
            for (int b = 0; b < branches; b++) {
                if (branchAt[b] >= 0 && f >= branchAt[b]) {
                    branchAt[b] = -1;
                    double side = rng.nextDouble() < 0.5 ? -1 : 1;
                    curve(
                            x,
                            y,
                            angle + side * (0.5 + 0.6 * rng.nextDouble()),
                            length * (0.3 + 0.2 * rng.nextDouble()),
                            wHere * 0.65,
                            wander,
                            treeId,
                            branches - 1,
                            rng);
                }
            }
            turn = 0.9 * turn + wander * 0.05 * (rng.nextDouble() - 0.5);
            angle += turn;
            x += step * Math.cos(angle);
            y += step * Math.sin(angle);
        }
    }

    private void stamp(double cx, double cy, double sigma, int treeId) {
        int r = (int) Math.ceil(2.5 * sigma) + 1;
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        for (int y = y0 - r; y <= y0 + r; y++) {
            if (y < 0 || y >= height) {
                continue;
            }
            for (int x = x0 - r; x <= x0 + r; x++) {
                if (x < 0 || x >= width) {
                    continue;
                }
                double d2 = (x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy);
                float v = (float) Math.exp(-0.5 * d2 / (sigma * sigma));
                int p = y * width + x;
                if (v > vessel[p]) {
                    vessel[p] = v;
                    tree[p] = (byte) treeId;
                }
            }
        }
    }

    /** A smooth field in [0.5, 1]: a few broad Gaussian bumps. */
    private float[] smoothField(SplitMix64 rng) {
        int bumps = 6;
        double[][] b = new double[bumps][4];
        for (int i = 0; i < bumps; i++) {
            b[i][0] = rng.nextDouble() * width;
            b[i][1] = rng.nextDouble() * height;
            b[i][2] = (0.15 + 0.15 * rng.nextDouble()) * Math.min(width, height);
            b[i][3] = 0.3 + 0.7 * rng.nextDouble();
        }
        float[] f = new float[width * height];
        double max = 0;
        double min = Double.MAX_VALUE;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double s = 0;
                for (double[] bump : b) {
                    double d2 = (x - bump[0]) * (x - bump[0]) + (y - bump[1]) * (y - bump[1]);
                    s += bump[3] * Math.exp(-0.5 * d2 / (bump[2] * bump[2]));
                }
                f[y * width + x] = (float) s;
                max = Math.max(max, s);
                min = Math.min(min, s);
            }
        }
        double range = Math.max(max - min, 1e-9);
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (0.5 + 0.5 * (f[i] - min) / range);
        }
        return f;
    }
}
