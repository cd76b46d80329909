package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.cststream.job.cst.CstOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's graph: what a restore from a checkpoint or savepoint depends on. */
class FrameProcessingJobTest {
    @TempDir Path dir;

    /** Every option that adds operators: two channels, the CST stage, files, fault injection. */
    private Configuration everything() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.writeString(
                model.resolve("cst-model.json"),
                "{\"formatVersion\":1,\"notes\":{\"window\":{\"gridRows\":4,\"gridCols\":4,"
                        + "\"patchSize\":16,\"periodSeconds\":0.02,\"frames\":10}}}");
        Configuration c = new Configuration();
        c.set(FrameJobOptions.BOOTSTRAP_SERVERS, "127.0.0.1:9");
        c.set(FrameJobOptions.CHANNEL_ORDER, List.of(470, 405));
        c.set(FrameJobOptions.OUTPUT_DIR, dir.resolve("out").toString());
        c.set(CstOptions.MODEL, model.toString());
        c.set(FaultOptions.FAIL_AT_COUNTER, 10L);
        return c;
    }

    private static StreamGraph graph(Configuration c) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FrameProcessingJob.forKafka(c).build(env);
        return env.getStreamGraph();
    }

    @Test
    void everyOperatorHasAFixedUidSoItsStateIsFoundAgainOnRestore() throws Exception {
        StreamGraph g = graph(everything());

        List<String> missing = new ArrayList<>();
        Set<String> uids = new TreeSet<>();
        for (StreamNode n : g.getStreamNodes()) {
            if (n.getTransformationUID() == null) {
                missing.add(n.getOperatorName());
            } else {
                uids.add(n.getTransformationUID());
            }
        }

        assertThat(missing).as("operators without a uid").isEmpty();
        // the stateful operators' uids are part of the job's contract with its savepoints
        assertThat(uids)
                .contains(
                        "frames-source",
                        "order",
                        "channels",
                        "dff",
                        "pair",
                        "hemo-correct",
                        "hemo-assemble",
                        "cst-windows",
                        "cst-inference",
                        "dff-sink",
                        "tokens-sink",
                        "events-sink",
                        "deadletter-sink",
                        "corrected-sink",
                        "filled-sink");
    }

    @Test
    void noRecordOrStateTypeFallsBackToKryo() throws Exception {
        // building the graph creates every record serializer; with generic types disabled a
        // Kryo fallback would fail here
        assertThat(graph(everything()).getStreamNodes()).isNotEmpty();

        Class<?>[] state = {
            SourcedFrame.class,
            BaselineState.class,
            ChannelAssignState.class,
            ChannelPairState.class,
            org.cststream.job.frames.hemo.HemoTileState.class,
            PartialFrame.class,
            org.cststream.job.cst.CstWindowState.class,
            org.cststream.job.cst.WindowRequest.class,
            org.cststream.job.cst.WindowResult.class
        };
        for (Class<?> type : state) {
            assertThat(genericParts(TypeInformation.of(type)))
                    .as("parts of %s serialized by Kryo", type.getSimpleName())
                    .isEmpty();
        }
    }

    private static List<String> genericParts(TypeInformation<?> t) {
        List<String> found = new ArrayList<>();
        if (t instanceof GenericTypeInfo<?>) {
            found.add(t.toString());
        }
        for (TypeInformation<?> inner : t.getGenericParameters().values()) {
            found.addAll(genericParts(inner));
        }
        if (t instanceof org.apache.flink.api.common.typeutils.CompositeType<?> c) {
            for (int i = 0; i < c.getArity(); i++) {
                found.addAll(genericParts(c.getTypeAt(i)));
            }
        }
        return found;
    }
}
