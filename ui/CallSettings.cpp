// SPDX-License-Identifier: GPL-3.0-or-later
#include "CallSettings.h"

#include <QRegularExpression>
#include <QSettings>

namespace confab::ui {

namespace {
// The keys, in one place: media/… for devices and picture, ice/servers for STUN/TURN.
const QString kCamera = QStringLiteral("media/camera");
const QString kMicrophone = QStringLiteral("media/microphone");
const QString kSpeaker = QStringLiteral("media/speaker");
const QString kResolution = QStringLiteral("media/resolution");
const QString kFrameRate = QStringLiteral("media/frameRate");
const QString kEchoCancellation = QStringLiteral("media/echoCancellation");
const QString kReconnectWindow = QStringLiteral("call/reconnectWindowSeconds");
const QString kIceServers = QStringLiteral("ice/servers");
}  // namespace

CallSettings CallSettings::load(QSettings &settings) {
    CallSettings result;
    result.camera = settings.value(kCamera).toString();
    result.microphone = settings.value(kMicrophone).toString();
    result.speaker = settings.value(kSpeaker).toString();
    const QStringList size = settings.value(kResolution).toString().split(QLatin1Char('x'));
    if (size.size() == 2 && size.at(0).toInt() >= 16 && size.at(1).toInt() >= 16) {
        result.resolution = QSize(std::min(size.at(0).toInt(), 3840), std::min(size.at(1).toInt(), 2160));
    }
    result.frameRate = std::clamp(settings.value(kFrameRate, 30).toInt(), 1, 60);
    result.echoCancellation = settings.value(kEchoCancellation, true).toBool();
    result.reconnectWindowSeconds = std::clamp(settings.value(kReconnectWindow, 30).toInt(), 5, 300);
    QSettings &store = settings;
    const int count = store.beginReadArray(kIceServers);
    for (int i = 0; i < count; ++i) {
        store.setArrayIndex(i);
        protocol::IceServer server;
        server.urls = store.value(QStringLiteral("urls")).toStringList();
        server.username = store.value(QStringLiteral("username")).toString();
        server.credential = store.value(QStringLiteral("credential")).toString();
        if (!server.urls.isEmpty()) {
            result.iceServers.append(server);
        }
    }
    store.endArray();
    return result;
}

void CallSettings::save(QSettings &settings) const {
    settings.setValue(kCamera, camera);
    settings.setValue(kMicrophone, microphone);
    settings.setValue(kSpeaker, speaker);
    settings.setValue(kResolution, QStringLiteral("%1x%2").arg(resolution.width()).arg(resolution.height()));
    settings.setValue(kFrameRate, frameRate);
    settings.setValue(kEchoCancellation, echoCancellation);
    settings.setValue(kReconnectWindow, reconnectWindowSeconds);
    settings.remove(kIceServers);
    settings.beginWriteArray(kIceServers, int(iceServers.size()));
    for (int i = 0; i < iceServers.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("urls"), iceServers.at(i).urls);
        settings.setValue(QStringLiteral("username"), iceServers.at(i).username);
        settings.setValue(QStringLiteral("credential"), iceServers.at(i).credential);
    }
    settings.endArray();
}

void CallSettings::applyTo(CallController::Settings &target) const {
    // The real devices; with none present LocalMedia sends a test pattern and silence, and says so.
    target.media.video = VideoSourceKind::Camera;
    target.media.audio = AudioSourceKind::Microphone;
    target.media.cameraDevice = camera;
    target.media.microphoneDevice = microphone;
    target.media.speakerDevice = speaker;
    target.media.width = resolution.width();
    target.media.height = resolution.height();
    target.media.fps = frameRate;
    target.media.echoCancellation = echoCancellation;
    target.iceServers = iceServers;
    target.reconnectWindowMs = reconnectWindowSeconds * 1000;
}

CallController::Settings CallSettings::toControllerSettings() const {
    CallController::Settings settings;
    applyTo(settings);
    return settings;
}

bool CallSettings::isIceUrl(const QString &url) {
    static const QRegularExpression pattern(
        QStringLiteral("^(stuns?|turns?):(//)?[^\\s/?#@]+(:\\d+)?(\\?transport=(udp|tcp))?$"));
    return pattern.match(url).hasMatch();
}

}  // namespace confab::ui
