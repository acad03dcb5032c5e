// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib-object.h>
#include <glib.h>

#include <memory>

// Owners for GLib-family references, so no function has two unref paths.
namespace confab {

struct GObjectUnref {
    void operator()(gpointer object) const { g_object_unref(object); }
};
struct GFree {
    void operator()(gpointer memory) const { g_free(memory); }
};
struct GErrorFree {
    void operator()(GError *error) const { g_error_free(error); }
};
struct GBytesUnref {
    void operator()(GBytes *bytes) const { g_bytes_unref(bytes); }
};
struct GSourceDestroy {
    void operator()(GSource *source) const {
        g_source_destroy(source);
        g_source_unref(source);
    }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
using GCharPtr = std::unique_ptr<gchar, GFree>;
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;
// A main-loop source that is removed from its context when its owner goes away.
using GSourcePtr = std::unique_ptr<GSource, GSourceDestroy>;

// Takes a new reference, for objects we are handed but do not own (signal arguments).
template <typename T>
GObjectPtr<T> retained(T *object) {
    return GObjectPtr<T>(static_cast<T *>(g_object_ref(object)));
}

// For C out-parameters: `GErrorPtr error; f(..., out(error));`
class GErrorOut {
public:
    explicit GErrorOut(GErrorPtr &owner) : owner_(owner) {}
    ~GErrorOut() { owner_.reset(raw_); }
    GErrorOut(const GErrorOut &) = delete;
    GErrorOut &operator=(const GErrorOut &) = delete;
    operator GError **() { return &raw_; }

private:
    GErrorPtr &owner_;
    GError *raw_ = nullptr;
};
inline GErrorOut out(GErrorPtr &owner) {
    return GErrorOut(owner);
}

}  // namespace confab
