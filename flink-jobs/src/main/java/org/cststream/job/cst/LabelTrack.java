package org.cststream.job.cst;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.cststream.model.decoding.Decoder;
import org.cststream.source.labels.BehaviourSample;
import org.cststream.source.labels.StimulusEvent;

/**
 * A decoder's label as a function of time on the session clock: a behaviour trace, linearly
 * interpolated between its samples; or a field of a stimulus log (e.g. the contrast), the value of
 * the stimulus showing at that time and 0 between stimuli.
 *
 * <p>Offline the whole track is known ({@link #complete}). In the stream, labels arrive over time
 * and a value is known only once the track covers its time: a behaviour time needs a sample at or
 * after it; a time between stimuli needs a later stimulus's onset (logs arrive in onset order). The
 * track holds at most {@link #capacity} points, dropping the oldest, so its state stays bounded.
 * Its fields are public for Flink's POJO serializer.
 */
public class LabelTrack {
    /** {@code behaviour} or {@code stimulus} ({@link Decoder.LabelSource#wireName()}). */
    public String source = "behaviour";

    /** Sample times or stimulus onsets, ns, increasing; {@link #size} of them are in use. */
    public long[] times = new long[0];

    /** Stimulus ends (onset plus duration), ns; unused for behaviour. */
    public long[] ends = new long[0];

    public double[] values = new double[0];
    public int size;

    /** Whether every label is in the track (offline), so a time past the last is known too. */
    public boolean complete;

    /** Most points kept; the oldest go first. */
    public int capacity = Integer.MAX_VALUE;

    /** Points dropped because they came out of order (older than the newest kept). */
    public long outOfOrder;

    public LabelTrack() {}

    /** Returns an empty track of {@code source}, for the stream. */
    public static LabelTrack streaming(Decoder.LabelSource source, int capacity) {
        LabelTrack t = new LabelTrack();
        t.source = source.wireName();
        t.capacity = capacity;
        return t;
    }

    /**
     * Returns the complete track of one behaviour trace.
     *
     * @param trace the trace's name in the samples
     * @throws IllegalArgumentException if a sample lacks the trace, naming the traces it has
     */
    public static LabelTrack behaviour(List<BehaviourSample> samples, String trace) {
        LabelTrack t = new LabelTrack();
        t.source = Decoder.LabelSource.BEHAVIOUR.wireName();
        for (BehaviourSample s : samples) {
            Double v = s.values().get(trace);
            if (v == null) {
                throw new IllegalArgumentException(
                        "behaviour sample "
                                + s.index()
                                + " has no trace '"
                                + trace
                                + "'; it has "
                                + s.values().keySet());
            }
            t.add(s.timeNanos(), 0, v);
        }
        t.complete = true;
        return t;
    }

    /**
     * Returns the complete track of one field of a stimulus log.
     *
     * @param field the log's column, e.g. {@code contrast}
     * @throws IllegalArgumentException if an event lacks the field or it is not a number
     */
    public static LabelTrack stimulus(List<StimulusEvent> events, String field) {
        LabelTrack t = new LabelTrack();
        t.source = Decoder.LabelSource.STIMULUS.wireName();
        for (StimulusEvent e : events) {
            t.add(e.onsetNanos(), e.durationNanos(), stimulusValue(e, field));
        }
        t.complete = true;
        return t;
    }

    /**
     * Returns a stimulus event's value of {@code field}.
     *
     * @throws IllegalArgumentException if the event lacks the field or it is not a number
     */
    public static double stimulusValue(StimulusEvent e, String field) {
        Object v = e.fields().get(field);
        if (!(v instanceof Double d) || !Double.isFinite(d)) {
            throw new IllegalArgumentException(
                    "stimulus "
                            + e.index()
                            + " of session "
                            + e.session()
                            + " has "
                            + (v == null ? "no field '" + field + "'" : field + " = '" + v + "'")
                            + "; need a number (fields: "
                            + e.fields().keySet()
                            + ")");
        }
        return d;
    }

    /**
     * Adds a point in time order: a behaviour sample ({@code durationNanos} 0) or a stimulus.
     *
     * @return false if the point is older than the newest one and was dropped (counted)
     */
    public boolean add(long nanos, long durationNanos, double value) {
        if (size > 0 && nanos < times[size - 1]) {
            outOfOrder++;
            return false;
        }
        if (size == capacity) {
            System.arraycopy(times, 1, times, 0, size - 1);
            System.arraycopy(ends, 1, ends, 0, size - 1);
            System.arraycopy(values, 1, values, 0, size - 1);
            size--;
        }
        if (size == times.length) {
            int grown = (int) Math.min(capacity, Math.max(16, 2L * times.length));
            times = Arrays.copyOf(times, grown);
            ends = Arrays.copyOf(ends, grown);
            values = Arrays.copyOf(values, grown);
        }
        times[size] = nanos;
        ends[size] = nanos + durationNanos;
        values[size] = value;
        size++;
        return true;
    }

    /** Returns the time of the oldest point kept, ns, or {@link Long#MAX_VALUE} if none. */
    public long oldestNanos() {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    /**
     * Drops points no longer needed for times at or after {@code nanos}: every point before it
     * except the last one (a behaviour value at {@code nanos} interpolates from it; a stimulus may
     * still be showing).
     */
    public void dropBefore(long nanos) {
        int keepFrom = 0;
        while (keepFrom + 1 < size && times[keepFrom + 1] <= nanos) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(times, keepFrom, times, 0, size - keepFrom);
            System.arraycopy(ends, keepFrom, ends, 0, size - keepFrom);
            System.arraycopy(values, keepFrom, values, 0, size - keepFrom);
            size -= keepFrom;
        }
    }

    /**
     * Whether a time is earlier than anything the track can still say (its points were dropped).
     */
    public boolean isTooOld(long nanos) {
        return size > 0 && nanos < times[0] && !(isStimulus() && complete);
    }

    private boolean isStimulus() {
        return Decoder.LabelSource.STIMULUS.wireName().equals(source);
    }

    /**
     * Returns the label at {@code nanos}, or empty if the track does not (yet) say: a behaviour
     * time outside the samples; a stimulus time after the last onset seen, in the stream.
     */
    public OptionalDouble valueAt(long nanos) {
        if (size == 0) {
            return complete && isStimulus() ? OptionalDouble.of(0) : OptionalDouble.empty();
        }
        // the last point at or before nanos
        int i = Arrays.binarySearch(times, 0, size, nanos);
        if (i < 0) {
            i = -i - 2;
        } else {
            while (i + 1 < size && times[i + 1] == nanos) {
                i++;
            }
        }
        if (isStimulus()) {
            if (i >= 0 && nanos < ends[i]) {
                return OptionalDouble.of(values[i]);
            }
            boolean laterKnown = i + 1 < size || complete;
            // before the first stimulus kept: known only when nothing was dropped before it
            return laterKnown && (i >= 0 || complete)
                    ? OptionalDouble.of(0)
                    : OptionalDouble.empty();
        }
        if (i < 0) {
            return OptionalDouble.empty();
        }
        if (times[i] == nanos) {
            return OptionalDouble.of(values[i]);
        }
        if (i + 1 >= size) {
            return OptionalDouble.empty();
        }
        double w = (double) (nanos - times[i]) / (times[i + 1] - times[i]);
        return OptionalDouble.of(values[i] + w * (values[i + 1] - values[i]));
    }
}
