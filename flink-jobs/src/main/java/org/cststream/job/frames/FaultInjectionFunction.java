package org.cststream.job.frames;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes dF/F frames on unchanged and injects the faults of {@link FaultOptions}: an exception on
 * the job's first attempt at a given camera counter (a task failure mid-stream, after which Flink
 * restarts every task from the latest checkpoint), and checkpoints held up past their time-out. It
 * keeps no state, so a job restored without it (or with it) finds every other operator's state.
 */
public class FaultInjectionFunction extends RichMapFunction<DffFrame, DffFrame>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FaultInjectionFunction.class);

    private final long failAtCounter;
    private final Set<Long> slowCheckpoints;
    private final long checkpointDelayMillis;

    /**
     * @param failAtCounter camera counter at or past which the first attempt fails; -1 = never
     * @param slowCheckpoints ids of the checkpoints that are held up
     * @param checkpointDelayMillis how long each of them is held up, ms
     */
    public FaultInjectionFunction(
            long failAtCounter, List<Long> slowCheckpoints, long checkpointDelayMillis) {
        this.failAtCounter = failAtCounter;
        this.slowCheckpoints = new HashSet<>(slowCheckpoints);
        this.checkpointDelayMillis = checkpointDelayMillis;
    }

    @Override
    public DffFrame map(DffFrame frame) {
        if (failAtCounter >= 0
                && frame.frameCounter >= failAtCounter
                && getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
            LOG.warn(
                    "injected task failure session={} counter={} ({}={})",
                    frame.sessionId,
                    frame.frameCounter,
                    FaultOptions.FAIL_AT_COUNTER.key(),
                    failAtCounter);
            throw new InjectedFaultException(
                    "injected task failure at session="
                            + frame.sessionId
                            + " counter="
                            + frame.frameCounter
                            + " ("
                            + FaultOptions.FAIL_AT_COUNTER.key()
                            + "="
                            + failAtCounter
                            + "); Flink restarts the job from its latest checkpoint");
        }
        return frame;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (slowCheckpoints.contains(context.getCheckpointId()) && checkpointDelayMillis > 0) {
            LOG.warn(
                    "injected slow checkpoint checkpoint={} delayMs={}",
                    context.getCheckpointId(),
                    checkpointDelayMillis);
            Thread.sleep(checkpointDelayMillis);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        // nothing to keep: the faults depend on the attempt and the checkpoint id only
    }

    /** The exception an injected task failure throws. */
    public static final class InjectedFaultException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFaultException(String message) {
            super(message);
        }
    }
}
