package org.cststream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every address a {@code cst} command can listen on is loopback unless the user says otherwise. */
class LoopbackDefaultsTest {

    private static void collect(CommandLine cl, List<String> found) {
        for (OptionSpec o : cl.getCommandSpec().options()) {
            for (String name : o.names()) {
                if (name.equals("--bind") || name.endsWith("-host")) {
                    found.add(
                            cl.getCommandSpec().qualifiedName()
                                    + " "
                                    + name
                                    + "="
                                    + o.defaultValue());
                }
            }
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            collect(sub, found);
        }
    }

    @Test
    void everyBindOrHostOptionDefaultsToLoopback() {
        List<String> options = new ArrayList<>();
        collect(new CommandLine(new Cst()), options);

        // the metrics endpoint of run, job and every source, the model server, the TCP source
        assertThat(options).hasSizeGreaterThanOrEqualTo(8);
        assertThat(options)
                .allSatisfy(o -> assertThat(o).endsWith("=127.0.0.1"))
                .anyMatch(o -> o.startsWith("cst serve --bind"))
                .anyMatch(o -> o.startsWith("cst tcp --bind"))
                .anyMatch(o -> o.startsWith("cst run --metrics-host"));
    }
}
