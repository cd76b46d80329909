package org.cststream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CstCommandLineTest {

    private static void collect(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            collect(sub, out);
        }
    }

    @Test
    void everyCommandBuildsAndPrintsItsHelp() {
        // a duplicate option name in a command and its mixins fails here, not at a user's prompt
        CommandLine root = new CommandLine(new Cst());
        List<CommandLine> all = new ArrayList<>();
        collect(root, all);

        assertThat(all)
                .extracting(CommandLine::getCommandName)
                .contains("run", "train", "serve", "camera", "watch", "bench", "fill", "spirals");
        for (CommandLine cl : all) {
            StringWriter help = new StringWriter();
            cl.usage(new PrintWriter(help));
            assertThat(help.toString()).as(cl.getCommandName()).contains("Usage:");
        }
    }
}
