// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeMediaSession.h"

#include <QTimer>

using namespace confab;

std::function<MediaSession *(const MediaSession::Config &, QObject *)> FakeMediaSession::factory(
    std::shared_ptr<Made> made) {
    return [made](const Config &config, QObject *parent) -> MediaSession * {
        auto *session = new FakeMediaSession(config, parent);
        made->append(session);
        return session;
    };
}

FakeMediaSession::FakeMediaSession(Config config_, QObject *parent) : MediaSession(parent), config(std::move(config_)) {}

QString FakeMediaSession::description(const QString &type, int fingerprintByte) {
    QStringList bytes;
    for (int i = 0; i < 32; ++i) {
        bytes << QStringLiteral("%1").arg((fingerprintByte + i) & 0xff, 2, 16, QLatin1Char('0')).toUpper();
    }
    return QStringLiteral("v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=fake %1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                          "a=fingerprint:sha-256 %2\r\n")
        .arg(type, bytes.join(QLatin1Char(':')));
}

bool FakeMediaSession::startAsCaller(QString *error) {
    if (startFails) {
        *error = QStringLiteral("The fake media could not start.");
        return false;
    }
    QTimer::singleShot(0, this, [this] {
        Q_EMIT localDescriptionReady({QStringLiteral("offer"), description(QStringLiteral("offer"), 1)});
        Q_EMIT localCandidateReady({QStringLiteral("candidate:1 1 UDP 1 192.0.2.1 5000 typ host"), QStringLiteral("0"), 0});
    });
    return true;
}

bool FakeMediaSession::startAsCallee(const QString &offerSdp, QString *error) {
    if (startFails) {
        *error = QStringLiteral("The fake media could not start.");
        return false;
    }
    remoteOffer = offerSdp;
    QTimer::singleShot(0, this, [this] {
        Q_EMIT localDescriptionReady({QStringLiteral("answer"), description(QStringLiteral("answer"), 2)});
        Q_EMIT localCandidateReady({QStringLiteral("candidate:1 1 UDP 1 192.0.2.2 5000 typ host"), QStringLiteral("0"), 0});
    });
    return true;
}

bool FakeMediaSession::setRemoteAnswer(const QString &answerSdp, QString *error) {
    if (!answerSdp.startsWith(QLatin1StringView("v=0"))) {
        *error = QStringLiteral("The call answer could not be read.");
        return false;
    }
    remoteAnswer = answerSdp;
    return true;
}

void FakeMediaSession::addRemoteCandidate(const protocol::IceCandidate &candidate) {
    remoteCandidates.append(candidate);
}

bool FakeMediaSession::sendChat(const QString &text) {
    if (!connectedNow) {
        return false;
    }
    chatSent.append(text);
    return true;
}

bool FakeMediaSession::startScreenShare(const ScreenSource &, QString *) {
    sharing = true;
    return true;
}

void FakeMediaSession::becomeConnected() {
    connectedNow = true;
    Q_EMIT connected();
}

void FakeMediaSession::failWith(CallEndReason reason, const QString &detail) {
    Q_EMIT failed(reason, detail);
}
