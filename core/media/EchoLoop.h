// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/MediaOptions.h"
#include "media/RemoteMedia.h"

namespace confab {

// The echo service's loop: what a call receives is played into inter elements on the channel
// `media.echoChannel`, where that call's own echo sources (LocalMedia's Echo kinds) pick it up and
// send it back. Video is scaled into the echo's own frame size with its aspect ratio kept (black
// bars), so a 16:9 picture comes back 16:9 inside a 4:3 frame, not stretched.
class EchoLoop {
public:
    static RemoteMedia::SinkFactory sinks(const MediaOptions &media);
};

}  // namespace confab
