/**
 * Decoding a label (a behaviour trace, a stimulus's contrast) from features of CST windows, as in
 * the CST paper: PCA to a few components, K-nearest-neighbour regression, evaluated over repeated
 * train/test splits with MSE and R2. A fitted {@link org.cststream.model.decoding.Decoder} is saved
 * to one file in the project's own format and applied to one window's features at a time.
 */
package org.cststream.model.decoding;
