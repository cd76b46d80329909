package org.cststream.cli;

import java.util.List;

/**
 * What one local run did, as printed in the summary and checked by tests.
 *
 * @param session the session id
 * @param framesIn frames the replay published
 * @param framesOut distinct frames that came out as dF/F frames (every channel)
 * @param duplicates frames that came out more than once (must be 0)
 * @param dropped frames the job found missing
 * @param injectedDrops frames the replay dropped on purpose
 * @param rejected records the job sent to the dead-letter topic
 * @param latencyP50Millis median host-receipt-to-consumable-output latency, ms
 * @param latencyP99Millis 99th percentile of the same, ms
 * @param elapsedSeconds wall time from the first frame sent to the last output read, s
 * @param topics the output topics
 * @param outputDir the .npy folder, or null
 * @param tokenFrames distinct frames that came out as patch tokens (with two channels: the
 *     corrected calcium frames)
 * @param hemo what the two-channel stages did, or null for a single channel
 * @param cst what the CST stage emitted, or null when it did not run
 */
public record RunReport(
        String session,
        long framesIn,
        long framesOut,
        int duplicates,
        long dropped,
        int injectedDrops,
        long rejected,
        double latencyP50Millis,
        double latencyP99Millis,
        double elapsedSeconds,
        List<String> topics,
        String outputDir,
        long tokenFrames,
        HemoSummary hemo,
        CstSummary cst) {

    /**
     * What the CST stage emitted.
     *
     * @param gridTimes grid times out, over the calcium channels
     * @param filled of which the CST filled (no frame was on them)
     * @param channels calcium channels whose grid was closed at the session's end
     * @param latencyP50Millis median time from the receipt of a window's newest frame to its grid
     *     times being readable on the filled topic, ms
     * @param latencyP99Millis the same, 99th percentile
     * @param decoded values decoded from windows (0 without a decoder)
     * @param target the decoder's target, or null without a decoder
     * @param matched decoded windows matched with a streamed label
     * @param liveMse mean squared error of the matched windows; NaN when none matched
     */
    public record CstSummary(
            long gridTimes,
            long filled,
            int channels,
            double latencyP50Millis,
            double latencyP99Millis,
            long decoded,
            String target,
            long matched,
            double liveMse) {
        String format() {
            String s =
                    String.format(
                            java.util.Locale.ROOT,
                            "cst              %d grid times on %d channel(s): %d observed, %d"
                                    + " filled by the CST; latency p50 %.1f ms, p99 %.1f ms"
                                    + " (newest frame's receipt to readable output)%n",
                            gridTimes,
                            channels,
                            gridTimes - filled,
                            filled,
                            latencyP50Millis,
                            latencyP99Millis);
            if (target != null) {
                s +=
                        String.format(
                                java.util.Locale.ROOT,
                                "decoded          %d window(s) of %s%s%n",
                                decoded,
                                target,
                                matched > 0
                                        ? String.format(
                                                java.util.Locale.ROOT,
                                                "; live MSE %.4g over %d window(s) matched with"
                                                        + " streamed labels",
                                                liveMse,
                                                matched)
                                        : "; no streamed label matched");
            }
            return s;
        }
    }

    /** Returns frames out per second of wall time. */
    public double framesPerSecond() {
        return elapsedSeconds > 0 ? framesOut / elapsedSeconds : 0;
    }

    /** Returns the human summary printed at the end of {@code cst run}. */
    public String format(String bootstrapServers, String metricsUrl) {
        StringBuilder s = new StringBuilder();
        s.append("\n== summary: session ").append(session).append(" ==\n");
        s.append(String.format("frames in        %d (published by the replay)%n", framesIn));
        s.append(
                String.format(
                        "frames out       %d (dF/F records, %d duplicates); %d as patch tokens%n",
                        framesOut, duplicates, tokenFrames));
        s.append(
                String.format(
                        "dropped          %d (found by the job; injected by the replay:" + " %d)%n",
                        dropped, injectedDrops));
        s.append(String.format("rejected         %d (sent to the dead-letter topic)%n", rejected));
        s.append(
                String.format(
                        "latency          p50 %.1f ms, p99 %.1f ms (host receipt to"
                                + " readable output)%n",
                        latencyP50Millis, latencyP99Millis));
        s.append(
                String.format(
                        "throughput       %.1f frames/s over %.1f s%n",
                        framesPerSecond(), elapsedSeconds));
        if (hemo != null) {
            s.append(hemo.format());
        }
        if (cst != null) {
            s.append(cst.format());
        }
        s.append("outputs          kafka ")
                .append(bootstrapServers)
                .append(" topics ")
                .append(String.join(", ", topics))
                .append('\n');
        if (outputDir != null) {
            s.append("                 dF/F frames as .npy under ").append(outputDir).append('\n');
        }
        if (metricsUrl != null) {
            s.append("metrics          ").append(metricsUrl).append('\n');
        }
        return s.toString();
    }
}
