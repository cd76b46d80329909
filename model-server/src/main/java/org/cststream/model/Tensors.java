package org.cststream.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Makes engine arrays from Java arrays. */
final class Tensors {
    private Tensors() {}

    /**
     * Returns a new array of the given shape holding a copy of {@code data}, in memory the engine
     * allocated and owns. Arrays made with {@code NDManager.create(float[])} may point into a
     * direct buffer that the JVM frees on a garbage collection while the engine still reads it; in
     * training that showed as parameters turning NaN after a few steps, and as native memory
     * growing by tens of megabytes a step with a large heap.
     */
    static NDArray of(NDManager manager, float[] data, Shape shape) {
        NDArray a = manager.zeros(shape);
        a.set(data);
        return a;
    }
}
