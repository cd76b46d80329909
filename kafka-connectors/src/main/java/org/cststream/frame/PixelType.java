package org.cststream.frame;

/** Pixel types a frame may carry on the wire. The code is the byte stored in the frame header. */
public enum PixelType {
    UINT8(1, 1, 255.0),
    UINT16(2, 2, 65535.0),
    INT16(3, 2, 32767.0),
    FLOAT32(4, 4, Double.POSITIVE_INFINITY);

    private final int code;
    private final int bytesPerPixel;
    private final double saturationValue;

    PixelType(int code, int bytesPerPixel, double saturationValue) {
        this.code = code;
        this.bytesPerPixel = bytesPerPixel;
        this.saturationValue = saturationValue;
    }

    /** Returns the one-byte code of this type in the frame header. */
    public int code() {
        return code;
    }

    /** Returns the size of one pixel in bytes (1, 2 or 4). */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    /**
     * Returns the largest value a sensor of this type can report; a pixel at this value is
     * saturated. Infinite for float frames, which have no saturation level.
     */
    public double saturationValue() {
        return saturationValue;
    }

    /**
     * Returns the type with the given header code.
     *
     * @throws IllegalArgumentException if no type has that code
     */
    public static PixelType fromCode(int code) {
        for (PixelType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new IllegalArgumentException(
                "unknown pixel type code "
                        + code
                        + " (known: 1=uint8, 2=uint16, 3=int16, 4=float32)");
    }

    /**
     * Parses a pixel type name as written on the command line or in NumPy ({@code uint16}, {@code
     * <u2}, {@code int16}, {@code float32}, ...).
     *
     * @throws IllegalArgumentException if the name is not a supported type
     */
    public static PixelType fromName(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (n) {
            case "uint8":
            case "u1":
            case "|u1":
                return UINT8;
            case "uint16":
            case "u2":
            case "<u2":
            case ">u2":
                return UINT16;
            case "int16":
            case "i2":
            case "<i2":
            case ">i2":
                return INT16;
            case "float32":
            case "f4":
            case "<f4":
            case ">f4":
                return FLOAT32;
            default:
                throw new IllegalArgumentException(
                        "unsupported pixel type '"
                                + name
                                + "': use one of uint8, uint16, int16, float32");
        }
    }
}
