package org.cststream.frame;

import java.nio.ByteBuffer;

/** Converts between raw pixel bytes of any {@link PixelType} and float arrays. */
public final class PixelConversion {
    private PixelConversion() {}

    /**
     * Returns the frame's pixels as floats in row-major order. Unsigned types are widened ({@code
     * value & 0xFFFF}), so 65535 stays 65535.
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
                {
                    short[] raw = new short[n];
                    b.asShortBuffer().get(raw);
                    for (int i = 0; i < n; i++) {
                        out[i] = raw[i] & 0xFFFF;
                    }
                    break;
                }
            case INT16:
                {
                    short[] raw = new short[n];
                    b.asShortBuffer().get(raw);
                    for (int i = 0; i < n; i++) {
                        out[i] = raw[i];
                    }
                    break;
                }
            case FLOAT32:
                b.asFloatBuffer().get(out);
                break;
            default:
                throw new IllegalStateException("unhandled pixel type " + frame.pixelType);
        }
        return out;
    }

    /** Returns float values as little-endian float32 pixel bytes. */
    public static byte[] fromFloats(float[] values) {
        ByteBuffer b =
                ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
