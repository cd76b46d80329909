package org.cststream.source.camera;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** GLib and GObject functions needed beside Aravis: reference counting and error release. */
interface GLibrary extends Library {
    /** GObject's shared library, a dependency of Aravis. */
    String GOBJECT = "libgobject-2.0.so.0";

    /** GLib's shared library, a dependency of Aravis. */
    String GLIB = "libglib-2.0.so.0";

    /** Loads GObject's reference counting. */
    static GObject loadGObject() {
        return Native.load(GOBJECT, GObject.class);
    }

    /** Loads GLib's error release. */
    static GLibrary load() {
        return Native.load(GLIB, GLibrary.class);
    }

    void g_error_free(Pointer error);

    /** GObject's reference counting. */
    interface GObject extends Library {
        void g_object_unref(Pointer object);
    }
}
