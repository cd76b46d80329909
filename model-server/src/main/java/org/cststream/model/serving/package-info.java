/**
 * Serving the CST: one interface for running the model on windows of tokens, whether the model is
 * in this process or behind the model server, and the implementations of it.
 */
package org.cststream.model.serving;
