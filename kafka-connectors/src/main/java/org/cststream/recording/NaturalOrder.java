package org.cststream.recording;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Orders file names the way a person reads frame numbers: runs of digits compare by value, so
 * {@code 2.npy} sorts before {@code 10.npy}, and {@code frame_9.tif} before {@code frame_10.tif}.
 */
final class NaturalOrder implements Comparator<String> {
    /** The one instance; the comparator has no state. */
    static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ei = endOfDigits(a, i);
                int ej = endOfDigits(b, j);
                int c = compareNumbers(a.substring(i, ei), b.substring(j, ej));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        // "007" and "7" are equal by value; fall back to plain order so the sort is total
        return c != 0 ? c : a.compareTo(b);
    }

    /**
     * Lists the regular files in a folder whose extension (lower case, no dot) passes the filter,
     * in natural order of their names.
     *
     * @throws IOException if the folder cannot be listed
     */
    static List<Path> list(Path folder, Predicate<String> extension) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> extension.test(ReaderSupport.extension(p)))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString(), INSTANCE))
                    .collect(Collectors.toList());
        }
    }

    /** Returns true for a lower-case extension in the given set. */
    static Predicate<String> anyOf(String... extensions) {
        List<String> set =
                Stream.of(extensions)
                        .map(e -> e.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toList());
        return set::contains;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int endOfDigits(String s, int start) {
        int e = start;
        while (e < s.length() && isDigit(s.charAt(e))) {
            e++;
        }
        return e;
    }

    private static int compareNumbers(String x, String y) {
        String a = stripZeros(x);
        String b = stripZeros(y);
        // digit strings of any length: the longer one is larger, else compare digit by digit
        int c = Integer.compare(a.length(), b.length());
        return c != 0 ? c : a.compareTo(b);
    }

    private static String stripZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') {
            k++;
        }
        return digits.substring(k);
    }
}
