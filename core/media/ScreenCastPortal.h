// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "media/ScreenSource.h"

#include <QDBusConnection>
#include <QDBusObjectPath>
#include <QObject>
#include <QString>
#include <QVariantMap>

namespace confab {

// A screen share on Wayland: the xdg-desktop-portal ScreenCast exchange over D-Bus. The desktop
// shows its own picker; we get a PipeWire descriptor and node for pipewiresrc (ScreenSource).
//   CreateSession → SelectSources (monitor/window, cursor drawn in, persist + restore token)
//   → Start (the desktop's dialog) → OpenPipeWireRemote.
// Each step but the last answers through a Request object's Response signal, to which we subscribe
// before the call. The restore token the portal returns lets the next share skip its dialog; the
// caller keeps it (the desktop app in its settings) and hands it back in Options.
// One share at a time; the session lives until close() or until the desktop closes it.
class ScreenCastPortal : public QObject {
    Q_OBJECT
public:
    enum class Failure { Unavailable = 1, Cancelled, Refused, Failed };
    enum SourceType : uint { Monitor = 1, Window = 2 };

    struct Options {
        uint types = Monitor | Window;
        bool showCursor = true;
        QString restoreToken;  // from an earlier share; empty: the desktop asks
        QString parentWindow;  // "x11:HEX" or "wayland:HANDLE" for the dialog's parent; may be empty
    };

    explicit ScreenCastPortal(const QDBusConnection &bus = QDBusConnection::sessionBus(),
                              QObject *parent = nullptr);
    ~ScreenCastPortal() override;

    // True when screens must be shared through the portal: a Wayland session, where X11 capture sees
    // nothing but XWayland windows. From XDG_SESSION_TYPE, else WAYLAND_DISPLAY.
    static bool isWaylandSession();
    static QString describe(Failure failure);

    // Starts the exchange; ends in started() or failed(). Any session already open is closed first.
    void start(const Options &options);
    // Ends the session (the desktop stops its "sharing" indicator). No signal.
    void close();
    bool isActive() const { return step_ != Step::Idle; }

Q_SIGNALS:
    // `restoreToken` is the token for next time (empty when the portal gave none).
    void started(const confab::ScreenSource &source, const QString &restoreToken);
    void failed(confab::ScreenCastPortal::Failure failure, const QString &sentence);
    // The desktop ended a running share (e.g. its "Stop sharing" button).
    void closed();

private Q_SLOTS:
    void onResponse(uint response, const QVariantMap &results);
    void onSessionClosed();

private:
    enum class Step { Idle = 1, Properties, CreatingSession, SelectingSources, Starting, Opening, Sharing };

    void propertiesArrived(const QVariantMap &properties);
    // Calls `method` on the ScreenCast interface with a fresh handle_token in `options`, having
    // subscribed to the Response of the Request it will create.
    void request(const QString &method, QVariantList arguments, QVariantMap options);
    void subscribe(const QString &requestPath);
    void unsubscribe();
    void selectSources();
    void startSession();
    void openPipeWireRemote();
    void fail(Failure failure, const QString &detail = {});

    QDBusConnection bus_;
    Options options_;
    Step step_ = Step::Idle;
    uint version_ = 0;
    uint availableTypes_ = 0;
    uint cursorModes_ = 0;
    QString requestPath_;  // the Request whose Response we wait for
    QDBusObjectPath session_;
    quint32 node_ = 0;
    QString restoreToken_;
    int tokenCount_ = 0;
};

}  // namespace confab
