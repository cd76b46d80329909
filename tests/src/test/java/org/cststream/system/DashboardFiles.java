package org.cststream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the dashboards ({@code dashboards/grafana/dashboards/*.json}) and alert rules ({@code
 * dashboards/alerts.yml}) for the tests: every PromQL expression with where it is and the labels
 * its legend or annotations name, and every dashboard variable.
 */
final class DashboardFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");
    private static final Pattern ANNOTATION_LABEL = Pattern.compile("\\$labels\\.(\\w+)");
    private static final Pattern METRIC =
            Pattern.compile("\\b((?:cst|flink|jvm|process)_[A-Za-z0-9_]+)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\(\\s*([A-Za-z0-9_:]+)\\s*,\\s*(\\w+)\\s*\\)");
    // a comparison between spaces, not already a bool comparison
    private static final Pattern COMPARISON = Pattern.compile(" (==|!=|>=|<=|>|<) (?!bool )");

    /** The rate window the tests put in for Grafana's {@code $__rate_interval}. */
    static final String RATE_INTERVAL = "5m";

    private DashboardFiles() {}

    /**
     * One expression.
     *
     * @param where file, panel or rule, and target, for messages
     * @param expr as written
     * @param evaluable with Grafana's variables filled in and comparisons made {@code bool}, so
     *     that it returns a value for every series whether or not an alert would fire
     * @param labels labels the legend or the annotations name; every series must have them
     */
    record Query(String where, String expr, String evaluable, List<String> labels) {}

    /** A dashboard variable whose values come from {@code label_values(metric, label)}. */
    record Variable(String where, String metric, String label) {}

    static Path dashboardsDir(Path repo) {
        return repo.resolve("dashboards/grafana/dashboards");
    }

    /** Returns the dashboard files, sorted by name. */
    static List<Path> dashboards(Path repo) throws IOException {
        try (Stream<Path> files = Files.list(dashboardsDir(repo))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** Returns every panel of a dashboard, rows' nested panels included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            for (JsonNode nested : p.path("panels")) {
                out.add(nested);
            }
        }
        return out;
    }

    /** Fills in Grafana's variables as a test evaluates them: every session, a 5-minute rate. */
    static String fillVariables(String expr) {
        return expr.replace("$__rate_interval", RATE_INTERVAL).replace("$session", ".*");
    }

    static List<Query> dashboardQueries(Path repo) throws IOException {
        List<Query> out = new ArrayList<>();
        for (Path file : dashboards(repo)) {
            for (JsonNode panel : panels(read(file))) {
                for (JsonNode t : panel.path("targets")) {
                    String expr = t.path("expr").asText();
                    List<String> labels = new ArrayList<>();
                    Matcher m = LEGEND_LABEL.matcher(t.path("legendFormat").asText());
                    while (m.find()) {
                        labels.add(m.group(1));
                    }
                    out.add(
                            new Query(
                                    file.getFileName()
                                            + " panel '"
                                            + panel.path("title").asText()
                                            + "' target "
                                            + t.path("refId").asText(),
                                    expr,
                                    fillVariables(expr),
                                    labels));
                }
            }
        }
        return out;
    }

    /** Returns each alert rule's expression, with the labels its annotations name. */
    static List<Query> alertQueries(Path repo) throws IOException {
        List<Query> out = new ArrayList<>();
        String name = null;
        String expr = null;
        Set<String> labels = new LinkedHashSet<>();
        for (String line : Files.readAllLines(repo.resolve("dashboards/alerts.yml"))) {
            String trimmed = line.trim();
            if (trimmed.startsWith("- alert:")) {
                if (name != null) {
                    out.add(alert(name, expr, labels));
                }
                name = trimmed.substring("- alert:".length()).trim();
                expr = null;
                labels = new LinkedHashSet<>();
            } else if (trimmed.startsWith("expr:")) {
                expr = trimmed.substring("expr:".length()).trim();
            } else {
                Matcher m = ANNOTATION_LABEL.matcher(trimmed);
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
        }
        if (name != null) {
            out.add(alert(name, expr, labels));
        }
        return out;
    }

    private static Query alert(String name, String expr, Set<String> labels) {
        if (expr == null) {
            throw new IllegalStateException("alert rule " + name + " has no one-line expr");
        }
        return new Query(
                "alerts.yml rule " + name,
                expr,
                COMPARISON.matcher(fillVariables(expr)).replaceAll(" $1 bool "),
                new ArrayList<>(labels));
    }

    /** Returns the dashboards' query variables. */
    static List<Variable> variables(Path repo) throws IOException {
        List<Variable> out = new ArrayList<>();
        for (Path file : dashboards(repo)) {
            for (JsonNode v : read(file).path("templating").path("list")) {
                if (!"query".equals(v.path("type").asText())) {
                    continue;
                }
                String q = v.path("query").path("query").asText(v.path("query").asText());
                Matcher m = LABEL_VALUES.matcher(q);
                if (!m.matches()) {
                    throw new IllegalStateException(
                            file.getFileName()
                                    + " variable "
                                    + v.path("name").asText()
                                    + ": only label_values(metric, label) is supported, was "
                                    + q);
                }
                out.add(
                        new Variable(
                                file.getFileName() + " variable " + v.path("name").asText(),
                                m.group(1),
                                m.group(2)));
            }
        }
        return out;
    }

    /** Returns the metric names an expression reads. */
    static Set<String> metrics(String expr) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
