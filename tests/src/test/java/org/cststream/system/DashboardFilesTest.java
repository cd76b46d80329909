package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cststream.metrics.MetricNames;
import org.junit.jupiter.api.Test;

/**
 * The dashboards, their provisioning and the alert rules as files: stable unique uids, every panel
 * on the provisioned data source, known panel types, a layout within Grafana's 24 columns, every
 * metric a name of {@link MetricNames} (or Flink's, or the JVM's), and complete alert rules. That
 * the expressions return data is {@link MonitoringIT}'s part.
 */
class DashboardFilesTest {
    /** The uids links and bookmarks rely on; changing one breaks them. */
    private static final Map<String, String> UIDS =
            Map.of(
                    "rig-health.json", "cst-rig-health",
                    "processing.json", "cst-processing",
                    "model.json", "cst-model",
                    "decoding.json", "cst-decoding");

    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "text");
    private static final Pattern SUFFIX =
            Pattern.compile("(_total|_seconds|_bucket|_count|_sum|_max|_bytes)$");

    private final Path repo = Path.of(System.getProperty("cst.repo.dir", "..")).toAbsolutePath();

    private String provisionedUid() throws Exception {
        String yml =
                Files.readString(
                        repo.resolve("dashboards/grafana/provisioning/datasources/prometheus.yml"));
        Matcher m = Pattern.compile("\\buid:\\s*(\\S+)").matcher(yml);
        assertThat(m.find()).as("the data source has a uid").isTrue();
        return m.group(1);
    }

    @Test
    void everyDashboardHasItsStableUid() throws Exception {
        Map<String, String> found = new TreeMap<>();
        for (Path file : DashboardFiles.dashboards(repo)) {
            found.put(
                    file.getFileName().toString(), DashboardFiles.read(file).path("uid").asText());
        }

        assertThat(found).isEqualTo(new TreeMap<>(UIDS));
        assertThat(new HashSet<>(found.values())).hasSize(found.size());
    }

    @Test
    void everyPanelQueriesTheProvisionedDataSourceAndFitsTheGrid() throws Exception {
        String uid = provisionedUid();
        List<String> problems = new ArrayList<>();

        for (Path file : DashboardFiles.dashboards(repo)) {
            JsonNode d = DashboardFiles.read(file);
            assertThat(d.path("title").asText()).isNotBlank();
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : DashboardFiles.panels(d)) {
                String where = file.getFileName() + " panel '" + p.path("title").asText() + "'";
                String type = p.path("type").asText();
                if (!PANEL_TYPES.contains(type)) {
                    problems.add(where + ": unknown panel type " + type);
                }
                if (!ids.add(p.path("id").asInt())) {
                    problems.add(where + ": id " + p.path("id").asInt() + " used twice");
                }
                JsonNode g = p.path("gridPos");
                if (g.path("x").asInt() + g.path("w").asInt() > 24 || g.path("w").asInt() < 1) {
                    problems.add(where + ": gridPos " + g + " outside 24 columns");
                }
                if (type.equals("row") || type.equals("text")) {
                    continue;
                }
                if (!uid.equals(p.path("datasource").path("uid").asText())) {
                    problems.add(where + ": data source " + p.path("datasource") + ", not " + uid);
                }
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no query");
                }
                for (JsonNode t : p.path("targets")) {
                    if (!uid.equals(t.path("datasource").path("uid").asText())) {
                        problems.add(
                                where + " target " + t.path("refId").asText() + ": data source");
                    }
                    if (t.path("expr").asText().isBlank()) {
                        problems.add(where + " target " + t.path("refId").asText() + ": no expr");
                    }
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void everyMetricIsOneTheProjectOrFlinkOrTheJvmExports() throws Exception {
        Set<String> names = new HashSet<>();
        for (Field f : MetricNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && f.getType() == String.class
                    && !f.getName().startsWith("TAG_")) {
                names.add((String) f.get(null));
            }
        }
        List<DashboardFiles.Query> queries = new ArrayList<>(DashboardFiles.dashboardQueries(repo));
        queries.addAll(DashboardFiles.alertQueries(repo));
        List<String> unknown = new ArrayList<>();

        for (DashboardFiles.Query q : queries) {
            for (String metric : DashboardFiles.metrics(q.expr())) {
                if (metric.startsWith("flink_")
                        || metric.startsWith("jvm_")
                        || metric.startsWith("process_")) {
                    continue;
                }
                if (!isProjectMetric(metric, names)) {
                    unknown.add(q.where() + ": " + metric);
                }
            }
        }

        assertThat(unknown).as("metrics that no MetricNames constant names").isEmpty();
        assertThat(queries).hasSizeGreaterThan(40);
    }

    /** Strips the suffixes Micrometer's Prometheus registry adds, one at a time. */
    private static boolean isProjectMetric(String metric, Set<String> names) {
        String m = metric;
        while (true) {
            if (names.contains(m.replace('_', '.'))) {
                return true;
            }
            Matcher s = SUFFIX.matcher(m);
            if (!s.find()) {
                return false;
            }
            m = m.substring(0, s.start());
        }
    }

    @Test
    void everyAlertRuleHasASeverityAndASummary() throws Exception {
        String rules = Files.readString(repo.resolve("dashboards/alerts.yml"));
        String[] blocks = rules.split("\n      - alert: ");

        assertThat(blocks.length - 1).isEqualTo(DashboardFiles.alertQueries(repo).size());
        for (int i = 1; i < blocks.length; i++) {
            String name = blocks[i].lines().findFirst().orElse("");
            assertThat(blocks[i]).as("rule %s", name).contains("severity: ").contains("summary: ");
        }
    }

    @Test
    void theAlertRulesPassPromtool() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(promtool), "needs Debian's prometheus (promtool)");

        Process p =
                new ProcessBuilder(
                                promtool.toString(),
                                "check",
                                "rules",
                                repo.resolve("dashboards/alerts.yml").toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());

        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }
}
