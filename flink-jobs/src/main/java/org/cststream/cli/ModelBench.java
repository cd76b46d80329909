package org.cststream.cli;

import java.util.concurrent.Callable;
import org.cststream.model.ModelSpeedBenchmark;
import picocli.CommandLine.Command;

/** {@code cst bench model}: CST training throughput and inference latency, full vs Nystrom. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description =
                "Print CST training samples/s and inference latency for the spirals model and a"
                        + " widefield window of 2560 tokens, full vs Nystrom attention.")
final class ModelBench implements Callable<Integer> {
    @Override
    public Integer call() {
        ModelSpeedBenchmark.run(System.out);
        return 0;
    }
}
