// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "call/MediaSession.h"

#include <QList>
#include <QPointer>

#include <memory>

// A MediaSession without media, for tests of the call flow (CallController) in milliseconds: it
// "offers" and "answers" made-up descriptions on the next turn of the event loop, records what
// it is asked to do, and connects, fails or delivers chat only when the test says so.
class FakeMediaSession : public confab::MediaSession {
    Q_OBJECT
public:
    // Every session a factory made, in order (null once deleted).
    using Made = QList<QPointer<FakeMediaSession>>;
    // A CallController::Settings::sessionFactory that makes fakes and lists them in `made`.
    static std::function<confab::MediaSession *(const Config &, QObject *)> factory(std::shared_ptr<Made> made);

    explicit FakeMediaSession(Config config, QObject *parent = nullptr);

    bool startAsCaller(QString *error) override;
    bool startAsCallee(const QString &offerSdp, QString *error) override;
    bool setRemoteAnswer(const QString &answerSdp, QString *error) override;
    void addRemoteCandidate(const confab::protocol::IceCandidate &candidate) override;
    bool sendChat(const QString &text) override;
    void setMicrophoneMuted(bool muted) override { microphoneMuted = muted; }
    void setCameraEnabled(bool enabled) override { cameraEnabled = enabled; }
    bool startScreenShare(const confab::ScreenSource &source, QString *error) override;
    void stopScreenShare() override { sharing = false; }
    bool isSharingScreen() const override { return sharing; }
    QStringList notes() const override { return {}; }
    bool isConnected() const override { return connectedNow; }
    confab::CallStats lastStats() const override { return {}; }

    // What the test makes happen.
    void becomeConnected();
    void failWith(confab::CallEndReason reason, const QString &detail);
    // The peer's media stops / comes back on this session.
    void interrupt() { Q_EMIT mediaInterrupted(QStringLiteral("No media from the other side (fake).")); }
    void resume() { Q_EMIT mediaResumed(); }
    void loseAddress() { Q_EMIT localAddressLost(QStringLiteral("192.0.2.1 (fake0) is gone.")); }
    void receiveChat(const QString &text) { Q_EMIT chatReceived(text); }
    void becomeChatReady() { Q_EMIT chatOpened(); }
    // A made-up description with a DTLS fingerprint, so the safety code can be computed.
    static QString description(const QString &type, int fingerprintByte);

    Config config;
    bool startFails = false;  // set before start: start*() then fails with an error
    QString remoteOffer;
    QString remoteAnswer;
    QList<confab::protocol::IceCandidate> remoteCandidates;
    QStringList chatSent;
    bool microphoneMuted = false;
    bool cameraEnabled = true;
    bool sharing = false;
    bool connectedNow = false;
};
