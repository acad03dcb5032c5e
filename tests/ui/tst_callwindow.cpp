// SPDX-License-Identifier: GPL-3.0-or-later
// CallWindow in real calls: this side is a CallController shown by a CallWindow, the other a
// TestPeer (test pattern: a ball on mid-blue), both signed in to an in-process SignalingServer on
// an ephemeral 127.0.0.1 port. Checks pixels, not flags.
#include "AudioOutput.h"
#include "CallWindow.h"
#include "FakeDevices.h"
#include "TestPeer.h"
#include "VideoWidget.h"

#include "call/CallController.h"
#include "call/CallSession.h"
#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;

// The test pattern's background, 0x305080, after VP8 and two colour conversions.
bool isPatternBlue(QRgb pixel) {
    return std::abs(qRed(pixel) - 0x30) < 30 && std::abs(qGreen(pixel) - 0x50) < 30 &&
           std::abs(qBlue(pixel) - 0x80) < 30;
}
bool isBlack(QRgb pixel) {
    return qRed(pixel) < 30 && qGreen(pixel) < 30 && qBlue(pixel) < 30;
}
// The elements of `pipeline` (recursively) made by `factory`.
QList<GstElement *> elementsOf(GstElement *pipeline, const char *factory) {
    QList<GstElement *> found;
    GstIterator *iterator = gst_bin_iterate_recurse(GST_BIN(pipeline));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(iterator, &item) == GST_ITERATOR_OK) {
        auto *element = GST_ELEMENT(g_value_get_object(&item));
        GstElementFactory *made = gst_element_get_factory(element);
        if (made && g_strcmp0(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(made)), factory) == 0) {
            found.append(element);  // the pipeline keeps it alive for the caller's use
        }
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(iterator);
    return found;
}

bool sinkPadLinked(GstElement *element) {
    GstPad *pad = gst_element_get_static_pad(element, "sink");
    const bool linked = pad && gst_pad_is_linked(pad);
    if (pad) {
        gst_object_unref(pad);
    }
    return linked;
}

QRgb corner(const VideoWidget *video) {
    const QImage frame = video->lastFrame();
    return frame.isNull() ? qRgb(255, 255, 255) : frame.pixel(4, 4);
}

}  // namespace

// The desktop side: a signed-in client, its controller and the window showing it.
struct DesktopSide {
    explicit DesktopSide(const QUrl &server, bool echoCancellation = false, bool realDevices = false) {
        CallController::Settings settings;
        settings.media = smallMedia();
        settings.media.echoCancellation = echoCancellation;
        if (realDevices) {
            settings.media.video = VideoSourceKind::Camera;
            settings.media.audio = AudioSourceKind::Microphone;
        }
        controller = std::make_unique<CallController>(&client, settings);
        window = std::make_unique<CallWindow>(controller.get());
        window->resize(800, 600);
        client.connectToServer(server, QStringLiteral("desk"));
    }
    ~DesktopSide() {
        window.reset();
        controller.reset();
    }
    template <typename T>
    T *part(const char *name) const {
        return window->findChild<T *>(QString::fromLatin1(name));
    }
    SignalingClient client;
    std::unique_ptr<CallController> controller;
    std::unique_ptr<CallWindow> window;
};

class TestCallWindow : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;

    // desk calls bob, who accepts; returns when both are connected.
    bool connect(DesktopSide &desk, TestPeer &bob) {
        if (!QTest::qWaitFor(
                [&] {
                    return desk.client.state() == SignalingClient::State::LoggedIn &&
                           bob.client.state() == SignalingClient::State::LoggedIn;
                },
                kTimeoutMs)) {
            return false;
        }
        QObject::connect(bob.controller.get(), &CallController::incomingCall, bob.controller.get(), [&bob] {
            QString error;
            bob.controller->accept(&error);
        });
        QString error;
        if (!desk.controller->call(QStringLiteral("bob"), &error)) {
            qWarning("call failed: %s", qPrintable(error));
            return false;
        }
        return QTest::qWaitFor(
            [&] {
                return desk.controller->state() == CallState::Connected &&
                       bob.state() == CallState::Connected;
            },
            kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        SignalingServerOptions options;
        options.port = 0;
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
    }

    void cleanupTestCase() { server_.reset(); }

    void showsThePeersVideoAndTheSelfView() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QSignalSpy firstMedia(desk.controller.get(), &CallController::firstRemoteMedia);
        QVERIFY(desk.window->remoteVideo()->showsPlaceholder());
        QVERIFY(connect(desk, bob));
        // Audio arrives and plays, even with no sound device here (AudioOutput falls back to a
        // fakesink instead of failing the call).
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(firstMedia.cbegin(), firstMedia.cend(),
                                             [](const QList<QVariant> &args) {
                                                 return args.at(0).value<MediaKind>() == MediaKind::Audio;
                                             }),
                                 kTimeoutMs);
        QCOMPARE(desk.part<QLabel>("peerLabel")->text(), QStringLiteral("bob"));

        // The remote picture is bob's pattern; the self-view is our own test source.
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->remoteVideo())), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(desk.window->remoteVideo()->paintedFrames() > 5, kTimeoutMs);
        QCOMPARE(desk.window->remoteVideo()->lastFrame().size(), QSize(160, 120));
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->localVideo())), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(desk.window->localVideo()->paintedFrames() > 5, kTimeoutMs);
        // The self-view sits inside the remote picture, in its bottom-right corner.
        const QRect pip = desk.window->localVideo()->geometry();
        QVERIFY(desk.window->remoteVideo()->rect().contains(pip));
        QVERIFY(pip.center().x() > desk.window->remoteVideo()->width() / 2);
        QVERIFY(pip.center().y() > desk.window->remoteVideo()->height() / 2);
        // Bob sees us, too.
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastLuma > 40, kTimeoutMs);

        // The call timer runs. Not an exact reading: on a slow machine (sanitizers) the waits above
        // can take past the first second.
        const auto timerSeconds = [&desk] {
            const QStringList parts = desk.part<QLabel>("timerLabel")->text().split(QLatin1Char(':'));
            return parts.size() == 2 ? parts[0].toInt() * 60 + parts[1].toInt() : -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(timerSeconds() >= 1, kTimeoutMs);
    }

    void microphoneAndCameraTogglesReachTheOtherSide() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowActive(desk.window.get()));
        QVERIFY(connect(desk, bob));
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastLuma > 40 && bob.lastAudioPeak > 1000, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->localVideo())), kTimeoutMs);

        // M and V, as a user would press them.
        QTest::keyClick(desk.window.get(), Qt::Key_M);
        QVERIFY(desk.part<QToolButton>("micButton")->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastAudioPeak >= 0 && bob.lastAudioPeak < 100, kTimeoutMs);
        QTest::keyClick(desk.window.get(), Qt::Key_V);
        QVERIFY(desk.part<QToolButton>("cameraButton")->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastLuma >= 0 && bob.lastLuma < 24, kTimeoutMs);
        // Our self-view says the camera is off instead of showing what no one else sees.
        QVERIFY(desk.window->localVideo()->isCovered());
        QVERIFY(desk.window->localVideo()->showsPlaceholder());

        // And back, with the buttons.
        desk.part<QToolButton>("micButton")->click();
        desk.part<QToolButton>("cameraButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastAudioPeak > 1000, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastLuma > 40, kTimeoutMs);
        QVERIFY(!desk.window->localVideo()->isCovered());

        // Bob turns his camera off: his picture turns black here (black frames, not a frozen one).
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->remoteVideo())), kTimeoutMs);
        bob.controller->setCameraEnabled(false);
        QTRY_VERIFY_WITH_TIMEOUT(isBlack(corner(desk.window->remoteVideo())), kTimeoutMs);
        // A second of black reads as "their camera is off".
        QTRY_VERIFY_WITH_TIMEOUT(desk.window->remoteVideo()->showsPlaceholder(), kTimeoutMs);
        bob.controller->setCameraEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->remoteVideo())), kTimeoutMs);
        QVERIFY(!desk.window->remoteVideo()->showsPlaceholder());
    }

    void chatsBothWaysAsPlainText() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowActive(desk.window.get()));
        QSignalSpy bobChat(bob.controller.get(), &CallController::chatReceived);
        QSignalSpy bobChatOpen(bob.controller.get(), &CallController::chatOpened);
        QVERIFY(connect(desk, bob));

        auto *input = desk.part<QLineEdit>("chatInput");
        auto *log = desk.part<QPlainTextEdit>("chatLog");
        QTest::keyClick(desk.window.get(), Qt::Key_C);  // opens the chat panel
        QVERIFY(desk.part<QWidget>("chatPanel")->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(input->isEnabled(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(bobChatOpen.size() == 1, kTimeoutMs);
        input->setFocus();
        // Typed text goes to the field, not to the M/V/C shortcuts.
        QTest::keyClicks(input, QStringLiteral("my camera works"));
        QTest::keyClick(input, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(bobChat.size(), 1, kTimeoutMs);
        QCOMPARE(bobChat.at(0).at(0).toString(), QStringLiteral("my camera works"));
        QVERIFY(!desk.part<QToolButton>("micButton")->isChecked());
        QVERIFY(!desk.part<QToolButton>("cameraButton")->isChecked());
        QVERIFY(log->toPlainText().contains(QStringLiteral("my camera works")));

        // Markup from the network is shown literally.
        QVERIFY(bob.controller->sendChat(QStringLiteral("<b>bold?</b> &amp;")));
        QTRY_VERIFY_WITH_TIMEOUT(log->toPlainText().contains(QStringLiteral("bob: <b>bold?</b> &amp;")),
                                 kTimeoutMs);

        // With the panel closed, a message is counted on the chat button.
        desk.part<QToolButton>("chatButton")->click();
        QVERIFY(!desk.part<QWidget>("chatPanel")->isVisible());
        QVERIFY(bob.controller->sendChat(QStringLiteral("still there?")));
        QTRY_VERIFY_WITH_TIMEOUT(desk.part<QToolButton>("chatButton")->text().contains(QLatin1Char('1')),
                                 kTimeoutMs);
    }

    void statisticsOverlayAndQualityFollowTheCall() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowActive(desk.window.get()));
        QSignalSpy stats(desk.controller.get(), &CallController::statsUpdated);
        QVERIFY(connect(desk, bob));
        auto *overlay = desk.part<QLabel>("statsOverlay");
        QVERIFY(!overlay->isVisible());
        QTest::keyClick(desk.window.get(), Qt::Key_I);
        QVERIFY(overlay->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(stats.size() >= 1, kTimeoutMs);
        // Each figure appears once the call has it (the round trip needs an RTCP report).
        const auto overlayShows = [overlay](const QString &part) { return overlay->text().contains(part); };
        QTRY_VERIFY2_WITH_TIMEOUT(overlayShows(QStringLiteral("160×120")), qPrintable(overlay->text()),
                                  kTimeoutMs);
        QTRY_VERIFY2_WITH_TIMEOUT(overlayShows(QStringLiteral("VP8")), qPrintable(overlay->text()),
                                  kTimeoutMs);
        QTRY_VERIFY2_WITH_TIMEOUT(overlayShows(QStringLiteral("direct (host)")), qPrintable(overlay->text()),
                                  kTimeoutMs);
        QTRY_VERIFY2_WITH_TIMEOUT(
            overlayShows(QStringLiteral("Round trip: ")) && !overlayShows(QStringLiteral("not known")),
            qPrintable(overlay->text()), kTimeoutMs);
        // Loopback: no loss, tiny RTT.
        QTRY_COMPARE_WITH_TIMEOUT(desk.part<QLabel>("qualityLabel")->text(),
                                  QCoreApplication::translate("confab::ui::CallWindow", "● Good"),
                                  kTimeoutMs);
        // The overlay changes as the figures do (bytes keep flowing).
        const QString before = overlay->text();
        QTRY_VERIFY_WITH_TIMEOUT(overlay->text() != before, kTimeoutMs);
    }

    // The quality indicator and the path line follow the figures (signals emitted as the
    // controller would, with figures a loopback call cannot produce).
    void qualityIndicatorReadsLossAndRoundTrip() {
        DesktopSide desk(server_->url());
        auto *quality = desk.part<QLabel>("qualityLabel");
        auto *overlay = desk.part<QLabel>("statsOverlay");
        const auto word = [](const char *text) {
            return QCoreApplication::translate("confab::ui::CallWindow", text);
        };
        CallStats stats;
        stats.roundTripMs = 40;
        stats.receiveKbps = 900;
        stats.path = QStringLiteral("relay");
        Q_EMIT desk.controller->statsUpdated(stats);
        QCOMPARE(quality->text(), word("● Good"));
        QVERIFY(overlay->text().contains(QStringLiteral("relayed (TURN)")));
        stats.lossPercent = 5;
        Q_EMIT desk.controller->statsUpdated(stats);
        QCOMPARE(quality->text(), word("● Fair"));
        stats.lossPercent = 0;
        stats.roundTripMs = 250;
        Q_EMIT desk.controller->statsUpdated(stats);
        QCOMPARE(quality->text(), word("● Fair"));
        stats.lossPercent = 15;
        Q_EMIT desk.controller->statsUpdated(stats);
        QCOMPARE(quality->text(), word("● Poor"));
        stats.lossPercent = 0;
        stats.roundTripMs = 600;
        stats.path = QStringLiteral("srflx");
        Q_EMIT desk.controller->statsUpdated(stats);
        QCOMPARE(quality->text(), word("● Poor"));
        QVERIFY(overlay->text().contains(QStringLiteral("server-reflexive")));
        QVERIFY(overlay->text().contains(QStringLiteral("Round trip: 600 ms")));
        QVERIFY(overlay->text().contains(QStringLiteral("Loss: 0.0 %")));
    }

    // Echo cancellation on: webrtcdsp on the microphone path and webrtcechoprobe linked before the
    // playback sink, in the call's pipeline; the call connects and carries sound both ways.
    void echoCancellationPathIsBuiltWhenEnabled() {
        DesktopSide desk(server_->url(), true);
        TestPeer bob(QStringLiteral("bob"), server_->url());
        // Reach the call's pipeline through the self-view element the session asks for.
        GstElement *preview = nullptr;
        auto original = desk.controller->settings().localPreviewSink;
        desk.controller->settings().localPreviewSink = [original, &preview]() -> GstElement * {
            GstElement *element = original();
            preview = GST_ELEMENT(gst_object_ref(element));
            return element;
        };
        desk.window->show();
        QVERIFY(connect(desk, bob));
        QVERIFY(preview);
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastAudioPeak > 300, kTimeoutMs);
        GstObject *top = GST_OBJECT(gst_object_ref(preview));
        while (GstObject *parent = gst_object_get_parent(top)) {
            gst_object_unref(top);
            top = parent;
        }
        const QList<GstElement *> dsp = elementsOf(GST_ELEMENT(top), "webrtcdsp");
        const QList<GstElement *> probe = elementsOf(GST_ELEMENT(top), "webrtcechoprobe");
        QCOMPARE(dsp.size(), 1);
        QCOMPARE(probe.size(), 1);
        QVERIFY(sinkPadLinked(dsp.first()));
        // The probe is linked once the remote audio arrived (pad-added).
        QTRY_VERIFY_WITH_TIMEOUT(sinkPadLinked(probe.first()), kTimeoutMs);
        QVERIFY(!desk.controller->session()->notes().join(QLatin1Char(' ')).contains(QStringLiteral("Echo")));
        gst_object_unref(top);
        gst_object_unref(preview);

        desk.controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Idle, kTimeoutMs);
    }

    // This machine has no camera or microphone: the call goes ahead with a test pattern and
    // silence, and the window says so for as long as the call lasts.
    void saysWhatIsMissingAndCallsAnyway() {
        DesktopSide desk(server_->url(), false, true);
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QVERIFY(connect(desk, bob));
        auto *notices = desk.part<QLabel>("notices");
        QVERIFY(notices->isVisible());
        QVERIFY2(notices->text().contains(QStringLiteral("No camera was found")),
                 qPrintable(notices->text()));
        QVERIFY2(notices->text().contains(QStringLiteral("No microphone was found")),
                 qPrintable(notices->text()));
        QTRY_VERIFY_WITH_TIMEOUT(bob.lastLuma > 40, kTimeoutMs);  // the test pattern
        desk.controller->hangUp();
        QTRY_VERIFY_WITH_TIMEOUT(!notices->isVisible(), kTimeoutMs);
    }

    // The safety code in the header is the one both controllers computed from the call's two
    // descriptions, readable and selectable, and goes away with the call.
    void showsTheSafetyCodeBothPeersCompute() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        auto *label = desk.part<QLabel>("safetyLabel");
        QVERIFY(label);
        QVERIFY(!label->isVisible());  // no call, no code
        QVERIFY(connect(desk, bob));
        QTRY_VERIFY_WITH_TIMEOUT(label->isVisible(), kTimeoutMs);
        const QString ours = desk.controller->safetyCode();
        const QString theirs = bob.controller->safetyCode();
        QVERIFY(QRegularExpression(QStringLiteral("^\\d{3} \\d{3}$")).match(ours).hasMatch());
        QCOMPARE(theirs, ours);
        QVERIFY2(label->text().endsWith(QLatin1Char(' ') + theirs), qPrintable(label->text()));
        QVERIFY(label->text().startsWith(
            QCoreApplication::translate("confab::ui::CallWindow", "Safety code: %1").arg(QString())));
        QVERIFY(label->textInteractionFlags().testFlag(Qt::TextSelectableByMouse));
        QVERIFY(label->toolTip().contains(QStringLiteral("voice")));

        desk.controller->hangUp();
        QTRY_VERIFY_WITH_TIMEOUT(!label->isVisible(), kTimeoutMs);
        QVERIFY(label->text().isEmpty());
    }

    void hangUpEndsTheCallOnBothSides() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowActive(desk.window.get()));
        QSignalSpy bobEnded(bob.controller.get(), &CallController::ended);
        QSignalSpy fullScreen(desk.window.get(), &CallWindow::fullScreenRequested);
        QVERIFY(connect(desk, bob));
        QTRY_VERIFY_WITH_TIMEOUT(!desk.window->remoteVideo()->showsPlaceholder(), kTimeoutMs);

        QTest::keyClick(desk.window.get(), Qt::Key_F);
        QCOMPARE(fullScreen.size(), 1);
        QCOMPARE(fullScreen.at(0).at(0).toBool(), true);
        QTest::keyClick(desk.window.get(), Qt::Key_Escape);
        QCOMPARE(fullScreen.size(), 2);
        QCOMPARE(fullScreen.at(1).at(0).toBool(), false);
        // Still full screen when the call ends: the window leaves it.
        QTest::keyClick(desk.window.get(), Qt::Key_F);
        QCOMPARE(fullScreen.size(), 3);

        auto *hangUp = desk.part<QPushButton>("hangUpButton");
        QVERIFY(hangUp->isEnabled());
        hangUp->click();
        QTRY_COMPARE_WITH_TIMEOUT(bobEnded.size(), 1, kTimeoutMs);
        QCOMPARE(bobEnded.at(0).at(0).value<CallEndReason>(), CallEndReason::RemoteHungUp);
        QCOMPARE(desk.controller->state(), CallState::Idle);
        QVERIFY(desk.window->remoteVideo()->showsPlaceholder());
        QVERIFY(desk.window->remoteVideo()->lastFrame().isNull());
        QVERIFY(!hangUp->isEnabled());
        QCOMPARE(fullScreen.size(), 4);
        QCOMPARE(fullScreen.at(3).at(0).toBool(), false);

        // A second call in the same window works, and Ctrl+W hangs it up.
        QSignalSpy bobEndedAgain(bob.controller.get(), &CallController::ended);
        QString error;
        QVERIFY(desk.controller->call(QStringLiteral("bob"), &error));
        QTRY_VERIFY_WITH_TIMEOUT(desk.controller->state() == CallState::Connected, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->remoteVideo())), kTimeoutMs);
        QTest::keyClick(desk.window.get(), Qt::Key_W, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(bobEndedAgain.size(), 1, kTimeoutMs);
    }

    // Remote audio plays to the chosen speaker; with no sound output at all (this machine, where
    // autoaudiosink ends up on a fakesink of its own) it plays into a fakesink instead of failing.
    // Last in this file: it registers test devices for the rest of the process.
    void speakerOutputFallsBackToAFakesinkWithoutSound() {
        const auto factoryOf = [](GstElement *bin) {
            QString name;
            GstIterator *sinks = gst_bin_iterate_sinks(GST_BIN(bin));
            GValue item = G_VALUE_INIT;
            if (gst_iterator_next(sinks, &item) == GST_ITERATOR_OK) {
                auto *sink = GST_ELEMENT(g_value_get_object(&item));
                name = QString::fromUtf8(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(gst_element_get_factory(sink))));
                g_value_unset(&item);
            }
            gst_iterator_free(sinks);
            return name;
        };
        AudioOutput output;
        GstElement *element = output.makeElement();
        QVERIFY(element);
        gst_object_ref_sink(element);
        QVERIFY(!output.playsToDevice());
        QCOMPARE(factoryOf(element), QStringLiteral("fakesink"));
        gst_object_unref(element);

        // A chosen speaker that is present is used as it is.
        FakeDevices::install();
        // (An appsink stands in for the device's element: it tells the device apart from a fallback.)
        FakeDevices::plug(QStringLiteral("Desk Speakers"), "Audio/Sink", QStringLiteral("appsink"));
        output.setDevice(QStringLiteral("Desk Speakers"));
        element = output.makeElement();
        gst_object_ref_sink(element);
        QVERIFY(output.playsToDevice());
        QCOMPARE(factoryOf(element), QStringLiteral("appsink"));
        gst_object_unref(element);
        FakeDevices::unplug(QStringLiteral("Desk Speakers"));
    }
};

QTEST_MAIN(TestCallWindow)
#include "tst_callwindow.moc"
