package org.cststream.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven through Debian's {@code chromedriver} with the W3C WebDriver protocol
 * (JSON over HTTP, no client library): open a page, run a script in it, take a screenshot.
 */
final class WebDriverSession implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcess driver;
    private final URI base;
    private final String sessionId;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebDriverSession(ChildProcess driver, URI base, String sessionId) {
        this.driver = driver;
        this.base = base;
        this.sessionId = sessionId;
    }

    /** Returns whether Debian's chromium and chromedriver are installed. */
    static boolean isAvailable() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Starts chromedriver on a free loopback port and a headless Chromium session. */
    static WebDriverSession start(Path workDir) throws Exception {
        int port = ChildProcess.freePort();
        ChildProcess driver =
                ChildProcess.start(
                        "chromedriver",
                        List.of(
                                CHROMEDRIVER.toString(),
                                "--port=" + port,
                                "--allowed-ips=127.0.0.1"),
                        Map.of(),
                        workDir.resolve("chromedriver.log"));
        try {
            driver.awaitLog(Pattern.compile("started successfully"), Duration.ofSeconds(30));
            URI base = URI.create("http://127.0.0.1:" + port);
            Map<String, Object> chrome =
                    Map.of(
                            "binary",
                            CHROMIUM.toString(),
                            "args",
                            List.of(
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-quic",
                                    "--no-first-run",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--disable-dev-shm-usage",
                                    "--window-size=1280,900",
                                    "--user-data-dir="
                                            + Files.createTempDirectory(
                                                    workDir, "chromium-profile")));
            Map<String, Object> body =
                    Map.of(
                            "capabilities",
                            Map.of(
                                    "alwaysMatch",
                                    Map.of("browserName", "chrome", "goog:chromeOptions", chrome)));
            JsonNode created = post(HttpClient.newHttpClient(), base.resolve("/session"), body);
            return new WebDriverSession(
                    driver, base, created.path("value").path("sessionId").asText());
        } catch (Exception e) {
            driver.close();
            throw e;
        }
    }

    private static JsonNode post(HttpClient http, URI uri, Object body) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(60))
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(
                    "WebDriver " + uri.getPath() + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private URI session(String path) {
        return base.resolve("/session/" + sessionId + path);
    }

    /** Opens {@code url} and waits for it to load. */
    void open(URI url) throws Exception {
        post(http, session("/url"), Map.of("url", url.toString()));
    }

    /** Runs {@code script} (a function body; {@code return} gives the value) in the page. */
    JsonNode execute(String script) throws Exception {
        return post(http, session("/execute/sync"), Map.of("script", script, "args", List.of()))
                .path("value");
    }

    /** Saves a screenshot of the page as PNG. */
    void screenshot(Path file) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(session("/screenshot"))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        String b64 = JSON.readTree(r.body()).path("value").asText();
        Files.write(file, Base64.getDecoder().decode(b64));
    }

    @Override
    public void close() throws Exception {
        try {
            http.send(
                    HttpRequest.newBuilder(base.resolve("/session/" + sessionId))
                            .timeout(Duration.ofSeconds(30))
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } finally {
            driver.close();
        }
    }
}
