package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml (and its GPU override) as Debian's {@code docker-compose config} reads it: it
 * validates, names the services of the stack, builds its images from Dockerfile targets that exist,
 * mounts files that are in the repository where the configuration files expect them, and scrapes
 * services that exist. No container runs here.
 */
class ComposeFileTest {
    private static final Path DOCKER_COMPOSE = Path.of("/usr/bin/docker-compose");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Host folders the user provides: a trained model and, for the GPU, a CUDA libtorch. */
    private static final Set<String> USER_PROVIDED = Set.of("models", "libtorch");

    private static final Path REPO =
            Path.of(System.getProperty("cst.repo.dir", "..")).toAbsolutePath().normalize();

    @BeforeAll
    static void needsDockerCompose() {
        Assumptions.assumeTrue(
                Files.isExecutable(DOCKER_COMPOSE),
                "needs Debian's docker-compose (apt-get install docker-compose; .ci/run installs"
                        + " it)");
    }

    private static String config(String... files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DOCKER_COMPOSE.toString()));
        for (String f : files) {
            cmd.add("-f");
            cmd.add(f);
        }
        cmd.add("config");
        Process p = new ProcessBuilder(cmd).directory(REPO.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("docker-compose config: %s", err).isZero();
        return out;
    }

    @Test
    void theStackValidatesWithItsServices() throws Exception {
        JsonNode compose = YAML.readTree(config("docker-compose.yml"));

        Set<String> services = new HashSet<>();
        compose.path("services").fieldNames().forEachRemaining(services::add);
        assertThat(services)
                .containsExactlyInAnyOrder(
                        "kafka",
                        "jobmanager",
                        "taskmanager",
                        "job-submit",
                        "model-server",
                        "prometheus",
                        "grafana");
        for (var s : iterable(compose.path("services"))) {
            for (JsonNode port : s.getValue().path("ports")) {
                assertThat(port.asText())
                        .as("%s publishes on loopback only", s.getKey())
                        .startsWith("127.0.0.1:");
            }
        }
    }

    @Test
    void everyImageIsBuiltFromADockerfileTarget() throws Exception {
        JsonNode compose = YAML.readTree(config("docker-compose.yml"));
        String dockerfile = Files.readString(REPO.resolve("Dockerfile"));
        Set<String> targets = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^FROM \\S+ AS (\\S+)").matcher(dockerfile);
        while (m.find()) {
            targets.add(m.group(1));
        }
        Set<String> built = new HashSet<>();

        for (var s : iterable(compose.path("services"))) {
            JsonNode build = s.getValue().path("build");
            if (!build.isMissingNode()) {
                assertThat(targets)
                        .as("%s's build target", s.getKey())
                        .contains(build.path("target").asText());
                built.add(s.getValue().path("image").asText());
            }
        }
        for (var s : iterable(compose.path("services"))) {
            String image = s.getValue().path("image").asText();
            if (image.startsWith("cst-stream/")) {
                assertThat(built)
                        .as("%s uses %s: built by a service", s.getKey(), image)
                        .contains(image);
            }
        }
        assertThat(targets).contains("cst", "flink");
    }

    @Test
    void mountedFilesAreInTheRepositoryWhereTheirConfigurationExpectsThem() throws Exception {
        JsonNode compose = YAML.readTree(config("docker-compose.yml"));
        List<String> missing = new ArrayList<>();
        String grafanaDashboards = null;
        String prometheusRules = null;

        for (var s : iterable(compose.path("services"))) {
            for (JsonNode v : s.getValue().path("volumes")) {
                String[] parts = v.asText().split(":");
                if (!parts[0].startsWith("/")) {
                    continue; // a named volume
                }
                Path host = Path.of(parts[0]);
                String first = REPO.relativize(host).getName(0).toString();
                if (!USER_PROVIDED.contains(first) && !Files.exists(host)) {
                    missing.add(s.getKey() + ": " + host);
                }
                if (parts[1].equals("/var/lib/grafana/dashboards/cst")) {
                    grafanaDashboards = REPO.relativize(host).toString();
                }
                if (parts[1].equals("/etc/prometheus/alerts.yml")) {
                    prometheusRules = REPO.relativize(host).toString();
                }
            }
        }

        assertThat(missing).isEmpty();
        assertThat(grafanaDashboards).isEqualTo("dashboards/grafana/dashboards");
        assertThat(prometheusRules).isEqualTo("dashboards/alerts.yml");
        assertThat(
                        Files.readString(
                                REPO.resolve("dashboards/grafana/provisioning/dashboards/cst.yml")))
                .contains("path: /var/lib/grafana/dashboards/cst");
        assertThat(Files.readString(REPO.resolve("dashboards/prometheus-compose.yml")))
                .contains("- /etc/prometheus/alerts.yml");
    }

    @Test
    void prometheusScrapesServicesOfTheStackOnThePortsTheyServe() throws Exception {
        JsonNode compose = YAML.readTree(config("docker-compose.yml"));
        String prometheus = Files.readString(REPO.resolve("dashboards/prometheus-compose.yml"));
        String flinkProperties =
                compose.path("services")
                        .path("jobmanager")
                        .path("environment")
                        .path("FLINK_PROPERTIES")
                        .asText();
        String submit = compose.path("services").path("job-submit").path("command").toString();
        String server = compose.path("services").path("model-server").path("command").toString();
        Map<String, String> ports =
                Map.of(
                        "9464", submit.contains("--metrics.port 9464") ? "metrics.port" : "",
                        "9249",
                                flinkProperties.contains("metrics.reporter.prom.port: 9249")
                                        ? "reporter"
                                        : "",
                        "9470", server.contains("\"9470\"") ? "server" : "");
        Matcher m = Pattern.compile("\"([a-z-]+):(\\d+)\"").matcher(prometheus);
        int targets = 0;

        while (m.find()) {
            targets++;
            assertThat(compose.path("services").has(m.group(1)))
                    .as("service %s", m.group(1))
                    .isTrue();
            assertThat(ports.get(m.group(2))).as("port %s is served", m.group(2)).isNotBlank();
        }

        assertThat(targets).isEqualTo(4);
    }

    @Test
    void theGpuOverrideReservesAGpuForTheModelServer() throws Exception {
        JsonNode compose = YAML.readTree(config("docker-compose.yml", "docker-compose.gpu.yml"));

        JsonNode devices =
                compose.path("services")
                        .path("model-server")
                        .path("deploy")
                        .path("resources")
                        .path("reservations")
                        .path("devices");
        assertThat(devices).hasSize(1);
        assertThat(devices.get(0).path("driver").asText()).isEqualTo("nvidia");
        assertThat(devices.get(0).path("capabilities").toString()).contains("gpu");
        assertThat(
                        compose.path("services")
                                .path("model-server")
                                .path("environment")
                                .has("PYTORCH_LIBRARY_PATH"))
                .isTrue();
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
        return node::fields;
    }
}
