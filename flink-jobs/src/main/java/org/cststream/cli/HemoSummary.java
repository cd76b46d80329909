package org.cststream.cli;

import java.util.Locale;

/**
 * What a local run did with two channels: the channel assignment, the correction, and, for a
 * phantom, how close the corrected frames came to its neural truth.
 *
 * @param method the correction (lower case)
 * @param isosbestic label of the isosbestic channel
 * @param correctedFrames distinct calcium frames that came out corrected
 * @param swaps channel swaps the job found and corrected
 * @param uncheckedOrder true if the start-of-session check of the channels was inconclusive or
 *     found the tags suspect
 * @param calibratedAt counter of the first calibrated frame, or -1
 * @param pixels brain pixels compared with the truth (0 without a truth)
 * @param framesCompared corrected frames compared with the truth, after calibration
 * @param correctedCorrelation median over pixels of the correlation of the corrected frames with
 *     the truth (NaN without a truth)
 * @param uncorrectedCorrelation the same for the uncorrected calcium dF/F
 */
public record HemoSummary(
        String method,
        String isosbestic,
        long correctedFrames,
        long swaps,
        boolean uncheckedOrder,
        long calibratedAt,
        int pixels,
        long framesCompared,
        double correctedCorrelation,
        double uncorrectedCorrelation) {

    /** Returns the summary's lines, in the style of {@link RunReport#format}. */
    String format() {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "channels         isosbestic %s; %d swap(s) found and corrected%s%n",
                        isosbestic,
                        swaps,
                        uncheckedOrder
                                ? "; the channel check raised a doubt (see the channel-check"
                                        + " event)"
                                : ""));
        s.append(
                String.format(
                        Locale.ROOT,
                        "correction       %s, %d calcium frames corrected, calibrated %s%n",
                        method,
                        correctedFrames,
                        calibratedAt >= 0 ? "from camera frame " + calibratedAt : "not yet"));
        if (pixels > 0) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "vs truth         median per-pixel correlation with the phantom's"
                                + " neural signal (%d brain%n                 pixels, the %d"
                                + " calcium frames after the first --calibration-frames): corrected"
                                + " %.3f, uncorrected dF/F %.3f%n",
                            pixels,
                            framesCompared,
                            correctedCorrelation,
                            uncorrectedCorrelation));
        }
        return s.toString();
    }
}
