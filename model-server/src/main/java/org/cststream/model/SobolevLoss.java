package org.cststream.model;

import ai.djl.ndarray.NDArray;

/**
 * The Sobolev loss of the CST paper: a p-norm data term at the observed tokens plus lambda times
 * the sum over q = 1..k of the p-norm of the q-th time derivative of the output at the dummy
 * tokens, with no derivative compared to data.
 *
 * <p>Derivatives are finite differences. The engine's public API cannot take gradients of
 * gradients, so a derivative with respect to the time coordinate cannot be back-propagated through
 * autograd; instead the dummy tokens lie on a regular grid in time (random phase each step) and the
 * q-th derivative is the q-th forward difference divided by {@code h^q}. Time is measured in units
 * of the mean spacing of the observed samples, so lambda means the same at any frame rate. The
 * p-norm of an array is {@code (mean |x|^p)^(1/p)}: a size-free scale.
 */
public final class SobolevLoss {
    private final float p;
    private final int k;
    private final float lambda;

    /**
     * @param p norm exponent (>= 1; the authors used 3)
     * @param k highest derivative order (>= 0; 3)
     * @param lambda weight of the derivative terms (>= 0; 0.01)
     */
    public SobolevLoss(float p, int k, float lambda) {
        if (p < 1 || k < 0 || lambda < 0) {
            throw new IllegalArgumentException(
                    "Sobolev loss needs p >= 1, k >= 0, lambda >= 0;"
                            + " got p="
                            + p
                            + " k="
                            + k
                            + " lambda="
                            + lambda);
        }
        this.p = p;
        this.k = k;
        this.lambda = lambda;
    }

    /** Returns {@code (mean |x|^p)^(1/p)}. */
    public NDArray norm(NDArray x) {
        return x.abs()
                .pow(Tensors.scalar(x, p))
                .mean()
                .add(Tensors.scalar(x, 1e-12f))
                .pow(Tensors.scalar(x, 1f / p));
    }

    /**
     * Returns the loss.
     *
     * @param observedOut model output at the observed tokens (batch, n, values)
     * @param observedData the data at those tokens (same shape)
     * @param dummyOut model output at the dummy tokens, in time order on a regular grid (batch, g,
     *     values), or null for the data term alone
     * @param spacing the grid step in normalised time units (> 0)
     */
    public NDArray compute(
            NDArray observedOut, NDArray observedData, NDArray dummyOut, float spacing) {
        NDArray loss = norm(observedOut.sub(observedData));
        if (dummyOut == null || k == 0 || lambda == 0) {
            return loss;
        }
        NDArray d = dummyOut;
        for (int q = 1; q <= k && d.getShape().get(1) > 1; q++) {
            d = d.get(":, 1:, :").sub(d.get(":, :-1, :")).mul(Tensors.scalar(d, 1 / spacing));
            loss = loss.add(norm(d).mul(Tensors.scalar(d, lambda)));
        }
        return loss;
    }

    /** Returns only the derivative part, for a known function sampled on a grid. */
    public NDArray penalty(NDArray dummyOut, float spacing) {
        NDArray d = dummyOut;
        NDArray total = null;
        for (int q = 1; q <= k && d.getShape().get(1) > 1; q++) {
            d = d.get(":, 1:, :").sub(d.get(":, :-1, :")).mul(Tensors.scalar(d, 1 / spacing));
            NDArray term = norm(d);
            total = total == null ? term : total.add(term);
        }
        return total == null ? dummyOut.getManager().create(0f) : total.mul(lambda);
    }
}
