package org.cststream.recording;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Frame number and time of a TIFF page, read from the text its acquisition software left in the
 * file. Three layouts are understood:
 *
 * <ul>
 *   <li><b>OME-TIFF</b>: OME-XML in the first page's ImageDescription; page {@code i} takes the
 *       {@code i}-th {@code Plane} element: its {@code TheT} is the frame number and {@code DeltaT}
 *       (unit {@code DeltaTUnit}, seconds by default) the time from the start.
 *   <li><b>Text headers</b> as Hamamatsu's HCImage and similar programs write them: lines of {@code
 *       key = value} (or {@code key: value}) in the ImageDescription or a private ASCII tag. Keys
 *       are matched without case, spaces or underscores: {@code Time_From_Start}, {@code
 *       TimeFromStart}, {@code Elapsed Time}, {@code DeltaT} give the time ({@code hh:mm:ss.fff},
 *       {@code mm:ss.fff}, or a number with an optional unit {@code s}, {@code ms}, {@code us},
 *       {@code ns}; seconds without one); {@code Frame}, {@code Frame Number}, {@code Frame_Count},
 *       {@code FrameIndex} give the frame number.
 *   <li><b>ImageJ</b> stacks: {@code finterval} (seconds) times the page number gives the time.
 * </ul>
 *
 * @param frameNumber the frame number the software wrote, if any
 * @param timeFromStartNanos time of the frame from the start of acquisition, ns, if any
 * @param layout which layout supplied the values: {@code ome}, {@code text}, {@code imagej} or
 *     {@code none}
 */
public record TiffMetadata(
        OptionalLong frameNumber, OptionalLong timeFromStartNanos, String layout) {
    /** Metadata of a page that carries none. */
    public static final TiffMetadata NONE =
            new TiffMetadata(OptionalLong.empty(), OptionalLong.empty(), "none");

    private static final Pattern KEY_VALUE =
            Pattern.compile("^\\s*([A-Za-z][A-Za-z0-9 _.\\-]*?)\\s*[=:]\\s*(.*?)\\s*$");
    private static final Pattern CLOCK = Pattern.compile("^(?:(\\d+):)?(\\d+):(\\d+(?:\\.\\d*)?)$");
    private static final Pattern NUMBER_UNIT =
            Pattern.compile("^([-+]?\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?)\\s*([a-zA-Zµ]*)$");
    private static final List<String> TIME_KEYS =
            List.of("timefromstart", "elapsedtime", "elapsed", "deltat", "relativetime");
    private static final List<String> FRAME_KEYS =
            List.of("frame", "framenumber", "frameno", "framecount", "frameindex", "framecounter");

    /**
     * Reads the metadata of page {@code page} from the text tags of that page and of the first page
     * (where OME-XML and ImageJ keep theirs).
     *
     * @param firstPageTexts ASCII tags of page 0, ImageDescription first
     * @param pageTexts ASCII tags of the page itself
     * @param page 0-based page number
     */
    static TiffMetadata of(List<String> firstPageTexts, List<String> pageTexts, int page) {
        for (String t : firstPageTexts) {
            String s = t.stripLeading();
            if (s.startsWith("<?xml") || s.startsWith("<OME")) {
                TiffMetadata ome = ome(s, page);
                if (ome != null) {
                    return ome;
                }
            }
        }
        for (String t : pageTexts) {
            TiffMetadata text = keyValues(t);
            if (text != null) {
                return text;
            }
        }
        for (String t : firstPageTexts) {
            if (t.startsWith("ImageJ=")) {
                TiffMetadata ij = imageJ(t, page);
                if (ij != null) {
                    return ij;
                }
            }
        }
        return NONE;
    }

    /**
     * Parses text of {@code key = value} lines; null if neither a time nor a frame key is found.
     */
    static TiffMetadata keyValues(String text) {
        OptionalLong time = OptionalLong.empty();
        OptionalLong frame = OptionalLong.empty();
        for (String line : text.split("\\r\\n|\\n|\\r")) {
            Matcher m = KEY_VALUE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String key = normalise(m.group(1));
            String value = m.group(2);
            if (time.isEmpty() && TIME_KEYS.contains(key)) {
                time = parseTimeNanos(value, "s");
            } else if (frame.isEmpty() && FRAME_KEYS.contains(key)) {
                try {
                    frame = OptionalLong.of(Long.parseLong(value.trim()));
                } catch (NumberFormatException e) {
                    // a frame "number" that is not one is ignored, like an unknown key
                }
            }
        }
        if (time.isEmpty() && frame.isEmpty()) {
            return null;
        }
        return new TiffMetadata(frame, time, "text");
    }

    private static TiffMetadata ome(String xml, int page) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            NodeList planes =
                    b.parse(new InputSource(new StringReader(xml)))
                            .getElementsByTagNameNS("*", "Plane");
            if (page >= planes.getLength()) {
                return null;
            }
            Element plane = (Element) planes.item(page);
            OptionalLong frame = OptionalLong.empty();
            if (!plane.getAttribute("TheT").isEmpty()) {
                frame = OptionalLong.of(Long.parseLong(plane.getAttribute("TheT").trim()));
            }
            OptionalLong time = OptionalLong.empty();
            if (!plane.getAttribute("DeltaT").isEmpty()) {
                String unit = plane.getAttribute("DeltaTUnit");
                time = parseTimeNanos(plane.getAttribute("DeltaT"), unit.isEmpty() ? "s" : unit);
            }
            return new TiffMetadata(frame, time, "ome");
        } catch (Exception e) {
            // not well-formed OME-XML: the page simply has no metadata of this kind
            return null;
        }
    }

    private static TiffMetadata imageJ(String text, int page) {
        for (String line : text.split("\\n")) {
            if (line.startsWith("finterval=")) {
                try {
                    double seconds = Double.parseDouble(line.substring("finterval=".length()));
                    return new TiffMetadata(
                            OptionalLong.empty(),
                            OptionalLong.of(Math.round(page * seconds * 1e9)),
                            "imagej");
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Parses a time: {@code hh:mm:ss.fff}, {@code mm:ss.fff}, or a number with an optional unit.
     *
     * @param defaultUnit unit of a bare number: {@code s}, {@code ms}, {@code us} or {@code ns}
     */
    static OptionalLong parseTimeNanos(String value, String defaultUnit) {
        String v = value.trim();
        Matcher clock = CLOCK.matcher(v);
        if (clock.matches()) {
            double hours = clock.group(1) == null ? 0 : Double.parseDouble(clock.group(1));
            double minutes = Double.parseDouble(clock.group(2));
            double seconds = Double.parseDouble(clock.group(3));
            return OptionalLong.of(Math.round(((hours * 60 + minutes) * 60 + seconds) * 1e9));
        }
        Matcher n = NUMBER_UNIT.matcher(v);
        if (!n.matches()) {
            return OptionalLong.empty();
        }
        double number = Double.parseDouble(n.group(1));
        String unit = n.group(2).isEmpty() ? defaultUnit : n.group(2);
        double scale;
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "s":
            case "sec":
            case "secs":
            case "second":
            case "seconds":
                scale = 1e9;
                break;
            case "ms":
                scale = 1e6;
                break;
            case "us":
            case "µs":
                scale = 1e3;
                break;
            case "ns":
                scale = 1;
                break;
            case "min":
                scale = 60e9;
                break;
            case "h":
                scale = 3600e9;
                break;
            default:
                return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(number * scale));
    }

    private static String normalise(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : key.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Returns the texts of a page's tags, ImageDescription first. */
    static List<String> texts(TiffStructure.Page page) {
        List<String> out = new ArrayList<>();
        String d = page.description();
        if (!d.isEmpty()) {
            out.add(d);
        }
        page.texts()
                .forEach(
                        (tag, text) -> {
                            if (tag != 270 && !text.isEmpty()) {
                                out.add(text);
                            }
                        });
        return out;
    }
}
