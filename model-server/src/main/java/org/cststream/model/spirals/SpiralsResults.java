package org.cststream.model.spirals;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What one {@link SpiralsBenchmark} run measured, and where it wrote its table and pictures.
 *
 * @param source where the curves came from
 * @param splitSeed the seed of the 70/30 split
 * @param trainCurves curves in the training part
 * @param testCurves held-out curves, each scored
 * @param observedPoints observed points per curve
 * @param targetPoints interpolation targets per curve
 * @param dataScale the data scale that noise levels are fractions of
 * @param densePoints the times on {@code [0, 1]} of the smoothness measure
 * @param entries one per noise level and method, noise levels in the order run, methods in the
 *     order given
 * @param table the Markdown table
 * @param curvesPicture the picture of a few held-out curves and each method's output
 * @param errorsPicture the box plots of the error per curve
 */
public record SpiralsResults(
        String source,
        long splitSeed,
        int trainCurves,
        int testCurves,
        int observedPoints,
        int targetPoints,
        double dataScale,
        int densePoints,
        List<Entry> entries,
        Path table,
        Path curvesPicture,
        Path errorsPicture) {

    /** Makes the entry list unmodifiable. */
    public SpiralsResults {
        entries = List.copyOf(entries);
    }

    /**
     * One method at one noise level.
     *
     * @param method the method's name
     * @param noiseFraction the noise on the observed points, as a fraction of the data scale
     * @param meanError the mean over held-out curves of each curve's mean error per target point
     *     (Euclidean distance, data units)
     * @param errorStd the population standard deviation of those per-curve errors
     * @param curveErrors the per-curve errors, in the split's order of held-out curves
     * @param meanSecondDifferenceVariation the smoothness measure averaged over held-out curves,
     *     see {@link SpiralsMetrics#secondDifferenceVariation}; lower is smoother
     * @param fitMillis time spent in {@link Interpolator#fit}, milliseconds
     * @param predictMillis time spent in {@link Interpolator#predictAll}, milliseconds
     */
    public record Entry(
            String method,
            double noiseFraction,
            double meanError,
            double errorStd,
            double[] curveErrors,
            double meanSecondDifferenceVariation,
            long fitMillis,
            long predictMillis) {}

    /**
     * Returns the entry of a method at a noise level.
     *
     * @throws IllegalArgumentException if the run has no such entry
     */
    public Entry entry(String method, double noiseFraction) {
        return entries.stream()
                .filter(e -> e.method().equals(method) && e.noiseFraction() == noiseFraction)
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "no result for method '"
                                                + method
                                                + "' at noise "
                                                + noiseFraction));
    }

    /** Returns the results as a Markdown document: the protocol, the table, the pictures. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Spirals interpolation benchmark\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Data: `%s`. Split by curve with seed %d: %d training curves, %d held"
                                + " out. Each curve is observed at %d regularly spaced points;"
                                + " the other %d points are the interpolation targets.%n%n",
                        source,
                        splitSeed,
                        trainCurves,
                        testCurves,
                        observedPoints,
                        targetPoints));
        md.append(
                String.format(
                        Locale.ROOT,
                        "- **noise**: Gaussian noise on the observed points with standard"
                                + " deviation = level x data scale; data scale = standard deviation"
                                + " of all values = %.4f.%n",
                        dataScale));
        md.append(
                "- **error**: per held-out curve, the mean over its target points of the"
                        + " Euclidean distance between estimate and truth (data units); mean"
                        + " +/- standard deviation over the held-out curves.\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "- **smoothness**: per held-out curve, the output at %d evenly spaced"
                                + " times on [0, 1], sum of |y[i+1] - 2 y[i] + y[i-1]| over the"
                                + " times and coordinates; mean over the held-out curves; lower"
                                + " is smoother. It is the time step times the total variation of"
                                + " the slope, so a polyline's corners count only by their change"
                                + " of slope.%n%n",
                        densePoints));
        md.append(
                "| method | noise | error (mean +/- std) | smoothness (TV of 2nd diff) | fit s |"
                        + " predict s |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (Entry e : entries) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.2f | %.4f +/- %.4f | %.4f | %.1f | %.2f |%n",
                            e.method(),
                            e.noiseFraction(),
                            e.meanError(),
                            e.errorStd(),
                            e.meanSecondDifferenceVariation(),
                            e.fitMillis() / 1000.0,
                            e.predictMillis() / 1000.0));
        }
        md.append(
                "\nThe paper, without noise: CST 0.0386 +/- 0.0101, BERT-style Transformer"
                        + " 0.0433 +/- 0.0075.\n\n");
        md.append("![held-out curves](")
                .append(curvesPicture.getFileName())
                .append(")\n\n![error per curve](")
                .append(errorsPicture.getFileName())
                .append(")\n");
        return md.toString();
    }
}
