package org.cststream.frame;

import java.nio.ByteBuffer;

/** Converts between raw pixel bytes of any {@link PixelType} and float arrays. */
public final class PixelConversion {
    private PixelConversion() {}

    /**
     * Returns the frame's pixels as floats in row-major order. Unsigned types are widened
     * ({@code value & 0xFFFF}), so 65535 stays 65535.
     */
    public static float[] toFloats(Frame frame) {
        int n = frame.width * frame.height;
        float[] out = new float[n];
        ByteBuffer b = ByteBuffer.wrap(frame.pixels).order(frame.byteOrder());
        switch (frame.pixelType) {
            case UINT8:
                for (int i = 0; i < n; i++) {
                    out[i] = frame.pixels[i] & 0xFF;
                }
                break;
            case UINT16:
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i) & 0xFFFF;
                }
                break;
            case INT16:
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
                break;
            case FLOAT32:
                for (int i = 0; i < n; i++) {
                    out[i] = b.getFloat(4 * i);
                }
                break;
            default:
                throw new IllegalStateException("unhandled pixel type " + frame.pixelType);
        }
        return out;
    }

    /** Returns float values as little-endian float32 pixel bytes. */
    public static byte[] fromFloats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
