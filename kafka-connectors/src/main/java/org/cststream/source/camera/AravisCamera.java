package org.cststream.source.camera;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.cststream.frame.PixelType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GenICam camera (GigE Vision or USB3 Vision) opened through Aravis: identity, settings, and a
 * stream of image buffers that the caller pops, copies and hands back.
 *
 * <p>Aravis receives packets on its own stream thread into the buffers pushed with {@link
 * #start(int)}; {@link #grab(long)} waits for the next filled buffer, copies its pixels into a Java
 * array and returns the buffer to the stream at once, so a slow consumer never holds a camera
 * buffer. Not thread-safe: one acquisition thread calls {@link #grab(long)}.
 */
public final class AravisCamera implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AravisCamera.class);

    /** GenICam PFNC codes of the monochrome formats this source publishes. */
    static final int MONO8 = 0x01080001;

    static final int MONO10 = 0x01100003;
    static final int MONO12 = 0x01100005;
    static final int MONO14 = 0x01100025;
    static final int MONO16 = 0x01100007;

    private static volatile Native natives;
    private static volatile String unavailable;

    private final Native n;
    private final String id;
    private Pointer camera;
    private Pointer stream;
    private final List<Pointer> buffers = new ArrayList<>();

    /** The loaded libraries, held together so they load once per JVM. */
    private record Native(AravisLibrary arv, GLibrary glib, GLibrary.GObject gobject) {}

    private AravisCamera(Native n, String id, Pointer camera) {
        this.n = n;
        this.id = id;
        this.camera = camera;
    }

    /**
     * Returns why Aravis cannot be used in this JVM, or empty when it can: the library {@value
     * AravisLibrary#LIBRARY} (Debian package {@code libaravis-0.8-0}) must be installed.
     */
    public static synchronized Optional<String> unavailableReason() {
        if (natives == null && unavailable == null) {
            try {
                natives = new Native(AravisLibrary.load(), GLibrary.load(), GLibrary.loadGObject());
            } catch (UnsatisfiedLinkError e) {
                unavailable =
                        "cannot load "
                                + AravisLibrary.LIBRARY
                                + " ("
                                + e.getMessage()
                                + "); install Debian's libaravis-0.8-0 (apt-get install"
                                + " libaravis-0.8-0)";
            }
        }
        return Optional.ofNullable(unavailable);
    }

    /**
     * Opens a camera.
     *
     * @param id an IP address (GigE Vision, e.g. {@code 127.0.0.1}: opened directly, without
     *     broadcast discovery), an Aravis device id such as {@code Aravis-Fake-GV01}
     *     (vendor-model-serial, found by discovery), or null for the first camera found
     * @throws CameraException if Aravis is not installed or no camera answers; the message says
     *     which and how to check
     */
    public static AravisCamera open(String id) throws CameraException {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new CameraException(reason.get());
        }
        Native n = natives;
        PointerByReference error = new PointerByReference();
        Pointer camera = n.arv.arv_camera_new(id, error);
        String message = takeError(n, error);
        if (camera == null || message != null) {
            throw new CameraException(
                    "no camera answered as '"
                            + (id == null ? "(first found)" : id)
                            + "'"
                            + (message == null ? "" : ": " + message)
                            + "; give the camera's IP address (GigE Vision: opened directly, no"
                            + " broadcast needed) or its Aravis device id, and check that it is"
                            + " powered and reachable");
        }
        return new AravisCamera(n, id == null ? "first" : id, camera);
    }

    /** Returns the camera id this camera was opened with. */
    public String id() {
        return id;
    }

    /** Returns "vendor model serial" as the camera reports them. */
    public String describe() throws CameraException {
        return call("read vendor", e -> n.arv.arv_camera_get_vendor_name(camera, e))
                + " "
                + call("read model", e -> n.arv.arv_camera_get_model_name(camera, e))
                + " serial "
                + serialNumber();
    }

    /** Returns the camera's serial number. */
    public String serialNumber() throws CameraException {
        return call(
                "read serial number", e -> n.arv.arv_camera_get_device_serial_number(camera, e));
    }

    /**
     * Sets the pixel format by its GenICam name ({@code Mono8}, {@code Mono12}, {@code Mono16}...).
     *
     * @throws CameraException if the camera refuses it, or it is not a monochrome format this
     *     source publishes
     */
    public void setPixelFormat(String name) throws CameraException {
        run(
                "set pixel format " + name,
                e -> n.arv.arv_camera_set_pixel_format_from_string(camera, name, e));
        pixelType(pixelFormat(), name);
    }

    /** Returns the camera's current pixel format code (GenICam PFNC). */
    public int pixelFormat() throws CameraException {
        return call("read pixel format", e -> n.arv.arv_camera_get_pixel_format(camera, e));
    }

    /** Returns the camera's current pixel format name. */
    public String pixelFormatName() throws CameraException {
        return call(
                "read pixel format", e -> n.arv.arv_camera_get_pixel_format_as_string(camera, e));
    }

    /**
     * Sets the region of interest, in sensor pixels.
     *
     * @param x left column, 0 or more
     * @param y top row, 0 or more
     * @param width columns, 1 or more
     * @param height rows, 1 or more
     */
    public void setRegion(int x, int y, int width, int height) throws CameraException {
        run(
                "set region " + x + "," + y + "," + width + "," + height,
                e -> n.arv.arv_camera_set_region(camera, x, y, width, height, e));
    }

    /** Returns the region as {x, y, width, height} in pixels. */
    public int[] region() throws CameraException {
        IntByReference x = new IntByReference();
        IntByReference y = new IntByReference();
        IntByReference w = new IntByReference();
        IntByReference h = new IntByReference();
        run("read region", e -> n.arv.arv_camera_get_region(camera, x, y, w, h, e));
        return new int[] {x.getValue(), y.getValue(), w.getValue(), h.getValue()};
    }

    /** Returns the sensor size as {width, height} in pixels. */
    public int[] sensorSize() throws CameraException {
        IntByReference w = new IntByReference();
        IntByReference h = new IntByReference();
        run("read sensor size", e -> n.arv.arv_camera_get_sensor_size(camera, w, h, e));
        return new int[] {w.getValue(), h.getValue()};
    }

    /** Sets the exposure time in microseconds (> 0). */
    public void setExposureMicros(double micros) throws CameraException {
        run(
                "set exposure " + micros + " us",
                e -> n.arv.arv_camera_set_exposure_time(camera, micros, e));
    }

    /** Returns the exposure time in microseconds. */
    public double exposureMicros() throws CameraException {
        return call("read exposure", e -> n.arv.arv_camera_get_exposure_time(camera, e));
    }

    /** Sets the free-running frame rate in frames/s (> 0). */
    public void setFrameRate(double hertz) throws CameraException {
        run(
                "set frame rate " + hertz + " frames/s",
                e -> n.arv.arv_camera_set_frame_rate(camera, hertz, e));
    }

    /** Returns the frame rate in frames/s. */
    public double frameRate() throws CameraException {
        return call("read frame rate", e -> n.arv.arv_camera_get_frame_rate(camera, e));
    }

    /**
     * Sets the GigE Vision packet size in bytes; larger packets (up to the link's MTU) cost less
     * per frame. Ignored for other transports.
     */
    public void setPacketSize(int bytes) throws CameraException {
        if (n.arv.arv_camera_is_gv_device(camera)) {
            run(
                    "set packet size " + bytes + " bytes",
                    e -> n.arv.arv_camera_gv_set_packet_size(camera, bytes, e));
        }
    }

    /** Returns the size of one image buffer in bytes, as the camera announces it. */
    public int payloadBytes() throws CameraException {
        return call("read payload size", e -> n.arv.arv_camera_get_payload(camera, e));
    }

    /**
     * Creates the stream, pushes {@code bufferCount} buffers into it and starts continuous
     * acquisition.
     *
     * @param bufferCount buffers Aravis may fill before the acquisition thread pops them (2 or
     *     more); when all are full, the camera's frames are lost and counted as underruns
     */
    public void start(int bufferCount) throws CameraException {
        if (bufferCount < 2) {
            throw new IllegalArgumentException(
                    "camera buffers must be 2 or more, was " + bufferCount);
        }
        if (n.arv.arv_camera_is_feature_available(camera, "AcquisitionMode", null)) {
            run(
                    "set continuous acquisition",
                    e -> n.arv.arv_camera_set_string(camera, "AcquisitionMode", "Continuous", e));
        }
        stream = call("create stream", e -> n.arv.arv_camera_create_stream(camera, null, null, e));
        if (stream == null) {
            throw new CameraException(
                    "camera " + id + ": Aravis created no stream; is another program streaming?");
        }
        long payload = payloadBytes();
        for (int i = 0; i < bufferCount; i++) {
            Pointer b = n.arv.arv_buffer_new(payload, null);
            buffers.add(b);
            n.arv.arv_stream_push_buffer(stream, b);
        }
        run("start acquisition", e -> n.arv.arv_camera_start_acquisition(camera, e));
        LOG.info(
                "camera acquisition started camera={} buffers={} payloadBytes={}",
                id,
                bufferCount,
                payload);
    }

    /**
     * Waits for the next buffer, copies it and gives the buffer back to the stream.
     *
     * @param timeoutMicros longest wait, in microseconds
     * @return the buffer's content, or null if none arrived in time
     */
    public Grab grab(long timeoutMicros) {
        Pointer b = n.arv.arv_stream_timeout_pop_buffer(stream, timeoutMicros);
        return b == null ? null : copyAndReturn(b);
    }

    /** Returns the next buffer already filled, or null; never waits. */
    public Grab tryGrab() {
        Pointer b = n.arv.arv_stream_try_pop_buffer(stream);
        return b == null ? null : copyAndReturn(b);
    }

    private Grab copyAndReturn(Pointer b) {
        long hostNanos = org.cststream.frame.WallClock.nanos();
        try {
            int status = n.arv.arv_buffer_get_status(b);
            long frameId = n.arv.arv_buffer_get_frame_id(b);
            long timestamp = n.arv.arv_buffer_get_timestamp(b);
            if (status != 0) {
                return new Grab(status, frameId, timestamp, hostNanos, 0, 0, 0, null);
            }
            int width = n.arv.arv_buffer_get_image_width(b);
            int height = n.arv.arv_buffer_get_image_height(b);
            int format = n.arv.arv_buffer_get_image_pixel_format(b);
            LongByReference size = new LongByReference();
            Pointer data = n.arv.arv_buffer_get_data(b, size);
            PixelType type = pixelTypeOrNull(format);
            long needed = type == null ? -1 : (long) width * height * type.bytesPerPixel();
            if (data == null || type == null || needed > size.getValue() || needed <= 0) {
                return new Grab(
                        STATUS_UNUSABLE,
                        frameId,
                        timestamp,
                        hostNanos,
                        width,
                        height,
                        format,
                        null);
            }
            byte[] pixels = data.getByteArray(0, (int) needed);
            return new Grab(0, frameId, timestamp, hostNanos, width, height, format, pixels);
        } finally {
            n.arv.arv_stream_push_buffer(stream, b);
        }
    }

    /** Status this class gives a buffer whose layout it cannot publish (not an Aravis status). */
    public static final int STATUS_UNUSABLE = 1000;

    /**
     * Returns the stream's counters: buffers completed, failed (incomplete frames) and underruns
     * (frames lost because no buffer was free), as Aravis counts them since {@link #start(int)}.
     */
    public long[] statistics() {
        if (stream == null) {
            return new long[3];
        }
        LongByReference completed = new LongByReference();
        LongByReference failures = new LongByReference();
        LongByReference underruns = new LongByReference();
        n.arv.arv_stream_get_statistics(stream, completed, failures, underruns);
        return new long[] {completed.getValue(), failures.getValue(), underruns.getValue()};
    }

    /** Stops acquisition; buffers already filled can still be taken with {@link #tryGrab()}. */
    public void stop() throws CameraException {
        if (stream != null) {
            run("stop acquisition", e -> n.arv.arv_camera_stop_acquisition(camera, e));
        }
    }

    /** Releases the stream, its buffers and the camera (which gives up control of the device). */
    @Override
    public void close() {
        if (stream != null) {
            n.gobject.g_object_unref(stream);
            stream = null;
        }
        // the stream owned the buffers pushed into it and released them with itself
        buffers.clear();
        if (camera != null) {
            n.gobject.g_object_unref(camera);
            camera = null;
        }
    }

    /**
     * Returns the frame's pixel type for a PFNC code: Mono8 is uint8; Mono10/12/14/16 arrive
     * unpacked in 16-bit little-endian words and are uint16.
     *
     * @throws CameraException naming the format and the supported ones
     */
    static PixelType pixelType(int format, String name) throws CameraException {
        PixelType type = pixelTypeOrNull(format);
        if (type == null) {
            throw new CameraException(
                    String.format(
                            Locale.ROOT,
                            "pixel format %s (0x%08x) is not published by this source; use"
                                    + " Mono8, Mono10, Mono12, Mono14 or Mono16 (packed and colour"
                                    + " formats are not supported)",
                            name,
                            format));
        }
        return type;
    }

    static PixelType pixelTypeOrNull(int format) {
        switch (format) {
            case MONO8:
                return PixelType.UINT8;
            case MONO10:
            case MONO12:
            case MONO14:
            case MONO16:
                return PixelType.UINT16;
            default:
                return null;
        }
    }

    /** Returns Aravis's name for a buffer status, for metric tags and log lines. */
    static String statusName(int status) {
        switch (status) {
            case 0:
                return "success";
            case 1:
                return "cleared";
            case 2:
                return "timeout";
            case 3:
                return "missing-packets";
            case 4:
                return "wrong-packet-id";
            case 5:
                return "size-mismatch";
            case 6:
                return "filling";
            case 7:
                return "aborted";
            case STATUS_UNUSABLE:
                return "unusable-layout";
            default:
                return "other";
        }
    }

    /**
     * One buffer's content.
     *
     * @param status Aravis buffer status, 0 when complete
     * @param frameId the camera's frame (block) id
     * @param timestampNanos the camera's timestamp, ns (device clock)
     * @param hostNanos host wall clock when the buffer was taken, ns since the Unix epoch
     * @param width columns
     * @param height rows
     * @param pixelFormat PFNC code
     * @param pixels row-major pixel bytes, or null when the status is not 0
     */
    public record Grab(
            int status,
            long frameId,
            long timestampNanos,
            long hostNanos,
            int width,
            int height,
            int pixelFormat,
            byte[] pixels) {
        /** Returns true if the frame arrived whole. */
        public boolean isComplete() {
            return status == 0 && pixels != null;
        }
    }

    private interface ErrorCall<T> {
        T call(PointerByReference error);
    }

    private interface ErrorRun {
        void run(PointerByReference error);
    }

    private <T> T call(String step, ErrorCall<T> c) throws CameraException {
        PointerByReference error = new PointerByReference();
        T value = c.call(error);
        String message = takeError(n, error);
        if (message != null) {
            throw new CameraException("camera " + id + ": cannot " + step + ": " + message);
        }
        return value;
    }

    private void run(String step, ErrorRun r) throws CameraException {
        call(
                step,
                e -> {
                    r.run(e);
                    return null;
                });
    }

    /** Returns the message of a GError set by a call and frees it, or null if none was set. */
    private static String takeError(Native n, PointerByReference error) {
        Pointer e = error.getValue();
        if (e == null) {
            return null;
        }
        // struct GError { GQuark domain; gint code; gchar *message; }: the pointer sits at 8
        Pointer text = e.getPointer(8);
        String message = text == null ? "unknown error" : text.getString(0);
        int code = e.getInt(4);
        n.glib.g_error_free(e);
        return message + " (code " + code + ")";
    }
}
