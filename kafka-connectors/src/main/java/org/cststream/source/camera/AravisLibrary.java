package org.cststream.source.camera;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of Aravis 0.8's C API this project calls, mapped with JNA. Loaded from {@code
 * libaravis-0.8.so.0} (Debian's {@code libaravis-0.8-0}).
 *
 * <p>Functions that take a {@code GError **} report failures through it; {@link AravisCamera} turns
 * them into exceptions. Strings returned as {@code const char *} belong to Aravis and must not be
 * freed.
 */
interface AravisLibrary extends Library {
    /** The shared library's file name, as Debian installs it. */
    String LIBRARY = "libaravis-0.8.so.0";

    /** Loads the library. */
    static AravisLibrary load() {
        return Native.load(LIBRARY, AravisLibrary.class);
    }

    Pointer arv_camera_new(String name, PointerByReference error);

    String arv_camera_get_vendor_name(Pointer camera, PointerByReference error);

    String arv_camera_get_model_name(Pointer camera, PointerByReference error);

    String arv_camera_get_device_serial_number(Pointer camera, PointerByReference error);

    String arv_camera_get_device_id(Pointer camera, PointerByReference error);

    void arv_camera_get_sensor_size(
            Pointer camera, IntByReference width, IntByReference height, PointerByReference error);

    void arv_camera_set_region(
            Pointer camera, int x, int y, int width, int height, PointerByReference error);

    void arv_camera_get_region(
            Pointer camera,
            IntByReference x,
            IntByReference y,
            IntByReference width,
            IntByReference height,
            PointerByReference error);

    void arv_camera_set_binning(Pointer camera, int dx, int dy, PointerByReference error);

    void arv_camera_set_exposure_time(
            Pointer camera, double microseconds, PointerByReference error);

    double arv_camera_get_exposure_time(Pointer camera, PointerByReference error);

    void arv_camera_set_frame_rate(Pointer camera, double hertz, PointerByReference error);

    double arv_camera_get_frame_rate(Pointer camera, PointerByReference error);

    void arv_camera_set_pixel_format_from_string(
            Pointer camera, String format, PointerByReference error);

    String arv_camera_get_pixel_format_as_string(Pointer camera, PointerByReference error);

    int arv_camera_get_pixel_format(Pointer camera, PointerByReference error);

    int arv_camera_get_payload(Pointer camera, PointerByReference error);

    void arv_camera_set_string(
            Pointer camera, String feature, String value, PointerByReference error);

    boolean arv_camera_is_feature_available(
            Pointer camera, String feature, PointerByReference error);

    boolean arv_camera_is_gv_device(Pointer camera);

    void arv_camera_gv_set_packet_size(Pointer camera, int bytes, PointerByReference error);

    int arv_camera_gv_get_packet_size(Pointer camera, PointerByReference error);

    Pointer arv_camera_create_stream(
            Pointer camera, Pointer callback, Pointer userData, PointerByReference error);

    void arv_camera_start_acquisition(Pointer camera, PointerByReference error);

    void arv_camera_stop_acquisition(Pointer camera, PointerByReference error);

    Pointer arv_buffer_new(long size, Pointer preallocated);

    void arv_stream_push_buffer(Pointer stream, Pointer buffer);

    Pointer arv_stream_timeout_pop_buffer(Pointer stream, long timeoutMicros);

    Pointer arv_stream_try_pop_buffer(Pointer stream);

    void arv_stream_get_statistics(
            Pointer stream,
            LongByReference completed,
            LongByReference failures,
            LongByReference underruns);

    int arv_buffer_get_status(Pointer buffer);

    long arv_buffer_get_frame_id(Pointer buffer);

    long arv_buffer_get_timestamp(Pointer buffer);

    long arv_buffer_get_system_timestamp(Pointer buffer);

    Pointer arv_buffer_get_data(Pointer buffer, LongByReference size);

    int arv_buffer_get_image_width(Pointer buffer);

    int arv_buffer_get_image_height(Pointer buffer);

    int arv_buffer_get_image_pixel_format(Pointer buffer);

    void arv_shutdown();
}
