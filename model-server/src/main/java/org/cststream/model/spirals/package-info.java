/**
 * The paper's spirals experiment: the integral-equation spiral data set, its 70/30 split with 10
 * observed points per curve, the {@link org.cststream.model.spirals.Interpolator} contract that
 * classical and neural methods share, and the benchmark that scores them and draws the pictures.
 * Linear and natural cubic-spline interpolation live here as the baselines; the neural models
 * implement the same interface elsewhere.
 */
package org.cststream.model.spirals;
