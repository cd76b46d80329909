/**
 * The CST in the stream: frames of a recording prepared offline exactly as the job prepares them,
 * the fill benchmark, and the Flink operators that fill dropped and irregular frames.
 */
package org.cststream.job.cst;
