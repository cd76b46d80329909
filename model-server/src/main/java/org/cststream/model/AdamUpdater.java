package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam with weight decay (added to the gradient, as in the original Adam), applied in place to a
 * model's parameters after a backward pass, then the gradients are zeroed.
 *
 * <p>Written here instead of using DJL's optimizer and trainer: with those, training this model on
 * the PyTorch engine grew native memory by tens of megabytes a step and turned parameters to NaN
 * after a garbage collection. Every temporary of an update lives in an {@link NDScope} and is freed
 * when the step ends; the moment estimates live as long as the model.
 */
final class AdamUpdater {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final List<String> names = new ArrayList<>();
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private final float learningRate;
    private final float weightDecay;
    private int steps;
    private int skipped;
    private float lastGradientNorm;
    private List<String> lastNonFinite = List.of();

    AdamUpdater(CstModel model, float learningRate, float weightDecay) {
        this.learningRate = learningRate;
        this.weightDecay = weightDecay;
        for (Pair<String, Parameter> p : model.block().getParameters()) {
            NDArray w = p.getValue().getArray();
            if (!w.hasGradient()) {
                continue;
            }
            names.add(p.getKey());
            weights.add(w);
            means.add(w.zerosLike());
            variances.add(w.zerosLike());
            // the first backward pass adds to this buffer, which the engine allocated without
            // initialising: left as it is, its garbage (at times NaN) entered the first step
            zero(w.getGradient());
        }
    }

    /**
     * Sets every element to 0. Multiplying by 0 would keep a NaN (NaN * 0 is NaN), and a gradient
     * buffer the engine allocated without initialising may hold one.
     */
    private static void zero(NDArray g) {
        g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
    }

    /** Steps skipped because a gradient was not finite. */
    int skipped() {
        return skipped;
    }

    /**
     * Applies one update from the gradients of the last backward pass, then zeroes them. A step
     * whose gradients hold NaN or infinity is skipped (and counted) rather than applied, so one bad
     * batch cannot poison every parameter.
     *
     * @param learningRate the step size of this step (> 0)
     * @param maxGradientNorm when above 0, gradients whose global L2 norm exceeds it are scaled
     *     down to it
     * @return false if the step was skipped
     */
    boolean step(float learningRate, float maxGradientNorm) {
        float norm;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            // one sum of squares over every gradient: a NaN or infinity anywhere shows in it, and
            // it is read back once per step
            NDArray total = null;
            for (NDArray w : weights) {
                NDArray sq = w.getGradient().square().sum();
                total = total == null ? sq : total.add(sq);
            }
            norm = (float) Math.sqrt(total.getFloat());
            if (!Float.isFinite(norm)) {
                lastNonFinite = new ArrayList<>();
                for (int i = 0; i < weights.size(); i++) {
                    NDArray g = weights.get(i).getGradient();
                    if (!Float.isFinite(g.square().sum().getFloat())) {
                        lastNonFinite.add(names.get(i));
                    }
                    zero(g);
                }
            }
        }
        if (!Float.isFinite(norm)) {
            skipped++;
            return false;
        }
        float clip = maxGradientNorm > 0 && norm > maxGradientNorm ? maxGradientNorm / norm : 1f;
        steps++;
        float correction1 = 1 - (float) Math.pow(BETA1, steps);
        float correction2 = 1 - (float) Math.pow(BETA2, steps);
        float stepSize = learningRate * (float) Math.sqrt(correction2) / correction1;
        for (int i = 0; i < weights.size(); i++) {
            NDArray w = weights.get(i);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = w.getGradient();
                if (clip < 1f) {
                    g = g.mul(clip);
                }
                if (weightDecay > 0) {
                    g = g.add(w.mul(weightDecay));
                }
                means.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
                variances.get(i).muli(BETA2).addi(g.square().mul(1 - BETA2));
                w.subi(means.get(i).div(variances.get(i).sqrt().add(EPSILON)).mul(stepSize));
                zero(w.getGradient());
            }
        }
        lastGradientNorm = norm;
        return true;
    }

    /** Applies one update at the configured learning rate, without clipping. */
    boolean step() {
        return step(learningRate, 0f);
    }

    /** Returns the parameters whose gradients were not finite in the last skipped step. */
    List<String> lastNonFiniteParameters() {
        return lastNonFinite;
    }

    /** Returns the global L2 norm of the gradients of the last applied step, before clipping. */
    float lastGradientNorm() {
        return lastGradientNorm;
    }
}
