package org.cststream.job.frames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.cststream.frame.Frame;
import org.cststream.job.frames.hemo.HemoSettings;

/**
 * The job's two-channel operators, each in its own Flink test harness, fed one after the other:
 * channel assignment, dF/F, pairing, tiles, correction, assembly. What one emits, the next gets.
 */
final class HemoChain implements AutoCloseable {
    final KeyedOneInputStreamOperatorTestHarness<String, Frame, Frame> assign;
    final KeyedOneInputStreamOperatorTestHarness<String, Frame, DffFrame> dff;
    final KeyedOneInputStreamOperatorTestHarness<String, DffFrame, FramePair> pair;
    final KeyedOneInputStreamOperatorTestHarness<String, HemoTile, CorrectedTile> correct;
    final KeyedOneInputStreamOperatorTestHarness<String, CorrectedTile, DffFrame> assemble;
    private final HemoSettings settings;
    private int assigned;
    private int dffed;
    private int paired;
    private int corrected;

    /** Corrected frames, in the order they came out. */
    final List<DffFrame> out = new ArrayList<>();

    /** dF/F frames of every channel, as the dF/F sink gets them. */
    final List<DffFrame> dffFrames = new ArrayList<>();

    /** Pairs, as the correction gets them. */
    final List<FramePair> pairs = new ArrayList<>();

    HemoChain(List<Integer> order, int isosbestic, HemoSettings settings) throws Exception {
        this.settings = settings;
        Duration idle = Duration.ofSeconds(2);
        assign =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new ChannelAssignFunction(order, isosbestic, true, 3, 2, idle),
                        f -> f.sessionId,
                        Types.STRING);
        dff =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DffFunction(Duration.ofSeconds(30), 10, 1.0),
                        f -> f.sessionId,
                        Types.STRING);
        Set<String> calcium = new java.util.HashSet<>();
        for (int nm : order) {
            if (nm != isosbestic) {
                calcium.add(nm + "nm");
            }
        }
        pair =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new ChannelPairFunction(isosbestic + "nm", calcium, 2 * order.size(), idle),
                        f -> f.sessionId,
                        Types.STRING);
        correct =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new HemoCorrectionFunction(settings), HemoTile::stateKey, Types.STRING);
        assemble =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new TileAssemblyFunction(settings.method().name()),
                        CorrectedTile::frameKey,
                        Types.STRING);
    }

    /** Feeds frames (in counter order) through every stage. */
    void feed(List<Frame> frames) throws Exception {
        for (Frame f : frames) {
            assign.processElement(new StreamRecord<>(f, 0L));
        }
        pump();
    }

    /** Lets the idle timers of every stage fire, and passes on what they release. */
    void idle(long nowMillis) throws Exception {
        assign.setProcessingTime(nowMillis);
        pump();
        pair.setProcessingTime(nowMillis);
        pump();
    }

    private void pump() throws Exception {
        List<Frame> a = assign.extractOutputValues();
        for (; assigned < a.size(); assigned++) {
            dff.processElement(new StreamRecord<>(a.get(assigned), 0L));
        }
        List<DffFrame> d = dff.extractOutputValues();
        for (; dffed < d.size(); dffed++) {
            dffFrames.add(d.get(dffed));
            pair.processElement(new StreamRecord<>(d.get(dffed), 0L));
        }
        List<FramePair> p = pair.extractOutputValues();
        for (; paired < p.size(); paired++) {
            pairs.add(p.get(paired));
            for (HemoTile t :
                    HemoTileSplitFunction.split(
                            p.get(paired), settings.tileSize(), settings.tileMargin())) {
                correct.processElement(new StreamRecord<>(t, 0L));
            }
        }
        List<CorrectedTile> c = correct.extractOutputValues();
        for (; corrected < c.size(); corrected++) {
            assemble.processElement(new StreamRecord<>(c.get(corrected), 0L));
        }
        out.clear();
        out.addAll(assemble.extractOutputValues());
    }

    /** Returns the events of every stage of the given type. */
    List<SessionEvent> events(String type) {
        List<SessionEvent> e = new ArrayList<>();
        for (var h : List.of(assign, assemble)) {
            var side = h.getSideOutput(JobOutputs.EVENTS);
            if (side != null) {
                side.stream()
                        .map(StreamRecord::getValue)
                        .filter(x -> x.type.equals(type))
                        .forEach(e::add);
            }
        }
        return e;
    }

    @Override
    public void close() {
        try {
            assign.close();
            dff.close();
            pair.close();
            correct.close();
            assemble.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the test harnesses failed", e);
        }
    }
}
