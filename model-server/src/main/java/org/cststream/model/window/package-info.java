/**
 * The CST on frames: windows of patch-token frames as model inputs (observations at their true
 * times, queries at the times to fill), the training task that teaches the model to fill frames,
 * and the reassembly of the model's output into frames.
 */
package org.cststream.model.window;
