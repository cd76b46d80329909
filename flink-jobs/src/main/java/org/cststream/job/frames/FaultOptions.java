package org.cststream.job.frames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Faults the frame job can inject into itself (keys {@code fault.*}), for the failure tests that
 * prove exactly-once processing: a task that fails mid-stream, checkpoints that time out. Off by
 * default; never set them on a real acquisition. When any is set the job logs a warning at start.
 */
public final class FaultOptions {
    public static final ConfigOption<Long> FAIL_AT_COUNTER =
            ConfigOptions.key("fault.fail-at-counter")
                    .longType()
                    .defaultValue(-1L)
                    .withDescription(
                            "Failure tests only: the first attempt of the job fails (an exception"
                                    + " in the task after dF/F) at the first frame whose camera"
                                    + " counter is at least this; -1 = never.");
    public static final ConfigOption<List<Long>> SLOW_CHECKPOINTS =
            ConfigOptions.key("fault.slow-checkpoints")
                    .longType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Failure tests only: ids of the checkpoints that are held up for"
                                    + " fault.checkpoint-delay in the task after dF/F, e.g. 3,4.");
    public static final ConfigOption<Duration> CHECKPOINT_DELAY =
            ConfigOptions.key("fault.checkpoint-delay")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Failure tests only: how long each of the first"
                                    + " fault.slow-checkpoints checkpoints is held up.");

    /** Every option. */
    public static final List<ConfigOption<?>> ALL =
            List.of(FAIL_AT_COUNTER, SLOW_CHECKPOINTS, CHECKPOINT_DELAY);

    private FaultOptions() {}

    /** Returns whether any fault is configured. */
    public static boolean enabled(Configuration c) {
        return c.get(FAIL_AT_COUNTER) >= 0
                || (!c.get(SLOW_CHECKPOINTS).isEmpty() && c.get(CHECKPOINT_DELAY).toMillis() > 0);
    }

    /** Returns every out-of-range setting, naming its key and bound; empty if none. */
    public static List<String> problems(Configuration c) {
        List<String> p = new ArrayList<>();
        if (c.get(FAIL_AT_COUNTER) < -1) {
            p.add(
                    FAIL_AT_COUNTER.key()
                            + " must be -1 (never) or a camera counter >= 0, was "
                            + c.get(FAIL_AT_COUNTER));
        }
        if (c.get(SLOW_CHECKPOINTS).stream().anyMatch(id -> id < 1)) {
            p.add(
                    SLOW_CHECKPOINTS.key()
                            + " must list checkpoint ids >= 1, was "
                            + c.get(SLOW_CHECKPOINTS));
        }
        if (c.get(CHECKPOINT_DELAY).isNegative()) {
            p.add(CHECKPOINT_DELAY.key() + " must be >= 0 ms, was " + c.get(CHECKPOINT_DELAY));
        }
        return p;
    }

    /** Returns the configured faults as key=value text for the start-up warning. */
    public static String describe(Configuration c) {
        return FAIL_AT_COUNTER.key()
                + "="
                + c.get(FAIL_AT_COUNTER)
                + " "
                + SLOW_CHECKPOINTS.key()
                + "="
                + c.get(SLOW_CHECKPOINTS)
                + " "
                + CHECKPOINT_DELAY.key()
                + "="
                + c.get(CHECKPOINT_DELAY).toMillis()
                + "ms";
    }
}
