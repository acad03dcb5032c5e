// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib-object.h>

#include <memory>
#include <utility>

namespace confab {

// Connects `callback` to `signal` of `instance` with a std::shared_ptr<T> of its own as user data,
// deleted with the handler: the signal may be emitted on a streaming thread until the pipeline
// stops, after the object's owner (a call being torn down) has let go of it. `callback` receives
// the std::shared_ptr<T> * as its last argument. The signal's twin of addSharedProbe.
template <class T>
gulong connectShared(gpointer instance, const char *signal, GCallback callback, std::shared_ptr<T> object) {
    return g_signal_connect_data(
        instance, signal, callback, new std::shared_ptr<T>(std::move(object)),
        +[](gpointer owned, GClosure *) { delete static_cast<std::shared_ptr<T> *>(owned); }, GConnectFlags(0));
}

}  // namespace confab
