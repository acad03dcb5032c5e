// SPDX-License-Identifier: GPL-3.0-or-later
#include "call/ChatChannel.h"

#include "util/Logging.h"
#include "util/MainThread.h"

#include <memory>

namespace confab {

namespace {
constexpr char kLabel[] = "chat";
}

ChatChannel::ChatChannel(QObject *parent) : QObject(parent) {}

ChatChannel::~ChatChannel() {
    detach();
}

bool ChatChannel::create(GstElement *webrtc) {
    GstStructurePtr options(gst_structure_new("application/data-channel", "ordered", G_TYPE_BOOLEAN, TRUE, nullptr));
    GstWebRTCDataChannel *channel = nullptr;
    g_signal_emit_by_name(webrtc, "create-data-channel", kLabel, options.get(), &channel);
    if (!channel) {
        qCWarning(lcCall) << "could not create the chat data channel";
        return false;
    }
    attach(GObjectPtr<GstWebRTCDataChannel>(channel));  // the signal returned a reference for us
    return true;
}

void ChatChannel::acceptFrom(GstElement *webrtc) {
    webrtc_ = gstRetained(webrtc);
    g_signal_connect(webrtc, "on-data-channel", G_CALLBACK(onDataChannel), this);
}

void ChatChannel::detach() {
    if (channel_) {
        g_signal_handlers_disconnect_by_data(channel_.get(), this);
        channel_.reset();
    }
    if (webrtc_) {
        g_signal_handlers_disconnect_by_data(webrtc_.get(), this);
        webrtc_.reset();
    }
    open_ = false;
}

bool ChatChannel::send(const QString &text) {
    if (!channel_ || !open_) {
        return false;
    }
    gst_webrtc_data_channel_send_string(channel_.get(), text.toUtf8().constData());
    return true;
}

void ChatChannel::attach(GObjectPtr<GstWebRTCDataChannel> channel) {
    g_signal_connect(channel.get(), "on-open", G_CALLBACK(onOpen), this);
    g_signal_connect(channel.get(), "on-message-string", G_CALLBACK(onMessage), this);
    channel_ = std::move(channel);
}

void ChatChannel::markOpen() {
    if (!open_) {
        open_ = true;
        Q_EMIT opened();
    }
}

void ChatChannel::onDataChannel(GstElement *, GstWebRTCDataChannel *channel, gpointer self) {
    auto *chat = static_cast<ChatChannel *>(self);
    gchar *label = nullptr;
    g_object_get(channel, "label", &label, nullptr);
    const GCharPtr labelOwner(label);
    if (g_strcmp0(label, kLabel) != 0) {
        return;
    }
    // Connected here, on webrtcbin's thread, so that no message is missed; the channel may
    // already be open by the time the main thread looks.
    g_signal_connect(channel, "on-open", G_CALLBACK(onOpen), chat);
    g_signal_connect(channel, "on-message-string", G_CALLBACK(onMessage), chat);
    postTo(chat, [owner = std::make_shared<GObjectPtr<GstWebRTCDataChannel>>(retained(channel))](ChatChannel *c) {
        c->channel_ = std::move(*owner);
        GstWebRTCDataChannelState state;
        g_object_get(c->channel_.get(), "ready-state", &state, nullptr);
        if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
            c->markOpen();
        }
    });
}

void ChatChannel::onOpen(GstWebRTCDataChannel *, gpointer self) {
    postTo(static_cast<ChatChannel *>(self), [](ChatChannel *chat) { chat->markOpen(); });
}

void ChatChannel::onMessage(GstWebRTCDataChannel *, gchar *text, gpointer self) {
    postTo(static_cast<ChatChannel *>(self),
           [text = QString::fromUtf8(text)](ChatChannel *chat) { Q_EMIT chat->received(text); });
}

}  // namespace confab
