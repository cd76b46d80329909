package org.cststream.source.camera;

/**
 * What to set on a camera before acquisition, and how the source runs it. A value left at its
 * "unset" default leaves the camera's own setting alone.
 *
 * @param pixelFormat GenICam pixel format name ({@code Mono8}, {@code Mono12}, {@code Mono16}...),
 *     or null
 * @param region {x, y, width, height} in sensor pixels, or null for the camera's current region
 * @param exposureMicros exposure time in microseconds (> 0), or NaN
 * @param frameRate free-running frame rate in frames/s (> 0), or NaN
 * @param packetSizeBytes GigE Vision packet size in bytes (576..65500), or 0
 * @param buffers image buffers Aravis may fill before the source takes them (2..1024)
 */
public record CameraSettings(
        String pixelFormat,
        int[] region,
        double exposureMicros,
        double frameRate,
        int packetSizeBytes,
        int buffers) {

    /** Settings that change nothing on the camera, with 32 buffers. */
    public static CameraSettings unchanged() {
        return new CameraSettings(null, null, Double.NaN, Double.NaN, 0, 32);
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the setting, its bound and unit
     */
    public CameraSettings {
        if (region != null) {
            if (region.length != 4) {
                throw new IllegalArgumentException(
                        "region must be x,y,width,height in pixels, got "
                                + region.length
                                + " value(s)");
            }
            if (region[0] < 0 || region[1] < 0 || region[2] < 1 || region[3] < 1) {
                throw new IllegalArgumentException(
                        "region x,y must be >= 0 and width,height >= 1 pixel, got "
                                + region[0]
                                + ","
                                + region[1]
                                + ","
                                + region[2]
                                + ","
                                + region[3]);
            }
            region = region.clone();
        }
        if (!Double.isNaN(exposureMicros) && !(exposureMicros > 0)) {
            throw new IllegalArgumentException(
                    "exposure must be > 0 us, was " + exposureMicros + " us");
        }
        if (!Double.isNaN(frameRate) && !(frameRate > 0 && frameRate <= 100_000)) {
            throw new IllegalArgumentException(
                    "frame rate must be in (0, 100000] frames/s, was " + frameRate);
        }
        if (packetSizeBytes != 0 && (packetSizeBytes < 576 || packetSizeBytes > 65_500)) {
            throw new IllegalArgumentException(
                    "packet size must be in 576..65500 bytes (0 = camera default), was "
                            + packetSizeBytes);
        }
        if (buffers < 2 || buffers > 1024) {
            throw new IllegalArgumentException("camera buffers must be in 2..1024, was " + buffers);
        }
    }

    /**
     * Applies the settings that are set, in an order cameras accept: format, region, timing.
     *
     * @throws CameraException naming the setting the camera refused
     */
    public void applyTo(AravisCamera camera) throws CameraException {
        if (pixelFormat != null) {
            camera.setPixelFormat(pixelFormat);
        }
        if (region != null) {
            camera.setRegion(region[0], region[1], region[2], region[3]);
        }
        if (!Double.isNaN(exposureMicros)) {
            camera.setExposureMicros(exposureMicros);
        }
        if (!Double.isNaN(frameRate)) {
            camera.setFrameRate(frameRate);
        }
        if (packetSizeBytes > 0) {
            camera.setPacketSize(packetSizeBytes);
        }
    }
}
