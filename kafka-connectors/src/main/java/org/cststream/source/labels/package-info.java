/**
 * Stimulus and behaviour sources: stimulus or TTL logs (CSV) and sampled behaviour traces ({@code
 * .npy} or CSV), published as small JSON records to their own topics, keyed by session, with times
 * on the session clock so that the job can align labels with frames.
 */
package org.cststream.source.labels;
