package org.cststream.pictures;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.cststream.pictures.LatestPictures.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PictureServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private LatestPictures pictures;
    private PictureServer server;

    @BeforeEach
    void start() {
        pictures = new LatestPictures(4);
        server = PictureServer.start(pictures, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(server.url().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 7) - 3f;
        }
        return v;
    }

    @Test
    void aFrameIsServedAsAPngOfItsSizeTimesTheScale() throws Exception {
        pictures.offerFrame(Kind.CORRECTED, "s1", "470nm", 12, 0, false, 30, 20, ramp(600));

        HttpResponse<byte[]> r = get("/picture/corrected.png?scale=3");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(r.headers().firstValue("X-Cst-Counter")).hasValue("12");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(img.getWidth()).isEqualTo(90);
        assertThat(img.getHeight()).isEqualTo(60);
    }

    @Test
    void theAttentionMapOfAPatchSumsItsRowOverTheWindowsFrames() throws Exception {
        // 2 x 3 patches of 4 pixels; a window of two frames: 12 tokens per row
        float[][] rows = new float[6][12];
        rows[4][1] = 0.25f;
        rows[4][7] = 0.5f;
        rows[4][11] = 0.25f;
        pictures.offerAttention("s1", "470nm", 9, 2, 3, 4, rows);

        float[] map = pictures.attention("s1", "470nm").orElseThrow().map(4);
        HttpResponse<byte[]> r = get("/picture/attention.png?patch=4");

        assertThat(map).containsExactly(0, 0.75f, 0, 0, 0, 0.25f);
        assertThat(r.statusCode()).isEqualTo(200);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertThat(img.getWidth()).isEqualTo(12);
        assertThat(img.getHeight()).isEqualTo(8);
    }

    @Test
    void missingPicturesAndBadParametersAreAnsweredWithTheReason() throws Exception {
        pictures.offerAttention("s1", "470nm", 9, 2, 3, 4, new float[6][12]);

        HttpResponse<byte[]> none = get("/picture/filled.png?session=s2");
        HttpResponse<byte[]> badPatch = get("/picture/attention.png?patch=6");
        HttpResponse<byte[]> badScale = get("/picture/attention.png?scale=x");
        HttpResponse<byte[]> badKind = get("/picture/raw.png");

        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(new String(none.body(), StandardCharsets.UTF_8))
                .contains("no filled frame yet session=s2");
        assertThat(badPatch.statusCode()).isEqualTo(400);
        assertThat(new String(badPatch.body(), StandardCharsets.UTF_8))
                .contains("patch 6 is outside the grid of 2 x 3 patches");
        assertThat(badScale.statusCode()).isEqualTo(400);
        assertThat(new String(badScale.body(), StandardCharsets.UTF_8))
                .contains("scale must be an integer");
        assertThat(badKind.statusCode()).isEqualTo(404);
    }

    @Test
    void theListingNamesTheNewestStreamFirstAndThePageIsServed() throws Exception {
        pictures.offerFrame(Kind.DFF, "s1", "470nm", 1, 0, false, 2, 2, new float[4]);
        pictures.offerFrame(Kind.FILLED, "s1", "470nm", 5, 0, true, 2, 2, new float[4]);

        JsonNode list = new ObjectMapper().readTree(get("/pictures.json").body());
        HttpResponse<byte[]> page = get("/");

        assertThat(list.path("pictures").get(0).path("kind").asText()).isEqualTo("filled");
        assertThat(list.path("pictures").get(0).path("filled").asBoolean()).isTrue();
        assertThat(list.path("pictures").get(1).path("kind").asText()).isEqualTo("dff");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("picture/");
    }

    @Test
    void theRegistryKeepsABoundedNumberOfBytesButAlwaysTheNewestFrame() {
        int big = (int) (LatestPictures.MAX_BYTES_PER_KIND / 4 / 3);

        for (int s = 0; s < 4; s++) {
            pictures.offerFrame(
                    Kind.CORRECTED, "s" + s, "470nm", s, 0, false, big, 1, new float[big]);
        }
        pictures.offerFrame(
                Kind.FILLED, "s9", "470nm", 0, 0, false, 2 * big, 2, new float[4 * big]);

        assertThat(pictures.frame(Kind.CORRECTED, "s0", null)).isEmpty();
        assertThat(pictures.frame(Kind.CORRECTED, "s3", null)).isPresent();
        assertThat(pictures.frame(Kind.FILLED, "s9", null)).isPresent();
    }

    @Test
    void theRegistryKeepsABoundedNumberOfStreams() {
        for (int s = 0; s < 10; s++) {
            pictures.offerFrame(Kind.DFF, "s" + s, "470nm", s, 0, false, 1, 1, new float[1]);
        }

        assertThat(pictures.entries()).hasSize(4);
        assertThat(pictures.frame(Kind.DFF, "s0", null)).isEmpty();
        assertThat(pictures.frame(Kind.DFF, null, null).orElseThrow().session()).isEqualTo("s9");
    }
}
