package org.cststream.source.labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits CSV lines: comma-separated, fields optionally in double quotes ({@code ""} escapes). */
final class Csv {
    private Csv() {}

    /** Returns the fields of one line, trimmed; quoted fields keep inner spaces. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                // spaces before an opening quote are not part of the field
                if (cur.toString().isBlank()) {
                    cur.setLength(0);
                }
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                out.add(wasQuoted ? cur.toString() : cur.toString().trim());
                cur.setLength(0);
                wasQuoted = false;
            } else {
                cur.append(c);
            }
        }
        out.add(wasQuoted ? cur.toString() : cur.toString().trim());
        return out;
    }

    /** Returns the index of the first column whose name (case ignored) is one of {@code names}. */
    static int find(List<String> header, List<String> names) {
        for (int i = 0; i < header.size(); i++) {
            if (names.contains(header.get(i).trim().toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    /** Returns the value as a double, or null if it is not a number. */
    static Double number(String v) {
        try {
            return Double.valueOf(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Returns true for a line that carries nothing: blank or a {@code #} comment. */
    static boolean isSkipped(String line) {
        String t = line.trim();
        return t.isEmpty() || t.startsWith("#");
    }
}
