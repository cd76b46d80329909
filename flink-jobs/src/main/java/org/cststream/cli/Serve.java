package org.cststream.cli;

import java.util.concurrent.Callable;
import org.cststream.model.serving.ModelServer;
import org.cststream.model.serving.ModelServerArgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cst serve}: the model server, until Ctrl-C or SIGTERM. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description =
                "Serve a saved CST model over HTTP on loopback (binary protocol,"
                        + " docs/model-protocol.md): POST /predict, GET /health, /ready, /model,"
                        + " /metrics.")
final class Serve implements Callable<Integer> {
    @Mixin ModelServerArgs server;

    @Override
    public Integer call() throws Exception {
        ModelServer.serve(server.toOptions(), System.out);
        return 0;
    }
}
