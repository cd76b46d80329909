package org.cststream.model.spirals;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * One panel of a chart drawn with {@code java.awt}: a title, labelled axes with round-number ticks
 * and a light grid, and any mix of lines and points with a legend, or box plots over named
 * categories. {@link #render} lays panels out in a grid on one image and {@link #writePng} saves
 * it; both work headless.
 *
 * <p>A box shows the quartiles of its values (linear interpolation between order statistics), a
 * line at the median, whiskers to the furthest values within 1.5 interquartile ranges of the box,
 * and the values beyond as open circles.
 */
public final class Plot {
    static {
        // charts are drawn off screen, also on machines with a display; an application that
        // chose otherwise before this class loaded keeps its choice
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Color GRID = new Color(0xE6E6E6);
    private static final Color AXIS = new Color(0x444444);
    private static final int LEFT = 62;
    private static final int RIGHT = 14;
    private static final int TOP = 30;
    private static final int BOTTOM = 44;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Box> boxes = new ArrayList<>();
    private HeatMap heatMap;
    private double[] xRange;
    private double[] yRange;
    private boolean equalAspect;
    private boolean legend = true;

    /**
     * Starts an empty panel.
     *
     * @param title drawn above the panel; may be empty
     * @param xLabel the horizontal axis's label, with its unit
     * @param yLabel the vertical axis's label, with its unit
     */
    public Plot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /**
     * Adds a line through the points in the given order.
     *
     * @param x horizontal positions
     * @param y vertical positions, as many as {@code x}
     * @param color the line's colour
     * @param width the line's width in pixels
     * @param label the legend entry, or null for none
     */
    public Plot line(double[] x, double[] y, Color color, float width, String label) {
        series.add(new Series(checkPair(x, y), y, color, width, false, label));
        return this;
    }

    /**
     * Adds filled round markers.
     *
     * @param x horizontal positions
     * @param y vertical positions, as many as {@code x}
     * @param color the markers' colour
     * @param diameter the markers' diameter in pixels
     * @param label the legend entry, or null for none
     */
    public Plot points(double[] x, double[] y, Color color, float diameter, String label) {
        series.add(new Series(checkPair(x, y), y, color, diameter, true, label));
        return this;
    }

    /**
     * Adds a box plot of the values as the next category along the horizontal axis. Boxes and lines
     * do not mix in one panel.
     *
     * @param category the name under the box
     * @param values the values, at least one
     * @param color the box's fill colour
     */
    public Plot box(String category, double[] values, Color color) {
        if (values.length == 0) {
            throw new IllegalArgumentException("box '" + category + "' has no values");
        }
        boxes.add(new Box(category, values.clone(), color));
        return this;
    }

    /**
     * Shows a row-major image as a heat map filling the panel, row 0 at the top, on a diverging
     * blue-white-red scale (white at the middle of the range; NaN grey). The axes count pixels from
     * the image's bottom-left corner. Lines and points may be drawn over it.
     *
     * @param values row-major values, {@code width * height} of them
     * @param width columns
     * @param height rows
     * @param min the value drawn darkest blue
     * @param max the value drawn darkest red (above {@code min})
     */
    public Plot image(float[] values, int width, int height, double min, double max) {
        if (width < 1 || height < 1 || values.length != width * height || !(max > min)) {
            throw new IllegalArgumentException(
                    "an image needs width x height values and min < max; got "
                            + values.length
                            + " values for "
                            + width
                            + "x"
                            + height
                            + ", range ["
                            + min
                            + ", "
                            + max
                            + "]");
        }
        heatMap = new HeatMap(values.clone(), width, height, min, max);
        xRange = new double[] {0, width};
        yRange = new double[] {0, height};
        equalAspect = true;
        legend = false;
        return this;
    }

    /** Fixes the horizontal range instead of fitting it to the data. */
    public Plot xRange(double min, double max) {
        xRange = checkRange(min, max);
        return this;
    }

    /** Fixes the vertical range instead of fitting it to the data. */
    public Plot yRange(double min, double max) {
        yRange = checkRange(min, max);
        return this;
    }

    /** Makes one data unit the same length on both axes, widening one range to fit. */
    public Plot equalAspect() {
        equalAspect = true;
        return this;
    }

    /** Turns the legend on (the default) or off. */
    public Plot legend(boolean show) {
        legend = show;
        return this;
    }

    /** Height of the legend strip above the panels of {@link #renderWithLegendStrip}, pixels. */
    public static final int LEGEND_STRIP_HEIGHT = 32;

    /**
     * Draws panels on one white image, left to right and then top to bottom, each with its own
     * legend (if it has one).
     *
     * @param panels the panels
     * @param columns panels per row, 1 or more
     * @param panelWidth each panel's width in pixels, 120 or more
     * @param panelHeight each panel's height in pixels, 120 or more
     * @return an image of {@code columns x panelWidth} by {@code rows x panelHeight} pixels, with
     *     as many rows as the panels need
     */
    public static BufferedImage render(
            List<Plot> panels, int columns, int panelWidth, int panelHeight) {
        return render(panels, columns, panelWidth, panelHeight, false);
    }

    /**
     * Draws panels as {@link #render} does, but with one legend for all of them, the first panel's,
     * in a strip of {@value #LEGEND_STRIP_HEIGHT} pixels above the panels, so that no legend hides
     * data. Use it when every panel shows the same kinds of series.
     *
     * @return an image of {@code columns x panelWidth} by {@code LEGEND_STRIP_HEIGHT + rows x
     *     panelHeight} pixels
     */
    public static BufferedImage renderWithLegendStrip(
            List<Plot> panels, int columns, int panelWidth, int panelHeight) {
        return render(panels, columns, panelWidth, panelHeight, true);
    }

    private static BufferedImage render(
            List<Plot> panels, int columns, int panelWidth, int panelHeight, boolean strip) {
        if (panels.isEmpty() || columns < 1 || panelWidth < 120 || panelHeight < 120) {
            throw new IllegalArgumentException(
                    "need 1 or more panels, 1 or more columns and panels of at least 120 x 120"
                            + " pixels; got "
                            + panels.size()
                            + " panels, "
                            + columns
                            + " columns, "
                            + panelWidth
                            + " x "
                            + panelHeight);
        }
        int rows = (panels.size() + columns - 1) / columns;
        int top = strip ? LEGEND_STRIP_HEIGHT : 0;
        BufferedImage image =
                new BufferedImage(
                        columns * panelWidth, top + rows * panelHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            if (strip) {
                panels.get(0).drawLegendRow(g, image.getWidth(), LEGEND_STRIP_HEIGHT);
            }
            for (int i = 0; i < panels.size(); i++) {
                Rectangle area =
                        new Rectangle(
                                (i % columns) * panelWidth,
                                top + (i / columns) * panelHeight,
                                panelWidth,
                                panelHeight);
                Plot panel = panels.get(i);
                panel.draw((Graphics2D) g.create(), area, panel.legend && !strip);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * Writes an image as PNG, creating the folder if needed.
     *
     * @throws IOException if the file cannot be written
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException(file + ": no PNG writer in this Java runtime");
        }
    }

    /**
     * Draws this panel into an area of a graphics context, which it disposes of.
     *
     * @param g where to draw; its settings are changed
     * @param area the panel's area, margins and title included
     */
    public void draw(Graphics2D g, Rectangle area) {
        draw(g, area, legend);
    }

    private void draw(Graphics2D g, Rectangle area, boolean showLegend) {
        try {
            Rectangle inner =
                    new Rectangle(
                            area.x + LEFT,
                            area.y + TOP,
                            area.width - LEFT - RIGHT,
                            area.height - TOP - BOTTOM);
            double[] xs = xRange != null ? xRange : dataXRange();
            double[] ys = yRange != null ? yRange : dataYRange();
            if (equalAspect) {
                double[][] fitted = equalAspect(xs, ys, inner);
                xs = fitted[0];
                ys = fitted[1];
            }
            Axes axes = new Axes(inner, xs, ys);
            drawGridAndTicks(g, axes);
            Shape oldClip = g.getClip();
            g.clip(inner);
            if (heatMap != null) {
                drawHeatMap(g, axes, heatMap);
            }
            for (Series s : series) {
                drawSeries(g, axes, s);
            }
            for (int i = 0; i < boxes.size(); i++) {
                drawBox(g, axes, i + 1, boxes.get(i));
            }
            g.setClip(oldClip);
            g.setColor(AXIS);
            g.setStroke(new BasicStroke(1f));
            g.draw(inner);
            drawLabels(g, area, inner);
            if (showLegend) {
                drawLegend(g, axes);
            }
        } finally {
            g.dispose();
        }
    }

    /**
     * Returns round tick positions covering {@code [min, max]}: multiples of 1, 2 or 5 times a
     * power of ten, about {@code target} of them, all inside the range.
     */
    static double[] niceTicks(double min, double max, int target) {
        double step = niceStep((max - min) / Math.max(1, target));
        double first = Math.ceil(min / step - 1e-9) * step;
        List<Double> ticks = new ArrayList<>();
        for (int i = 0; first + i * step <= max + step * 1e-9; i++) {
            double t = first + i * step;
            // snap values like 0.30000000000000004 and -0.0 to what a reader expects
            ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Returns the tick labels' text, with just enough decimals for the tick spacing. */
    static String tickText(double value, double step) {
        int decimals = 0;
        while (decimals < 8
                && Math.abs(
                                step * Math.pow(10, decimals)
                                        - Math.rint(step * Math.pow(10, decimals)))
                        > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static double niceStep(double raw) {
        if (!(raw > 0) || Double.isInfinite(raw)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
        return nice * power;
    }

    private double[] dataXRange() {
        if (!boxes.isEmpty()) {
            return new double[] {0.5, boxes.size() + 0.5};
        }
        return padded(series.stream().map(s -> s.x).toList());
    }

    private double[] dataYRange() {
        List<double[]> values = new ArrayList<>();
        series.forEach(s -> values.add(s.y));
        boxes.forEach(b -> values.add(b.values));
        return padded(values);
    }

    private static double[] padded(List<double[]> arrays) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] a : arrays) {
            for (double v : a) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        double pad = max > min ? 0.05 * (max - min) : Math.max(1e-9, 0.05 * Math.abs(min));
        if (!(pad > 0)) {
            pad = 0.5;
        }
        return new double[] {min - pad, max + pad};
    }

    private static double[][] equalAspect(double[] xs, double[] ys, Rectangle inner) {
        double xPerPixel = (xs[1] - xs[0]) / inner.width;
        double yPerPixel = (ys[1] - ys[0]) / inner.height;
        double perPixel = Math.max(xPerPixel, yPerPixel);
        double xMid = (xs[0] + xs[1]) / 2;
        double yMid = (ys[0] + ys[1]) / 2;
        double xHalf = perPixel * inner.width / 2;
        double yHalf = perPixel * inner.height / 2;
        return new double[][] {{xMid - xHalf, xMid + xHalf}, {yMid - yHalf, yMid + yHalf}};
    }

    private void drawGridAndTicks(Graphics2D g, Axes axes) {
        Rectangle r = axes.inner;
        g.setFont(TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        if (boxes.isEmpty()) {
            double[] ticks = niceTicks(axes.x0, axes.x1, Math.max(2, r.width / 70));
            double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
            for (double t : ticks) {
                double px = axes.px(t);
                g.setColor(GRID);
                g.draw(new Line2D.Double(px, r.y, px, r.y + r.height));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(px, r.y + r.height, px, r.y + r.height + 4));
                String text = tickText(t, step);
                g.drawString(
                        text,
                        (float) (px - fm.stringWidth(text) / 2.0),
                        r.y + r.height + 6 + fm.getAscent());
            }
        } else {
            for (int i = 0; i < boxes.size(); i++) {
                double px = axes.px(i + 1);
                g.setColor(AXIS);
                g.draw(new Line2D.Double(px, r.y + r.height, px, r.y + r.height + 4));
                String text = boxes.get(i).category;
                g.drawString(
                        text,
                        (float) (px - fm.stringWidth(text) / 2.0),
                        r.y + r.height + 6 + fm.getAscent());
            }
        }
        double[] ticks = niceTicks(axes.y0, axes.y1, Math.max(2, r.height / 50));
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        for (double t : ticks) {
            double py = axes.py(t);
            g.setColor(GRID);
            g.draw(new Line2D.Double(r.x, py, r.x + r.width, py));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(r.x - 4, py, r.x, py));
            String text = tickText(t, step);
            g.drawString(
                    text,
                    (float) (r.x - 6 - fm.stringWidth(text)),
                    (float) (py + fm.getAscent() / 2.0 - 1));
        }
    }

    private static void drawSeries(Graphics2D g, Axes axes, Series s) {
        g.setColor(s.color);
        if (s.markers) {
            double d = s.size;
            for (int i = 0; i < s.x.length; i++) {
                g.fill(
                        new Ellipse2D.Double(
                                axes.px(s.x[i]) - d / 2, axes.py(s.y[i]) - d / 2, d, d));
            }
            return;
        }
        g.setStroke(new BasicStroke(s.size, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (int i = 0; i < s.x.length; i++) {
            if (!Double.isFinite(s.x[i]) || !Double.isFinite(s.y[i])) {
                started = false;
                continue;
            }
            if (started) {
                path.lineTo(axes.px(s.x[i]), axes.py(s.y[i]));
            } else {
                path.moveTo(axes.px(s.x[i]), axes.py(s.y[i]));
                started = true;
            }
        }
        g.draw(path);
    }

    private static void drawBox(Graphics2D g, Axes axes, int position, Box box) {
        double[] v = box.values.clone();
        Arrays.sort(v);
        double q1 = quantile(v, 0.25);
        double median = quantile(v, 0.5);
        double q3 = quantile(v, 0.75);
        double iqr = q3 - q1;
        double low = v[0];
        double high = v[v.length - 1];
        for (double x : v) {
            if (x >= q1 - 1.5 * iqr) {
                low = x;
                break;
            }
        }
        for (int i = v.length - 1; i >= 0; i--) {
            if (v[i] <= q3 + 1.5 * iqr) {
                high = v[i];
                break;
            }
        }
        double centre = axes.px(position);
        double half = Math.min(40, (axes.px(1) - axes.px(0)) * 0.3);
        g.setStroke(new BasicStroke(1.2f));
        g.setColor(AXIS);
        g.draw(new Line2D.Double(centre, axes.py(low), centre, axes.py(q1)));
        g.draw(new Line2D.Double(centre, axes.py(q3), centre, axes.py(high)));
        g.draw(new Line2D.Double(centre - half / 2, axes.py(low), centre + half / 2, axes.py(low)));
        g.draw(
                new Line2D.Double(
                        centre - half / 2, axes.py(high), centre + half / 2, axes.py(high)));
        Rectangle2D rect =
                new Rectangle2D.Double(
                        centre - half, axes.py(q3), 2 * half, axes.py(q1) - axes.py(q3));
        g.setColor(box.color);
        g.fill(rect);
        g.setColor(AXIS);
        g.draw(rect);
        g.setStroke(new BasicStroke(2f));
        g.draw(new Line2D.Double(centre - half, axes.py(median), centre + half, axes.py(median)));
        g.setStroke(new BasicStroke(1f));
        for (double x : v) {
            if (x < low || x > high) {
                g.draw(new Ellipse2D.Double(centre - 3, axes.py(x) - 3, 6, 6));
            }
        }
    }

    /** Returns the p-quantile of sorted values, linear between order statistics. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        if (i + 1 >= sorted.length) {
            return sorted[sorted.length - 1];
        }
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
    }

    private void drawLabels(Graphics2D g, Rectangle area, Rectangle inner) {
        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(
                title,
                (float) (inner.x + (inner.width - fm.stringWidth(title)) / 2.0),
                area.y + TOP - 10);
        g.setFont(LABEL_FONT);
        fm = g.getFontMetrics();
        g.drawString(
                xLabel,
                (float) (inner.x + (inner.width - fm.stringWidth(xLabel)) / 2.0),
                area.y + area.height - 8);
        AffineTransform old = g.getTransform();
        g.translate(area.x + 16, inner.y + (inner.height + fm.stringWidth(yLabel)) / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, 0, 0);
        g.setTransform(old);
    }

    private void drawLegend(Graphics2D g, Axes axes) {
        List<Series> entries = series.stream().filter(s -> s.label != null).toList();
        if (entries.isEmpty()) {
            return;
        }
        g.setFont(TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        int rowHeight = fm.getHeight() + 2;
        int swatch = 22;
        int textWidth = entries.stream().mapToInt(s -> fm.stringWidth(s.label)).max().orElse(0);
        int width = swatch + 14 + textWidth;
        int height = entries.size() * rowHeight + 6;
        Rectangle box = quietestCorner(axes, width, height);
        int x = box.x;
        int y = box.y;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x, y, width, height);
        g.setColor(new Color(0xBBBBBB));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x, y, width, height);
        for (int i = 0; i < entries.size(); i++) {
            Series s = entries.get(i);
            double cy = y + 3 + i * rowHeight + rowHeight / 2.0;
            drawSwatch(g, s, x + 4, cy, swatch, rowHeight);
            g.setColor(Color.BLACK);
            g.drawString(s.label, x + swatch + 10, (float) (cy + fm.getAscent() / 2.0 - 1));
        }
    }

    /** Draws the legend entries in one centred row across the top of an image. */
    private void drawLegendRow(Graphics2D g, int imageWidth, int stripHeight) {
        List<Series> entries = series.stream().filter(s -> s.label != null).toList();
        g.setFont(LABEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        int swatch = 26;
        int gap = 28;
        int total = 0;
        for (Series s : entries) {
            total += swatch + 6 + fm.stringWidth(s.label) + gap;
        }
        int x = (imageWidth - total + gap) / 2;
        double cy = stripHeight / 2.0 + 2;
        for (Series s : entries) {
            drawSwatch(g, s, x, cy, swatch, fm.getHeight());
            g.setColor(Color.BLACK);
            g.drawString(s.label, x + swatch + 6, (float) (cy + fm.getAscent() / 2.0 - 1));
            x += swatch + 6 + fm.stringWidth(s.label) + gap;
        }
    }

    private static void drawSwatch(Graphics2D g, Series s, int x, double cy, int width, int h) {
        g.setColor(s.color);
        if (s.markers) {
            double d = Math.min(s.size, h - 2);
            g.fill(new Ellipse2D.Double(x + width / 2.0 - d / 2, cy - d / 2, d, d));
        } else {
            g.setStroke(new BasicStroke(Math.max(2f, s.size)));
            g.draw(new Line2D.Double(x, cy, x + width, cy));
        }
    }

    /**
     * Returns the legend's place: the corner of the plotting area over which the fewest data points
     * lie, top right first on a tie.
     */
    private Rectangle quietestCorner(Axes axes, int width, int height) {
        Rectangle r = axes.inner;
        int left = r.x + 6;
        int right = r.x + r.width - width - 6;
        int top = r.y + 6;
        int bottom = r.y + r.height - height - 6;
        Rectangle[] corners = {
            new Rectangle(right, top, width, height),
            new Rectangle(left, top, width, height),
            new Rectangle(right, bottom, width, height),
            new Rectangle(left, bottom, width, height),
        };
        Rectangle best = corners[0];
        long fewest = Long.MAX_VALUE;
        for (Rectangle corner : corners) {
            Rectangle2D margin =
                    new Rectangle2D.Double(
                            corner.x - 4, corner.y - 4, corner.width + 8, corner.height + 8);
            long covered = 0;
            for (Series s : series) {
                for (int i = 0; i < s.x.length; i++) {
                    if (margin.contains(axes.px(s.x[i]), axes.py(s.y[i]))) {
                        covered++;
                    }
                }
            }
            if (covered < fewest) {
                fewest = covered;
                best = corner;
            }
        }
        return best;
    }

    private static double[] checkPair(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(
                    "x has " + x.length + " values and y " + y.length + "; need the same number");
        }
        return x;
    }

    private static double[] checkRange(double min, double max) {
        if (!(max > min) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException(
                    "range [" + min + ", " + max + "]; need finite min < max");
        }
        return new double[] {min, max};
    }

    private record Series(
            double[] x, double[] y, Color color, float size, boolean markers, String label) {}

    private record Box(String category, double[] values, Color color) {}

    private record HeatMap(float[] values, int width, int height, double min, double max) {}

    private static void drawHeatMap(Graphics2D g, Axes axes, HeatMap m) {
        BufferedImage img = new BufferedImage(m.width, m.height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < m.height; y++) {
            for (int x = 0; x < m.width; x++) {
                img.setRGB(x, y, diverging(m.values[y * m.width + x], m.min, m.max));
            }
        }
        int left = (int) Math.round(axes.px(0));
        int right = (int) Math.round(axes.px(m.width));
        int top = (int) Math.round(axes.py(m.height));
        int bottom = (int) Math.round(axes.py(0));
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION,
                RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(img, left, top, right - left, bottom - top, null);
    }

    /** Blue below the middle of [min, max], white at it, red above; grey for NaN. */
    private static int diverging(double v, double min, double max) {
        if (Double.isNaN(v)) {
            return 0x999999;
        }
        double t = Math.max(0, Math.min(1, (v - min) / (max - min)));
        double a = Math.abs(2 * t - 1);
        int fade = (int) Math.round(255 * (1 - a));
        if (t < 0.5) {
            int blue = 255 - (int) Math.round(80 * a);
            return (fade << 16) | (fade << 8) | blue;
        }
        int red = 255 - (int) Math.round(80 * a);
        return (red << 16) | (fade << 8) | fade;
    }

    /** Maps data coordinates to pixels inside the panel's plotting area. */
    private static final class Axes {
        final Rectangle inner;
        final double x0;
        final double x1;
        final double y0;
        final double y1;

        Axes(Rectangle inner, double[] xs, double[] ys) {
            this.inner = inner;
            this.x0 = xs[0];
            this.x1 = xs[1];
            this.y0 = ys[0];
            this.y1 = ys[1];
        }

        double px(double x) {
            return inner.x + (x - x0) / (x1 - x0) * inner.width;
        }

        double py(double y) {
            return inner.y + inner.height - (y - y0) / (y1 - y0) * inner.height;
        }
    }
}
