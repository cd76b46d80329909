package org.cststream.model.spirals;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The paper's spirals experiment: every method interpolates the held-out curves from their 10
 * observed points, at each noise level, and is scored on the other 90 points.
 *
 * <p>For each noise level the benchmark makes the split (the same curves at every level), calls
 * {@link Interpolator#fit} of each method once, and asks it for (1) the held-out curves at their
 * target times, scored as in {@link SpiralsMetrics#meanPointError} and summarised as mean +/-
 * population standard deviation over curves, and (2) the held-out curves at {@code densePoints}
 * evenly spaced times on {@code [0, 1]}, scored by {@link SpiralsMetrics#secondDifferenceVariation}
 * and averaged over curves. It writes {@value #TABLE_FILE}, {@value #CURVES_FILE} (rows: noise
 * levels; columns: the first few held-out curves) and {@value #ERRORS_FILE} (one box plot panel per
 * noise level), and prints a line per method and level.
 */
public final class SpiralsBenchmark {
    /** The Markdown table's file name. */
    public static final String TABLE_FILE = "spirals-results.md";

    /** The held-out curves picture's file name. */
    public static final String CURVES_FILE = "spirals-curves.png";

    /** The error distribution picture's file name. */
    public static final String ERRORS_FILE = "spirals-errors.png";

    private static final Color TRUTH = Color.BLACK;
    private static final Color OBSERVED = new Color(0xD62728);
    private static final Color[] METHOD_COLORS = {
        new Color(0x1F77B4),
        new Color(0xFF7F0E),
        new Color(0x2CA02C),
        new Color(0x9467BD),
        new Color(0x8C564B),
        new Color(0xE377C2),
        new Color(0x17BECF),
        new Color(0xBCBD22),
        new Color(0x7F7F7F),
    };

    private SpiralsBenchmark() {}

    /**
     * The benchmark's settings.
     *
     * @param splitSeed seed of the 70/30 split
     * @param noiseSeed seed of the noise on the observed points
     * @param fitSeed seed handed to {@link Interpolator#fit}
     * @param noiseLevels noise levels as fractions of the data scale, each 0 or more
     * @param densePoints times on {@code [0, 1]} for the smoothness measure and the pictures, 3 or
     *     more
     * @param plottedCurves held-out curves in the curves picture, 1 or more
     * @param panelWidth width of one picture panel, pixels, 200 or more
     * @param panelHeight height of one picture panel, pixels, 200 or more
     * @param out where progress lines go
     */
    public record Options(
            long splitSeed,
            long noiseSeed,
            long fitSeed,
            List<Double> noiseLevels,
            int densePoints,
            int plottedCurves,
            int panelWidth,
            int panelHeight,
            PrintStream out) {

        /** Checks the settings; the message names the setting, its bound and the value found. */
        public Options {
            noiseLevels = List.copyOf(noiseLevels);
            if (noiseLevels.isEmpty()) {
                throw new IllegalArgumentException("noiseLevels is empty; need 1 or more");
            }
            for (double level : noiseLevels) {
                if (!(level >= 0) || Double.isInfinite(level)) {
                    throw new IllegalArgumentException(
                            "noise level "
                                    + level
                                    + "; need a finite fraction of the data scale, 0 or more");
                }
            }
            if (densePoints < 3) {
                throw new IllegalArgumentException(
                        "densePoints = " + densePoints + "; need 3 or more");
            }
            if (plottedCurves < 1) {
                throw new IllegalArgumentException(
                        "plottedCurves = " + plottedCurves + "; need 1 or more");
            }
            if (panelWidth < 200 || panelHeight < 200) {
                throw new IllegalArgumentException(
                        "panel "
                                + panelWidth
                                + " x "
                                + panelHeight
                                + " pixels; need at least 200 x 200");
            }
        }

        /**
         * Returns the paper's settings: noise 0, 0.05 and 0.1 of the data scale; 1000 dense times;
         * 4 curves in panels of 360 x 340 pixels; progress on standard output.
         */
        public static Options defaults() {
            return new Options(42, 43, 44, List.of(0.0, 0.05, 0.1), 1000, 4, 360, 340, System.out);
        }

        /** Returns these settings with other noise levels. */
        public Options withNoiseLevels(List<Double> levels) {
            return new Options(
                    splitSeed,
                    noiseSeed,
                    fitSeed,
                    levels,
                    densePoints,
                    plottedCurves,
                    panelWidth,
                    panelHeight,
                    out);
        }

        /** Returns these settings with other seeds. */
        public Options withSeeds(long split, long noise, long fit) {
            return new Options(
                    split,
                    noise,
                    fit,
                    noiseLevels,
                    densePoints,
                    plottedCurves,
                    panelWidth,
                    panelHeight,
                    out);
        }

        /** Returns these settings printing progress elsewhere. */
        public Options withOut(PrintStream stream) {
            return new Options(
                    splitSeed,
                    noiseSeed,
                    fitSeed,
                    noiseLevels,
                    densePoints,
                    plottedCurves,
                    panelWidth,
                    panelHeight,
                    stream);
        }
    }

    /**
     * Runs linear and cubic-spline interpolation on the shared spirals with the default settings.
     *
     * @param args the output folder, default {@code cst-output/spirals}
     * @throws IOException if the data cannot be read or the results cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path outDir = Path.of(args.length > 0 ? args[0] : "cst-output/spirals");
        run(outDir, List.of(new LinearInterpolator(), new CubicSplineInterpolator()));
    }

    /**
     * Runs the benchmark on the shared spirals ({@link SpiralsDataset#load()}) with the default
     * settings.
     *
     * @param outDir where to write the table and the pictures; created if needed
     * @param methods the methods, with distinct names, at least one
     * @throws IOException if the data cannot be read or the results cannot be written
     */
    public static SpiralsResults run(Path outDir, List<Interpolator> methods) throws IOException {
        return run(SpiralsDataset.load(), outDir, methods, Options.defaults());
    }

    /**
     * Runs the benchmark.
     *
     * @param data the curves
     * @param outDir where to write the table and the pictures; created if needed
     * @param methods the methods, with distinct names, at least one
     * @param options the settings
     * @return the measurements and the paths written
     * @throws IOException if the results cannot be written
     * @throws IllegalArgumentException if there is no method or two share a name
     * @throws IllegalStateException if a method returns the wrong number of curves, points or
     *     coordinates
     */
    public static SpiralsResults run(
            SpiralsDataset data, Path outDir, List<Interpolator> methods, Options options)
            throws IOException {
        checkMethods(methods);
        PrintStream out = options.out();
        Files.createDirectories(outDir);
        double[] dense = SpiralsMetrics.evenlySpaced(0, 1, options.densePoints());
        List<SpiralsResults.Entry> entries = new ArrayList<>();
        List<Plot> curvePanels = new ArrayList<>();
        SpiralSplit split = null;
        out.printf(
                Locale.ROOT,
                "spirals: %d curves from %s, %d methods, noise levels %s%n",
                data.curveCount(),
                data.source(),
                methods.size(),
                options.noiseLevels());

        for (double level : options.noiseLevels()) {
            split = data.split(options.splitSeed(), level, options.noiseSeed());
            int shown = Math.min(options.plottedCurves(), split.test().size());
            double[][][][] denseShown = new double[methods.size()][][][];
            for (int m = 0; m < methods.size(); m++) {
                Interpolator method = methods.get(m);
                Measured measured = measure(method, split, dense, options);
                entries.add(measured.entry);
                denseShown[m] = measured.dense.subList(0, shown).toArray(new double[0][][]);
                out.printf(
                        Locale.ROOT,
                        "spirals: noise=%.2f method=%s error=%.4f +/- %.4f smoothness=%.4f"
                                + " fit=%d ms predict=%d ms%n",
                        level,
                        method.name(),
                        measured.entry.meanError(),
                        measured.entry.errorStd(),
                        measured.entry.meanSecondDifferenceVariation(),
                        measured.entry.fitMillis(),
                        measured.entry.predictMillis());
            }
            for (int c = 0; c < shown; c++) {
                curvePanels.add(curvePanel(split, c, methods, dense, denseShown));
            }
        }

        // pictures, then the table that shows them
        Path curvesPicture = outDir.resolve(CURVES_FILE);
        Plot.writePng(
                Plot.renderWithLegendStrip(
                        curvePanels,
                        curvePanels.size() / options.noiseLevels().size(),
                        options.panelWidth(),
                        options.panelHeight()),
                curvesPicture);
        Path errorsPicture = outDir.resolve(ERRORS_FILE);
        Plot.writePng(
                Plot.render(
                        errorPanels(entries, methods, options.noiseLevels()),
                        options.noiseLevels().size(),
                        options.panelWidth(),
                        options.panelHeight()),
                errorsPicture);
        Path table = outDir.resolve(TABLE_FILE);
        SpiralsResults results =
                new SpiralsResults(
                        data.source(),
                        options.splitSeed(),
                        split.train().size(),
                        split.test().size(),
                        split.observedIndices().length,
                        split.targetIndices().length,
                        data.dataScale(),
                        options.densePoints(),
                        entries,
                        table,
                        curvesPicture,
                        errorsPicture);
        Files.writeString(table, results.toMarkdown(), StandardCharsets.UTF_8);
        out.printf(
                Locale.ROOT,
                "spirals: wrote %s, %s and %s%n",
                table,
                curvesPicture.getFileName(),
                errorsPicture.getFileName());
        return results;
    }

    private record Measured(SpiralsResults.Entry entry, List<double[][]> dense) {}

    private static Measured measure(
            Interpolator method, SpiralSplit split, double[] dense, Options options) {
        String prefix = String.format(Locale.ROOT, "spirals: %s fit", method.name());
        long start = System.nanoTime();
        method.fit(split, options.fitSeed(), Progress.printingTo(options.out(), prefix));
        long fitMillis = (System.nanoTime() - start) / 1_000_000;

        double[] targetTimes = split.targetTimes();
        List<Interpolator.Query> targets = new ArrayList<>();
        List<Interpolator.Query> denseQueries = new ArrayList<>();
        for (SpiralSplit.Curve curve : split.test()) {
            targets.add(split.query(curve, targetTimes));
            denseQueries.add(split.query(curve, dense));
        }
        start = System.nanoTime();
        List<double[][]> atTargets = checked(method, targets, method.predictAll(targets));
        List<double[][]> atDense = checked(method, denseQueries, method.predictAll(denseQueries));
        long predictMillis = (System.nanoTime() - start) / 1_000_000;

        double[] errors = new double[split.test().size()];
        double[] variation = new double[errors.length];
        for (int c = 0; c < errors.length; c++) {
            double[][] truth = split.test().get(c).valuesAt(split.targetIndices());
            errors[c] = SpiralsMetrics.meanPointError(atTargets.get(c), truth);
            variation[c] = SpiralsMetrics.secondDifferenceVariation(atDense.get(c));
        }
        SpiralsResults.Entry entry =
                new SpiralsResults.Entry(
                        method.name(),
                        split.noiseFraction(),
                        SpiralsMetrics.mean(errors),
                        SpiralsMetrics.standardDeviation(errors),
                        errors,
                        SpiralsMetrics.mean(variation),
                        fitMillis,
                        predictMillis);
        return new Measured(entry, atDense);
    }

    private static List<double[][]> checked(
            Interpolator method, List<Interpolator.Query> queries, List<double[][]> answers) {
        if (answers.size() != queries.size()) {
            throw new IllegalStateException(
                    method.name()
                            + ": predictAll returned "
                            + answers.size()
                            + " results for "
                            + queries.size()
                            + " queries");
        }
        for (int i = 0; i < answers.size(); i++) {
            double[][] a = answers.get(i);
            Interpolator.Query q = queries.get(i);
            boolean rowsMatch = a.length == q.queryTimes().length;
            for (int r = 0; rowsMatch && r < a.length; r++) {
                rowsMatch = a[r].length == q.dimensions();
            }
            if (!rowsMatch) {
                throw new IllegalStateException(
                        method.name()
                                + ": result "
                                + i
                                + " has the wrong shape; need "
                                + q.queryTimes().length
                                + " rows of "
                                + q.dimensions()
                                + " coordinates");
            }
        }
        return answers;
    }

    private static void checkMethods(List<Interpolator> methods) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("methods is empty; need 1 or more");
        }
        Set<String> names = new HashSet<>();
        for (Interpolator m : methods) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException(
                        "two methods are named '" + m.name() + "'; names must be distinct");
            }
        }
    }

    private static Plot curvePanel(
            SpiralSplit split,
            int curve,
            List<Interpolator> methods,
            double[] dense,
            double[][][][] denseShown) {
        SpiralSplit.Curve c = split.test().get(curve);
        Plot p =
                new Plot(
                        String.format(
                                Locale.ROOT,
                                "curve %d, noise %.2f",
                                c.index(),
                                split.noiseFraction()),
                        "x",
                        "y");
        p.equalAspect();
        p.line(column(c.values(), 0), column(c.values(), 1), TRUTH, 1.2f, "truth");
        for (int m = 0; m < methods.size(); m++) {
            double[][] out = denseShown[m][curve];
            p.line(column(out, 0), column(out, 1), color(m), 1.6f, methods.get(m).name());
        }
        p.points(column(c.observed(), 0), column(c.observed(), 1), OBSERVED, 7f, "observed");
        return p;
    }

    private static List<Plot> errorPanels(
            List<SpiralsResults.Entry> entries, List<Interpolator> methods, List<Double> levels) {
        double max = 0;
        for (SpiralsResults.Entry e : entries) {
            for (double v : e.curveErrors()) {
                max = Math.max(max, v);
            }
        }
        List<Plot> panels = new ArrayList<>();
        for (double level : levels) {
            Plot p =
                    new Plot(
                            String.format(Locale.ROOT, "noise %.2f x data scale", level),
                            "method",
                            "mean error per point (data units)");
            p.yRange(0, max > 0 ? max * 1.08 : 1);
            for (int m = 0; m < methods.size(); m++) {
                String name = methods.get(m).name();
                for (SpiralsResults.Entry e : entries) {
                    if (e.method().equals(name) && e.noiseFraction() == level) {
                        p.box(name, e.curveErrors(), lighter(color(m)));
                    }
                }
            }
            panels.add(p);
        }
        return panels;
    }

    private static Color color(int method) {
        return METHOD_COLORS[method % METHOD_COLORS.length];
    }

    private static Color lighter(Color c) {
        return new Color(
                (c.getRed() + 2 * 255) / 3,
                (c.getGreen() + 2 * 255) / 3,
                (c.getBlue() + 2 * 255) / 3);
    }

    private static double[] column(double[][] rows, int d) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i][d];
        }
        return out;
    }
}
