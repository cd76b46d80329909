package org.cststream.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.phantom.PhantomRecording;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CST stage's model is checked before a job starts, so a model that cannot run fails with one
 * line instead of failing the job's task until the run times out.
 */
class CstModelCheckTest {
    @TempDir Path dir;
    private Path model;

    @BeforeEach
    void saveAModelFor128PixelFramesIn16PixelPatches() throws Exception {
        model = dir.resolve("model");
        CstConfig config = CstConfig.widefieldSmall(16);
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode notes = json.createObjectNode();
            notes.set(
                    WindowLayout.NOTES_KEY,
                    json.valueToTree(new WindowLayout(8, 8, 16, 1 / 15.0, 10)));
            m.save(model, notes);
        }
    }

    private Configuration job(Path modelDir, int patch) {
        Configuration c = new Configuration();
        c.set(CstOptions.MODEL, modelDir.toString());
        c.set(FrameJobOptions.PATCH_SIZE, patch);
        return c;
    }

    @Test
    void aModelThatFitsTheFramesPasses() throws Exception {
        try (PhantomRecording r =
                PhantomRecording.open("phantom:neural=synthetic,size=128,frames=20")) {
            assertThatCode(() -> Cst.checkCstModel(job(model, 16), r, 1 / 15.0))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void framesCutIntoAnotherGridAreRefusedSayingBothGridsAndWhatToDo() throws Exception {
        try (PhantomRecording r =
                PhantomRecording.open("phantom:neural=synthetic,size=128,frames=20")) {
            assertThatThrownBy(() -> Cst.checkCstModel(job(model, 8), r, Double.NaN))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("8 x 8 patches of 16 pixels")
                    .hasMessageContaining("give 16 x 16 patches of 8")
                    .hasMessageContaining("--patch-size");
        }
    }

    @Test
    void aFolderWithoutParametersIsRefusedBeforeTheJobStarts() throws Exception {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.copy(model.resolve(CstModel.MANIFEST), broken.resolve(CstModel.MANIFEST));

        assertThatThrownBy(() -> Cst.checkCstModel(job(broken, 16), null, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot use --cst-model " + broken)
                .hasMessageContaining("no parameter file");
    }

    @Test
    void aModelServerThatDoesNotAnswerIsReportedWithTheCommandThatStartsOne() throws Exception {
        int port;
        try (java.net.ServerSocket s =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Configuration c = job(model, 16);
        c.set(CstOptions.INFERENCE, CstOptions.Inference.SERVER);
        c.set(CstOptions.SERVER_URL, "http://127.0.0.1:" + port);

        assertThatThrownBy(() -> Cst.checkCstModel(c, null, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot reach the model server at http://127.0.0.1:" + port)
                .hasMessageContaining("./cst serve --model " + model + " --port " + port);
    }

    @Test
    void framesAtAnotherRateThanTheModelsAreRefusedBeforeTheGridDropsSome() throws Exception {
        try (PhantomRecording r =
                PhantomRecording.open("phantom:neural=synthetic,size=128,frames=20")) {
            assertThatThrownBy(() -> Cst.checkCstModel(job(model, 16), r, 1 / 30.0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("trained on frames 66.7 ms apart")
                    .hasMessageContaining("come 33.3 ms apart");
            // two alternating channels at 30 frames/s: each channel's frames 66.7 ms apart
            Configuration twoChannels = job(model, 16);
            twoChannels.set(FrameJobOptions.CHANNEL_ORDER, java.util.List.of(470, 405));
            assertThatCode(() -> Cst.checkCstModel(twoChannels, r, 1 / 30.0))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void aWindowStepLongerThanTheModelsWindowIsRefused() {
        Configuration c = job(model, 16);
        c.set(CstOptions.WINDOW_STEP, 11);

        assertThatThrownBy(() -> Cst.checkCstModel(c, null, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--cst-step 11 is more than the model's window of 10");
    }
}
