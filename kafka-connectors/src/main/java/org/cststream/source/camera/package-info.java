/**
 * The GenICam camera source: GigE Vision and USB3 Vision cameras through Aravis 0.8, called with
 * JNA. {@link org.cststream.source.camera.CameraSource} acquires and hands frames to the publisher;
 * {@link org.cststream.source.camera.FakeGigECamera} runs Aravis's fake camera for tests and
 * benchmarks.
 */
package org.cststream.source.camera;
