/**
 * A widefield phantom: seeded two- or three-channel sessions with known neural ground truth (real
 * parcel traces through a parcel map, visual responses to gratings), hemodynamics absorbing light
 * in every channel, and a camera's noise, offset, bleaching and saturation. {@link
 * org.cststream.recording.phantom.PhantomRecording} is a recording reader the replay publishes like
 * any file; {@link org.cststream.recording.phantom.PhantomWriter} writes it to the formats the
 * replay reads, with the truth beside it.
 */
package org.cststream.recording.phantom;
