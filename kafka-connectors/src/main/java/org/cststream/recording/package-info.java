/**
 * Readers that give random access to the frames of a recorded session, one per file format ({@code
 * .npy} folders and stacks, raw {@code .dat}, TIFF stacks and folders), the format detection behind
 * {@link org.cststream.recording.Recordings#open}, and a seeded synthetic session for demos. Every
 * reader hands out frames as {@link org.cststream.frame.Frame}s with their pixels left in the
 * file's type, so replay sends exactly what was recorded.
 */
package org.cststream.recording;
