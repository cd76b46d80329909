package org.cststream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cststream.model.serving.ServerBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cst bench server}: the CST on a widefield window in process and through the server. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description =
                "Print per-request latency p50/p99 and windows/s for a widefield window (2560"
                        + " tokens, one frame of 256 queries) in process and through the model"
                        + " server in its own JVM, at 1 and 4 concurrent clients.")
final class ServerBench implements Callable<Integer> {
    @Option(
            names = "--requests",
            paramLabel = "N",
            defaultValue = "30",
            description = "Timed requests per client. Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description = "Untimed requests per client first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(
            names = "--clients",
            paramLabel = "N,N",
            split = ",",
            defaultValue = "1,4",
            description = "Concurrent clients to measure. Default: ${DEFAULT-VALUE}.")
    List<Integer> clients;

    @Option(
            names = "--batch-delay-ms",
            paramLabel = "MS",
            defaultValue = "2",
            description = "The server's batch delay. Default: ${DEFAULT-VALUE}.")
    long batchDelayMillis;

    @Option(
            names = "--max-batch",
            paramLabel = "N",
            defaultValue = "16",
            description = "The server's largest batch, windows. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(
            names = "--attention-rows",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Ask for the query frame's attention rows with each window, as the stream's"
                            + " decoder does; --no-attention-rows for values only. Default:"
                            + " ${DEFAULT-VALUE}.")
    boolean attentionRows;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "cst-output/bench-server",
            description = "Folder for the model and the server's log. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (requests < 1 || warmup < 0 || clients.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException(
                    "--requests must be >= 1, --warmup >= 0 and --clients >= 1; were "
                            + requests
                            + ", "
                            + warmup
                            + ", "
                            + clients);
        }
        Files.createDirectories(out);
        List<String> serverArgs = new ArrayList<>();
        serverArgs.addAll(List.of("--batch-delay-ms", Long.toString(batchDelayMillis)));
        serverArgs.addAll(List.of("--max-batch", Integer.toString(maxBatch)));
        ServerBenchmark.run(
                new ServerBenchmark.Settings(
                        requests, warmup, clients, attentionRows, serverArgs, out),
                System.out);
        return 0;
    }
}
