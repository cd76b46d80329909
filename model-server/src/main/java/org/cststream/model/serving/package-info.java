/**
 * Serving the CST: one interface for running the model on windows of tokens ({@link
 * org.cststream.model.serving.WindowInference}), in this process or through the model server
 * ({@link org.cststream.model.serving.ModelServer}, its binary protocol in {@link
 * org.cststream.model.serving.WindowCodec}, its client {@link
 * org.cststream.model.serving.RemoteInference}). The server batches requests on one inference
 * thread behind a bounded queue and refuses what exceeds its limits with a reason.
 */
package org.cststream.model.serving;
