package org.cststream.source.labels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cststream.recording.NpyFormat;

/**
 * Reads sampled behaviour traces (pupil, running wheel, whisking...) into samples on the session
 * clock: from a {@code .npy} array of shape {@code (traces, samples)} or {@code (samples, traces)}
 * with its sample times in a second {@code .npy} (seconds), or from a CSV file with a time column
 * ({@code time}, {@code t}, {@code timestamp}, seconds) and one column per trace.
 */
public final class BehaviourTraces {
    private static final List<String> TIME = List.of("time", "t", "timestamp", "time_s", "t_s");

    private BehaviourTraces() {}

    /**
     * Reads traces and times from {@code .npy} files.
     *
     * @param names trace names, one per trace; empty for {@code trace0}, {@code trace1}...
     * @param offsetSeconds added to every time to put it on the session clock, seconds
     * @throws IOException naming the file if the arrays cannot be read or do not fit together
     */
    public static List<BehaviourSample> fromNpy(
            Path traces, Path times, List<String> names, String session, double offsetSeconds)
            throws IOException {
        NpyFormat.Numbers t = NpyFormat.readNumbers(times);
        NpyFormat.Numbers x = NpyFormat.readNumbers(traces);
        if (t.shape().length != 1) {
            throw new IOException(
                    times + ": times must be one-dimensional (samples,), shape is " + shape(t));
        }
        int n = (int) t.shape()[0];
        long[] s = x.shape();
        boolean tracesFirst;
        if (s.length == 1 && s[0] == n) {
            s = new long[] {1, n};
            tracesFirst = true;
        } else if (s.length == 2 && s[1] == n) {
            tracesFirst = true;
        } else if (s.length == 2 && s[0] == n) {
            tracesFirst = false;
        } else {
            throw new IOException(
                    traces
                            + ": shape "
                            + shape(x)
                            + " has no axis of "
                            + n
                            + " samples, the length of "
                            + times);
        }
        int c = (int) (tracesFirst ? s[0] : s[1]);
        List<String> labels = labels(names, c, traces);
        List<BehaviourSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (int k = 0; k < c; k++) {
                values.put(labels.get(k), x.values()[tracesFirst ? k * n + i : i * c + k]);
            }
            out.add(
                    new BehaviourSample(
                            session, i, nanos(t.values()[i], offsetSeconds, times, i), values));
        }
        return out;
    }

    /**
     * Reads traces from a CSV file with a header row.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming file and line if a row does not fit
     */
    public static List<BehaviourSample> fromCsv(Path file, String session, double offsetSeconds)
            throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> header = null;
        int timeColumn = -1;
        List<BehaviourSample> out = new ArrayList<>();
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln);
            if (Csv.isSkipped(line)) {
                continue;
            }
            if (header == null) {
                header = Csv.split(line);
                timeColumn = Csv.find(header, TIME);
                if (timeColumn < 0) {
                    throw new IllegalArgumentException(
                            file
                                    + ": header has no time column (one of "
                                    + TIME
                                    + "); columns: "
                                    + header);
                }
                continue;
            }
            List<String> cells = Csv.split(line);
            if (cells.size() != header.size()) {
                throw new IllegalArgumentException(
                        file
                                + ":"
                                + (ln + 1)
                                + ": "
                                + cells.size()
                                + " fields but the header has "
                                + header.size());
            }
            Map<String, Double> values = new LinkedHashMap<>();
            double time = Double.NaN;
            for (int i = 0; i < cells.size(); i++) {
                Double v = Csv.number(cells.get(i));
                if (v == null) {
                    throw new IllegalArgumentException(
                            file
                                    + ":"
                                    + (ln + 1)
                                    + ": column '"
                                    + header.get(i)
                                    + "' is '"
                                    + cells.get(i)
                                    + "', not a number");
                }
                if (i == timeColumn) {
                    time = v;
                } else {
                    values.put(header.get(i), v);
                }
            }
            out.add(
                    new BehaviourSample(
                            session, out.size(), nanos(time, offsetSeconds, file, ln + 1), values));
        }
        return out;
    }

    private static long nanos(double seconds, double offset, Path where, long at) {
        if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException(where + ": time of sample " + at + " is " + seconds);
        }
        return Math.round((seconds + offset) * 1e9);
    }

    private static List<String> labels(List<String> names, int count, Path traces)
            throws IOException {
        if (names == null || names.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add("trace" + i);
            }
            return out;
        }
        if (names.size() != count) {
            throw new IOException(
                    traces
                            + " holds "
                            + count
                            + " trace(s) but "
                            + names.size()
                            + " name(s) were given: "
                            + names);
        }
        return names;
    }

    private static String shape(NpyFormat.Numbers a) {
        return java.util.Arrays.toString(a.shape());
    }
}
