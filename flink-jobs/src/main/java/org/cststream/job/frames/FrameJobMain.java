package org.cststream.job.frames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.cststream.job.cst.CstOptions;
import org.cststream.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the frame job on a Flink cluster: the main class of the job jar ({@code
 * flink-jobs-*-cluster.jar}), run by {@code flink run} or the REST API's jar run.
 *
 * <p>Arguments are the job's option keys ({@link FrameJobOptions}, {@link CstOptions}) as {@code
 * --KEY VALUE} pairs, for example {@code --kafka.bootstrap-servers kafka:9092 --metrics.port 9464
 * --metrics.host 0.0.0.0}; values are written as in Flink's configuration (durations {@code 5 s},
 * lists {@code 470;405}). Two more: {@code --topic-partitions N} (partitions of topics it creates;
 * default the job's parallelism) and {@code --topic-replication N} (default 1). The topics that do
 * not exist yet are created before the job is submitted; parallelism, checkpoint storage and
 * restart strategy come from the cluster's configuration or {@code flink run}'s flags.
 */
public final class FrameJobMain {
    private static final Logger LOG = LoggerFactory.getLogger(FrameJobMain.class);
    private static final String PARTITIONS = "topic-partitions";
    private static final String REPLICATION = "topic-replication";

    private FrameJobMain() {}

    /**
     * Builds the job from the arguments and submits it to the cluster the environment points at.
     *
     * @param args {@code --KEY VALUE} pairs
     * @throws IllegalArgumentException for an unknown key, a key without a value, or an invalid
     *     setting (the message names it and the known keys)
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> pairs = pairs(args);
        int partitions = intValue(pairs.remove(PARTITIONS), PARTITIONS, 0);
        int replication = intValue(pairs.remove(REPLICATION), REPLICATION, 1);
        Configuration config = configuration(pairs);
        FrameJobOptions.validate(config);
        List<String> problems = CstOptions.problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid job configuration: " + String.join("; ", problems));
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Topics.ensure(
                config.get(FrameJobOptions.BOOTSTRAP_SERVERS),
                config.get(FrameJobOptions.KAFKA_PROPERTIES),
                FrameJobOptions.topics(config),
                partitions > 0 ? partitions : Math.max(1, env.getParallelism()),
                (short) replication);
        FrameProcessingJob.forKafka(config).build(env);
        LOG.info("submitting the frame job parallelism={}", env.getParallelism());
        env.execute("cst-frames");
    }

    /** Returns the configuration that {@code --KEY VALUE} pairs describe. */
    static Configuration configuration(Map<String, String> pairs) {
        Set<String> known = knownKeys();
        List<String> unknown = new ArrayList<>();
        for (String key : pairs.keySet()) {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown option(s) "
                            + unknown
                            + "; the frame job takes --KEY VALUE with KEY one of "
                            + known
                            + ", or --"
                            + PARTITIONS
                            + ", --"
                            + REPLICATION);
        }
        return Configuration.fromMap(pairs);
    }

    private static Set<String> knownKeys() {
        Set<String> keys = new TreeSet<>();
        for (ConfigOption<?> o : FrameJobOptions.ALL) {
            keys.add(o.key());
        }
        for (ConfigOption<?> o : CstOptions.ALL) {
            keys.add(o.key());
        }
        return keys;
    }

    /** Reads {@code --KEY VALUE} (or {@code --KEY=VALUE}) pairs in order. */
    static Map<String, String> pairs(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException(
                        "argument " + (i + 1) + " '" + a + "' is not --KEY VALUE");
            }
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq > 0) {
                out.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (i + 1 < args.length) {
                out.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return out;
    }

    private static int intValue(String value, String key, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--" + key + " must be a whole number >= 0, was '" + value + "'");
        }
    }
}
