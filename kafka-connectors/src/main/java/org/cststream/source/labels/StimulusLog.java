package org.cststream.source.labels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a stimulus log or TTL event log: a CSV file with a header row. One column gives the onset
 * ({@code onset}, {@code time}, {@code t} or {@code timestamp}, in seconds; with a {@code _s},
 * {@code _ms} or {@code _us} suffix in that unit); an optional {@code duration} column (same units)
 * the duration. Every other column is kept as a field of the event, as a number when it parses as
 * one. Times are shifted by an offset onto the session clock.
 */
public final class StimulusLog {
    private static final List<String> ONSET =
            List.of("onset", "time", "t", "timestamp", "onset_s", "time_s", "t_s", "timestamp_s");
    private static final List<String> ONSET_MS = List.of("onset_ms", "time_ms", "t_ms");
    private static final List<String> ONSET_US = List.of("onset_us", "time_us", "t_us");
    private static final List<String> DURATION = List.of("duration", "duration_s");

    private final Path file;
    private final String session;
    private final String kind;
    private final long offsetNanos;
    private final List<String> header;
    private final int onsetColumn;
    private final double onsetScale;
    private final int durationColumn;
    private final double durationScale;

    /**
     * Reads the header row.
     *
     * @param file the log, for error messages
     * @param headerLine its first line that is not blank or a comment
     * @param session session id of every event
     * @param kind {@code stimulus} or {@code ttl}
     * @param offsetSeconds added to every time to put it on the session clock, seconds
     * @throws IllegalArgumentException if no onset column is found, naming the columns found
     */
    public StimulusLog(
            Path file, String headerLine, String session, String kind, double offsetSeconds) {
        this.file = file;
        this.session = session;
        this.kind = kind;
        this.offsetNanos = Math.round(offsetSeconds * 1e9);
        this.header = Csv.split(headerLine);
        int s = Csv.find(header, ONSET);
        int ms = Csv.find(header, ONSET_MS);
        int us = Csv.find(header, ONSET_US);
        if (s >= 0) {
            onsetColumn = s;
            onsetScale = 1e9;
        } else if (ms >= 0) {
            onsetColumn = ms;
            onsetScale = 1e6;
        } else if (us >= 0) {
            onsetColumn = us;
            onsetScale = 1e3;
        } else {
            throw new IllegalArgumentException(
                    file
                            + ": header has no onset column (one of "
                            + ONSET
                            + ", or with _ms/_us); columns found: "
                            + header);
        }
        int d = Csv.find(header, DURATION);
        int dms = Csv.find(header, List.of("duration_ms"));
        durationColumn = d >= 0 ? d : dms;
        durationScale = d >= 0 ? 1e9 : 1e6;
        if (!kind.equals("stimulus") && !kind.equals("ttl")) {
            throw new IllegalArgumentException("event kind must be stimulus or ttl, was " + kind);
        }
    }

    /**
     * Reads a whole log file: its header, then one event per data line (blank lines and {@code #}
     * comments skipped).
     *
     * @param kind {@code stimulus} or {@code ttl}
     * @param offsetSeconds added to every time to put it on the session clock, seconds
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and line of the first line that does not
     *     parse, or if the file has no header
     */
    public static List<StimulusEvent> readAll(
            Path file, String session, String kind, double offsetSeconds) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        StimulusLog log = null;
        List<StimulusEvent> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (Csv.isSkipped(line)) {
                continue;
            }
            if (log == null) {
                log = new StimulusLog(file, line, session, kind, offsetSeconds);
            } else {
                out.add(log.parse(line, i + 1, out.size()));
            }
        }
        if (log == null) {
            throw new IllegalArgumentException(file + ": empty, no header row");
        }
        return out;
    }

    /** Returns the column names of the log. */
    public List<String> columns() {
        return header;
    }

    /**
     * Parses one data line.
     *
     * @param lineNumber 1-based line number in the file, for error messages
     * @param index 0-based index of the event
     * @throws IllegalArgumentException naming the file, line and column when the line does not fit
     *     the header or its onset or duration is not a finite number
     */
    public StimulusEvent parse(String line, long lineNumber, long index) {
        List<String> cells = Csv.split(line);
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException(
                    file
                            + ":"
                            + lineNumber
                            + ": "
                            + cells.size()
                            + " fields but the header has "
                            + header.size());
        }
        long onset = time(cells, onsetColumn, onsetScale, lineNumber);
        long duration =
                durationColumn < 0 ? 0 : time(cells, durationColumn, durationScale, lineNumber);
        if (duration < 0) {
            throw new IllegalArgumentException(
                    file
                            + ":"
                            + lineNumber
                            + ": duration is negative ("
                            + cells.get(durationColumn)
                            + ")");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < cells.size(); i++) {
            if (i == onsetColumn || i == durationColumn) {
                continue;
            }
            Double n = Csv.number(cells.get(i));
            fields.put(header.get(i).trim(), n != null ? (Object) n : cells.get(i));
        }
        return new StimulusEvent(session, kind, index, onset + offsetNanos, duration, fields);
    }

    private long time(List<String> cells, int column, double scale, long lineNumber) {
        Double v = Csv.number(cells.get(column));
        if (v == null || !Double.isFinite(v)) {
            throw new IllegalArgumentException(
                    file
                            + ":"
                            + lineNumber
                            + ": column '"
                            + header.get(column)
                            + "' is '"
                            + cells.get(column)
                            + "', not a finite number of "
                            + (scale == 1e9 ? "seconds" : scale == 1e6 ? "ms" : "us"));
        }
        return Math.round(v * scale);
    }

    @Override
    public String toString() {
        return "stimulus-log "
                + file
                + " kind="
                + kind.toLowerCase(Locale.ROOT)
                + " columns="
                + header;
    }
}
