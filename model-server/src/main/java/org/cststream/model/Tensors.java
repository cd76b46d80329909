package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Makes engine arrays from Java arrays. */
public final class Tensors {
    private Tensors() {}

    /**
     * Returns a new array of the given shape holding a copy of {@code data}, in memory the engine
     * allocated and owns. Arrays made with {@code NDManager.create(float[])} may point into a
     * direct buffer that the JVM frees on a garbage collection while the engine still reads it; in
     * training that showed as parameters turning NaN after a few steps, and as native memory
     * growing by tens of megabytes a step with a large heap.
     */
    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        NDArray a = manager.zeros(shape);
        a.set(data);
        return a;
    }

    /**
     * Returns a scalar in engine-owned memory, in the manager of {@code like}. Use it, not a Java
     * number, wherever an array that needs gradients is multiplied, divided or raised to a power:
     * the engine's {@code mul(Number)} and friends wrap the number in an array made from a Java
     * buffer, and the backward pass reads that array again after the operation has returned; a
     * garbage collection in between freed it, and the gradients came out NaN or wrong.
     */
    public static NDArray scalar(NDArray like, float value) {
        return of(like.getManager(), new float[] {value}, new Shape());
    }
}
