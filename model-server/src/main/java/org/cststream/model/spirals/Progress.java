package org.cststream.model.spirals;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Receives progress reports from a long step, such as an {@link Interpolator} training on the
 * training curves.
 */
@FunctionalInterface
public interface Progress {

    /**
     * Reports that {@code done} of {@code total} steps are finished.
     *
     * @param done steps finished so far, 0 or more
     * @param total steps in all, or 0 when not known in advance
     * @param message what was just done, e.g. {@code "epoch 3 validation loss 0.041"}; may be
     *     empty, never null
     */
    void report(long done, long total, String message);

    /** Returns a receiver that ignores every report. */
    static Progress silent() {
        return (done, total, message) -> {};
    }

    /**
     * Returns a receiver that prints one line per report.
     *
     * @param out where to print
     * @param prefix put before every line, e.g. the method's name
     */
    static Progress printingTo(PrintStream out, String prefix) {
        return (done, total, message) -> {
            String count = total > 0 ? done + "/" + total : Long.toString(done);
            out.println(String.format(Locale.ROOT, "%s %s %s", prefix, count, message).trim());
        };
    }
}
