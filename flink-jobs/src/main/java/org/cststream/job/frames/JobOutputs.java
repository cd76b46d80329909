package org.cststream.job.frames;

import org.apache.flink.util.OutputTag;

/** Side outputs shared by the job's operators. */
public final class JobOutputs {
    /** Records rejected by any stage, bound for the dead-letter topic. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** Gap and session events, bound for the events topic. */
    public static final OutputTag<SessionEvent> EVENTS = new OutputTag<>("events") {};

    private JobOutputs() {}
}
