// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QIcon>

namespace confab::ui {

// The call screen's icons: taken from the desktop's icon theme by their freedesktop names where
// the theme has them, otherwise drawn here (the bundled fallback, so the buttons never go blank).
// Either way the glyph is recoloured for the dark call stage: light on a round dark button, dark
// when the button is checked (a light disc, as a muted microphone shows).
class CallIcons {
public:
    enum class Glyph {
        Microphone = 1,
        MicrophoneMuted,
        Camera,
        CameraOff,
        ScreenShare,
        Chat,
        Statistics,
        FullScreen,
        LeaveFullScreen,
        HangUp,
        HideSelfView,
        ShowSelfView,
    };

    // `off` for the button's normal state, `on` for its checked state (may be the same glyph).
    static QIcon icon(Glyph off, Glyph on);
    static QIcon icon(Glyph glyph) { return icon(glyph, glyph); }
    // Only the drawn fallback, never the theme's (tests and screenshots compare like with like).
    static QPixmap drawn(Glyph glyph, int size, const QColor &colour);

    static constexpr QColor kLight{0xf4, 0xf5, 0xf7};
    static constexpr QColor kDark{0x1b, 0x1d, 0x22};

private:
    static QPixmap pixmap(Glyph glyph, int size, const QColor &colour);
};

}  // namespace confab::ui
