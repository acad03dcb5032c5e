// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "util/GLibPtr.h"
#include "util/GstPtr.h"

#include <QObject>

namespace confab {

// The call's chat: one ordered WebRTC data channel labelled "chat". The caller creates it before
// it offers (webrtcbin must be at READY); the callee is handed it by webrtcbin (on-data-channel).
// webrtcbin and SCTP call us on their own threads; opened() and received() arrive on the main
// thread. detach() must run after the pipeline is at NULL (no more callbacks) and before the
// channel's webrtcbin goes.
class ChatChannel : public QObject {
    Q_OBJECT
public:
    explicit ChatChannel(QObject *parent = nullptr);
    ~ChatChannel() override;

    // Caller: creates the channel on `webrtc`; false (logged) when webrtcbin could not.
    bool create(GstElement *webrtc);
    // Callee: takes the channel the peer opens on `webrtc`.
    void acceptFrom(GstElement *webrtc);
    void detach();

    bool isOpen() const { return open_; }
    // False when the channel is not open (yet): the text is not sent.
    bool send(const QString &text);

Q_SIGNALS:
    void opened();
    void received(const QString &text);

private:
    void attach(GObjectPtr<GstWebRTCDataChannel> channel);
    void markOpen();

    static void onDataChannel(GstElement *, GstWebRTCDataChannel *channel, gpointer self);
    static void onOpen(GstWebRTCDataChannel *, gpointer self);
    static void onMessage(GstWebRTCDataChannel *, gchar *text, gpointer self);

    GstPtr<GstElement> webrtc_;  // while we listen for the peer's channel
    GObjectPtr<GstWebRTCDataChannel> channel_;
    bool open_ = false;
};

}  // namespace confab
