/**
 * The Continuous Spatiotemporal Transformer on DJL: blocks (full and Nystrom attention), the
 * Sobolev loss, training, persistence and the inference API. The discrete Transformer baseline is
 * the same block with grid positions.
 */
package org.cststream.model;
