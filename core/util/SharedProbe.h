// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <memory>
#include <utility>

namespace confab {

// Adds a pad probe whose user data is a std::shared_ptr<T> of its own, deleted with the probe: a
// probe may run on a streaming thread until the pipeline stops, after the object's owner (a call
// being torn down) has let go of it. `callback` receives the std::shared_ptr<T> * as its data.
template <class T>
gulong addSharedProbe(GstPad *pad, GstPadProbeType mask, GstPadProbeCallback callback,
                      std::shared_ptr<T> object) {
    return gst_pad_add_probe(
        pad, mask, callback, new std::shared_ptr<T>(std::move(object)),
        +[](gpointer owned) { delete static_cast<std::shared_ptr<T> *>(owned); });
}

}  // namespace confab
