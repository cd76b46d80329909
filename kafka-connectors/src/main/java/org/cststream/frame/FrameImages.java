package org.cststream.frame;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Pictures of frames: one frame as an image with a diverging colour map (blue below 0, white at 0,
 * red above), and panels of frames side by side with titles, for benchmarks and the picture
 * endpoint. Headless java.awt; nothing is shown on a screen.
 */
public final class FrameImages {
    private static final int TITLE_HEIGHT = 22;
    private static final int GAP = 6;

    private FrameImages() {}

    /**
     * A frame to draw.
     *
     * @param title shown above the frame
     * @param values row-major, {@code width * height} values
     * @param width columns
     * @param height rows
     */
    public record Panel(String title, float[] values, int width, int height) {
        public Panel {
            if (width < 1 || height < 1 || values.length != width * height) {
                throw new IllegalArgumentException(
                        "panel '"
                                + title
                                + "' has "
                                + values.length
                                + " values for "
                                + width
                                + " x "
                                + height
                                + " pixels");
            }
        }
    }

    /**
     * Returns one frame as an image: values from {@code -limit} to {@code +limit} map from blue
     * through white to red; values beyond are clamped; NaN is drawn grey.
     *
     * @param scale pixels per value in each direction, 1 or more
     * @param limit the value drawn fully saturated, above 0
     */
    public static BufferedImage render(
            float[] values, int width, int height, int scale, float limit) {
        BufferedImage img =
                new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = colour(values[y * width + x], limit);
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        img.setRGB(x * scale + dx, y * scale + dy, rgb);
                    }
                }
            }
        }
        return img;
    }

    /** Returns the diverging colour of {@code v} for the range {@code [-limit, limit]}. */
    static int colour(float v, float limit) {
        if (Float.isNaN(v)) {
            return 0x808080;
        }
        float a = Math.max(-1f, Math.min(1f, v / limit));
        int fade = Math.round(255 * (1 - Math.abs(a)));
        return a >= 0 ? (255 << 16) | (fade << 8) | fade : (fade << 16) | (fade << 8) | 255;
    }

    /**
     * Returns panels in a grid of {@code columns} columns, each with its title, all on one colour
     * scale: {@code limit}, or when it is 0 or less the 99th percentile of the absolute values.
     *
     * @param scale pixels per value, 1 or more
     */
    public static BufferedImage grid(List<Panel> panels, int columns, int scale, float limit) {
        if (panels.isEmpty() || columns < 1 || scale < 1) {
            throw new IllegalArgumentException(
                    panels.size() + " panels in " + columns + " columns at scale " + scale);
        }
        float range = limit > 0 ? limit : percentileOfAbs(panels, 0.99);
        int cellW = 0;
        int cellH = 0;
        for (Panel p : panels) {
            cellW = Math.max(cellW, p.width() * scale);
            cellH = Math.max(cellH, p.height() * scale);
        }
        int rows = (panels.size() + columns - 1) / columns;
        int w = columns * (cellW + GAP) + GAP;
        int h = rows * (cellH + TITLE_HEIGHT + GAP) + GAP + TITLE_HEIGHT;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i < panels.size(); i++) {
                Panel p = panels.get(i);
                int x = GAP + (i % columns) * (cellW + GAP);
                int y = GAP + (i / columns) * (cellH + TITLE_HEIGHT + GAP);
                g.drawString(p.title(), x, y + TITLE_HEIGHT - 7);
                g.drawImage(
                        render(p.values(), p.width(), p.height(), scale, range),
                        x,
                        y + TITLE_HEIGHT,
                        null);
            }
            g.drawString(
                    String.format(
                            java.util.Locale.ROOT,
                            "colour scale: blue -%.3g, white 0, red +%.3g",
                            range,
                            range),
                    GAP,
                    h - 8);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static float percentileOfAbs(List<Panel> panels, double q) {
        int n = 0;
        for (Panel p : panels) {
            n += p.values().length;
        }
        float[] all = new float[n];
        int k = 0;
        for (Panel p : panels) {
            for (float v : p.values()) {
                all[k++] = Float.isNaN(v) ? 0f : Math.abs(v);
            }
        }
        java.util.Arrays.sort(all);
        float v = all[Math.min(n - 1, (int) Math.floor(q * (n - 1)))];
        return v > 0 ? v : 1f;
    }

    /** Writes {@code image} as a PNG file, creating its folder. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    /** Returns {@code image} as PNG bytes. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a PNG in memory", e);
        }
        return out.toByteArray();
    }
}
