/**
 * The mathematics of the hemodynamic correction, free of Flink: band-limiting, per-pixel regression
 * and the spatial MMSE estimator per block, running z-scores, tiles and blocks, the offline
 * (whole-recording) reference, and per-pixel quality against a ground truth. The frame job's
 * operators and the benchmarks both call it.
 */
package org.cststream.job.frames.hemo;
