package org.cststream.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The faults a replay injects, decided before the first frame is sent: which frames are dropped,
 * the order the rest are sent in, and the jitter on each timestamp. Deterministic for a seed, so a
 * test knows exactly what the job must report.
 */
public final class FaultPlan {
    private final SortedSet<Integer> dropped;
    private final List<Integer> sendOrder;
    private final int reordered;
    private final long[] jitterNanos;

    private FaultPlan(
            SortedSet<Integer> dropped,
            List<Integer> sendOrder,
            int reordered,
            long[] jitterNanos) {
        this.dropped = dropped;
        this.sendOrder = sendOrder;
        this.reordered = reordered;
        this.jitterNanos = jitterNanos;
    }

    /**
     * Plans the faults for {@code frameCount} frames.
     *
     * <p>Exactly {@code round(dropFraction * frameCount)} frames are dropped, never the first: a
     * job cannot tell a lost first frame from a session that starts one counter later.
     */
    public static FaultPlan plan(int frameCount, ReplayOptions options) {
        Random random = new Random(options.seed);
        int drops = (int) Math.round(options.dropFraction * frameCount);
        List<Integer> candidates = new ArrayList<>();
        for (int i = 1; i < frameCount; i++) {
            candidates.add(i);
        }
        Collections.shuffle(candidates, random);
        SortedSet<Integer> dropped =
                new TreeSet<>(candidates.subList(0, Math.min(drops, candidates.size())));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < frameCount; i++) {
            if (!dropped.contains(i)) {
                order.add(i);
            }
        }
        int reordered = 0;
        boolean[] moved = new boolean[order.size()];
        // the first frame stays first: the job fixes a session's first counter from it
        for (int pos = 1; pos < order.size(); pos++) {
            if (moved[pos] || random.nextDouble() >= options.reorderFraction) {
                continue;
            }
            int other = pos + 1 + random.nextInt(options.reorderDistance);
            if (other >= order.size() || moved[other]) {
                continue;
            }
            Collections.swap(order, pos, other);
            moved[pos] = true;
            moved[other] = true;
            reordered++;
        }
        long[] jitter = new long[frameCount];
        if (options.jitterNanos > 0) {
            for (int i = 0; i < frameCount; i++) {
                jitter[i] = Math.round(random.nextGaussian() * options.jitterNanos);
            }
        }
        return new FaultPlan(
                Collections.unmodifiableSortedSet(dropped),
                Collections.unmodifiableList(order),
                reordered,
                jitter);
    }

    /** Returns the indices of the frames that are not sent, ascending. */
    public SortedSet<Integer> dropped() {
        return dropped;
    }

    /** Returns the indices of the frames to send, in the order they are sent. */
    public List<Integer> sendOrder() {
        return sendOrder;
    }

    /** Returns how many pairs of frames were swapped. */
    public int reorderedPairs() {
        return reordered;
    }

    /** Returns the jitter added to frame {@code index}'s acquisition time, in ns. */
    public long jitterNanos(int index) {
        return jitterNanos[index];
    }
}
