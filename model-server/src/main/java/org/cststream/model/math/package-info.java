/**
 * Small dense linear algebra shared by the project's modules: the symmetric eigendecomposition
 * behind the hemodynamic correction's MMSE estimator and the decoders' PCA. Plain Java on double
 * arrays, no native code.
 */
package org.cststream.model.math;
