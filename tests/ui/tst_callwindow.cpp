// SPDX-License-Identifier: GPL-3.0-or-later
// CallWindow in real calls: this side is a CallController shown by a CallWindow, the other a
// TestPeer (test pattern: a ball on mid-blue), both signed in to an in-process SignalingServer on
// an ephemeral 127.0.0.1 port. Checks pixels, not flags.
#include "AudioOutput.h"
#include "CallQuality.h"
#include "CallWindow.h"
#include "FakeDevices.h"
#include "SelfView.h"
#include "TestPeer.h"
#include "TestTime.h"
#include "VideoWidget.h"

#include "call/CallController.h"
#include "call/CallSession.h"
#include "signaling/SignalingClient.h"
#include "signaling/SignalingServer.h"

#include <QApplication>
#include <QGraphicsOpacityEffect>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <QVBoxLayout>
#include <cmath>

using namespace confab;
using namespace confab::ui;

namespace {

const int kTimeoutMs = scaled(20000);  // longer under the sanitizers (TestTime.h)

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

// WCAG's relative luminance and contrast ratio.
double luminance(const QColor &c) {
    const auto channel = [](double v) {
        v /= 255.0;
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue());
}
double contrast(const QColor &a, const QColor &b) {
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// How well `label` reads as drawn in `window`: its most common colour is what is behind the text,
// the colour that differs most from it is the text's (antialiased edges never reach further).
double contrastOf(QWidget *window, QLabel *label) {
    const QRect area(label->mapTo(window, QPoint(0, 0)), label->size());
    const QImage shot = window->grab(area).toImage();
    QHash<QRgb, int> counts;
    for (int y = 0; y < shot.height(); ++y) {
        for (int x = 0; x < shot.width(); ++x) {
            ++counts[shot.pixel(x, y) | 0xff000000u];
        }
    }
    QRgb background = 0;
    int most = 0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > most) {
            most = it.value();
            background = it.key();
        }
    }
    double best = 1.0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        best = std::max(best, contrast(QColor(background), QColor(it.key())));
    }
    return best;
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

    // desk calls bob, who accepts; returns when both are connected, or at once when bob's side
    // fails (TestPeer::waitFor).
    bool connect(DesktopSide &desk, TestPeer &bob) {
        if (!bob.waitFor(
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
        return bob.waitFor(
            [&] {
                return desk.controller->state() == CallState::Connected &&
                       bob.state() == CallState::Connected;
            },
            kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        // The machine's own cameras, microphones and speakers are taken out of this process: the
        // tests see no device unless they plug a fake one, on a desktop as on a build server.
        FakeDevices::install();
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
        const QRect pip = desk.part<QWidget>("selfView")->geometry();
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
        // A second of black reads as "their camera is off": their avatar and name instead.
        QTRY_VERIFY_WITH_TIMEOUT(desk.window->remoteVideo()->showsPlaceholder(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(desk.part<QWidget>("peerCard")->isVisible(), kTimeoutMs);
        QCOMPARE(desk.part<QLabel>("cardState")->text(), QStringLiteral("Their camera is off"));
        QCOMPARE(desk.part<QLabel>("cardName")->text(), QStringLiteral("bob"));
        bob.controller->setCameraEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(isPatternBlue(corner(desk.window->remoteVideo())), kTimeoutMs);
        QVERIFY(!desk.window->remoteVideo()->showsPlaceholder());
        QTRY_VERIFY_WITH_TIMEOUT(!desk.part<QWidget>("peerCard")->isVisible(), kTimeoutMs);
    }

    // The in-call keys work wherever focus is in the window, not only inside the call view.
    void inCallKeysWorkWhereverFocusIsInTheWindow() {
        SignalingClient client;
        CallController controller(&client, {});
        QWidget window;
        auto *layout = new QVBoxLayout(&window);
        auto *call = new CallWindow(&controller, &window);
        auto *elsewhere = new QPushButton(QStringLiteral("Do not disturb"), &window);
        layout->addWidget(call);
        layout->addWidget(elsewhere);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        elsewhere->setFocus();
        QVERIFY(elsewhere->hasFocus());
        auto *mic = call->findChild<QToolButton *>(QStringLiteral("micButton"));
        auto *camera = call->findChild<QToolButton *>(QStringLiteral("cameraButton"));
        auto *stats = call->findChild<QToolButton *>(QStringLiteral("statsButton"));
        QTest::keyClick(elsewhere, Qt::Key_M);
        QVERIFY(mic->isChecked());
        QTest::keyClick(elsewhere, Qt::Key_V);
        QVERIFY(camera->isChecked());
        QTest::keyClick(elsewhere, Qt::Key_I);
        QVERIFY(stats->isChecked());
        // Hidden (another page is shown), the call view takes no keys.
        call->hide();
        QTest::keyClick(elsewhere, Qt::Key_M);
        QVERIFY(mic->isChecked());
    }

    // While it rings there is no picture yet: the person's avatar and name, large, and the state.
    void showsThePersonLargeWhileItRings() {
        DesktopSide desk(server_->url());
        TestPeer bob(QStringLiteral("bob"), server_->url());
        desk.window->show();
        QTRY_VERIFY_WITH_TIMEOUT(desk.client.state() == SignalingClient::State::LoggedIn &&
                                     bob.client.state() == SignalingClient::State::LoggedIn,
                                 kTimeoutMs);
        QVERIFY(!desk.part<QWidget>("peerCard")->isVisible());
        QString error;
        QVERIFY2(desk.controller->call(QStringLiteral("bob"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(desk.controller->state(), CallState::Ringing, kTimeoutMs);
        QVERIFY(desk.part<QWidget>("peerCard")->isVisible());
        QCOMPARE(desk.part<QLabel>("cardName")->text(), QStringLiteral("bob"));
        QCOMPARE(desk.part<QLabel>("cardState")->text(), QStringLiteral("Ringing…"));
        QVERIFY(!desk.part<QLabel>("cardAvatar")->pixmap().isNull());
        desk.controller->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(bob.state(), CallState::Idle, kTimeoutMs);
    }

    // Reconnecting, like calling and ringing: the person large with the state and how long it has
    // been trying, over a covered picture rather than their last frame, frozen; back to the
    // picture once connected again.
    void reconnectingShowsThePersonLargeOverACoveredPicture() {
        DesktopSide desk(server_->url());
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(desk.window.get()));
        auto *remote = desk.part<VideoWidget>("remoteVideo");
        Q_EMIT desk.controller->stateChanged(CallState::Calling, QStringLiteral("bob"));
        Q_EMIT desk.controller->stateChanged(CallState::Connected, QStringLiteral("bob"));
        QVERIFY(!remote->isCovered());
        Q_EMIT desk.controller->stateChanged(CallState::Reconnecting, QStringLiteral("bob"));
        QVERIFY(desk.part<QWidget>("peerCard")->isVisible());
        QCOMPARE(desk.part<QLabel>("cardName")->text(), QStringLiteral("bob"));
        const QString reconnecting = describe(CallState::Reconnecting);
        QVERIFY2(desk.part<QLabel>("cardState")->text().startsWith(reconnecting),
                 qPrintable(desk.part<QLabel>("cardState")->text()));
        QVERIFY(desk.part<QLabel>("stateLabel")->text().startsWith(reconnecting));
        QVERIFY(remote->isCovered());
        QVERIFY(desk.part<QToolButton>("hangUpButton")->isEnabled());
        Q_EMIT desk.controller->stateChanged(CallState::Connected, QStringLiteral("bob"));
        QVERIFY(!remote->isCovered());
        QVERIFY(!desk.part<QLabel>("cardState")->text().startsWith(reconnecting));
        QCOMPARE(desk.part<QLabel>("stateLabel")->text(), describe(CallState::Connected));
        Q_EMIT desk.controller->stateChanged(CallState::Idle, QString());
    }

    // The self-view goes to the corner it is dragged to (or moved to by key) and can be hidden.
    void selfViewMovesToTheCornerItIsDraggedToAndHides() {
        DesktopSide desk(server_->url());
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowActive(desk.window.get()));
        auto *self = desk.part<SelfView>("selfView");
        auto *stage = desk.part<QWidget>("stage");
        QVERIFY(self->isVisible());
        QVERIFY(self->geometry().center().x() > stage->width() / 2);
        QVERIFY(self->geometry().center().y() > stage->height() / 2);

        const QPoint grab = self->rect().center();
        QTest::mousePress(self, Qt::LeftButton, {}, grab);
        const QPoint to = self->mapFromParent(QPoint(60, 120));
        for (int step = 1; step <= 5; ++step) {
            QTest::mouseMove(self, grab + (to - grab) * step / 5);
        }
        QTest::mouseRelease(self, Qt::LeftButton, {}, to);
        QCOMPARE(self->corner(), SelfView::Corner::TopLeft);
        QVERIFY(self->geometry().center().x() < stage->width() / 2);
        QVERIFY(self->geometry().center().y() < stage->height() / 2);

        self->setFocus();
        QTest::keyClick(self, Qt::Key_Right);
        QCOMPARE(self->corner(), SelfView::Corner::TopRight);
        QVERIFY(self->geometry().center().x() > stage->width() / 2);

        desk.part<QToolButton>("hideSelfViewButton")->click();
        QVERIFY(!self->isVisible());
        auto *show = desk.part<QToolButton>("showSelfViewButton");
        QVERIFY(show->isVisible());
        show->click();
        QVERIFY(self->isVisible());
        QVERIFY(!show->isVisible());
    }

    // In full screen the bars fade after a pause without the mouse, and come back when it moves.
    void controlsFadeInFullScreenAndComeBackWithTheMouse() {
        DesktopSide desk(server_->url());
        desk.window->setControlsHideDelay(600);
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowActive(desk.window.get()));
        auto *controls = desk.part<QWidget>("controls");
        const auto opacity = [controls] {
            return static_cast<QGraphicsOpacityEffect *>(controls->graphicsEffect())->opacity();
        };
        QTest::qWait(800);
        QCOMPARE(opacity(), 1.0);  // not in full screen: always there
        QTest::keyClick(desk.window.get(), Qt::Key_F);
        QTRY_COMPARE_WITH_TIMEOUT(opacity(), 0.0, kTimeoutMs);
        QVERIFY(controls->testAttribute(Qt::WA_TransparentForMouseEvents));
        QTest::mouseMove(desk.window->remoteVideo(), QPoint(50, 50));
        QTRY_COMPARE_WITH_TIMEOUT(opacity(), 1.0, kTimeoutMs);
        QVERIFY(!controls->testAttribute(Qt::WA_TransparentForMouseEvents));
        QTRY_COMPARE_WITH_TIMEOUT(opacity(), 0.0, kTimeoutMs);  // and go again
        QTest::keyClick(desk.window.get(), Qt::Key_Escape);
        QTRY_COMPARE_WITH_TIMEOUT(opacity(), 1.0, kTimeoutMs);
        QTest::qWait(800);
        QCOMPARE(opacity(), 1.0);
    }

    // Down to 480 px wide: every control fits, and the chat comes over the stage as a drawer
    // instead of squeezing it; with room, it sits beside it.
    void chatIsADrawerInANarrowWindowAndBesideTheStageInAWideOne() {
        DesktopSide desk(server_->url());
        desk.window->resize(480, 640);
        desk.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(desk.window.get()));
        QCOMPARE(desk.window->width(), 480);
        auto *stage = desk.part<QWidget>("stage");
        auto *controls = desk.part<QWidget>("controls");
        auto *chat = desk.part<QWidget>("chatPanel");
        QVERIFY(stage->rect().contains(controls->geometry()));
        desk.part<QToolButton>("chatButton")->click();
        QVERIFY(chat->isVisible());
        QCOMPARE(stage->width(), 480);  // not squeezed
        QVERIFY(desk.window->rect().contains(chat->geometry()));
        QVERIFY(chat->geometry().intersects(stage->geometry()));
        QVERIFY2(chat->geometry().bottom() < controls->geometry().top(), "the controls stay free");

        desk.window->resize(1100, 700);
        QTRY_COMPARE_WITH_TIMEOUT(desk.window->width(), 1100, kTimeoutMs);
        QVERIFY(!chat->geometry().intersects(stage->geometry()));
        QCOMPARE(stage->width() + chat->width(), 1100);
    }

    // The quality indicator and the statistics stay readable whatever the desktop's style: their
    // text stands out from what is behind it by at least WCAG's 4.5:1, light palette or dark.
    void qualityAndStatisticsReadOnLightAndDarkStyles() {
        const QPalette original = QApplication::palette();
        QPalette dark = original;
        dark.setColor(QPalette::Window, QColor(0x35, 0x35, 0x35));
        dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
        dark.setColor(QPalette::Base, QColor(0x2a, 0x2a, 0x2a));
        dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
        QPalette light = original;
        light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
        light.setColor(QPalette::WindowText, Qt::black);
        for (const QPalette &palette : {light, dark}) {
            QApplication::setPalette(palette);
            DesktopSide desk(server_->url());
            desk.window->resize(800, 600);
            desk.window->show();
            QVERIFY(QTest::qWaitForWindowExposed(desk.window.get()));
            auto *quality = desk.part<QLabel>("qualityLabel");
            auto *overlay = desk.part<QLabel>("statsOverlay");
            desk.part<QToolButton>("statsButton")->click();
            CallStats stats;
            stats.receiveKbps = 900;
            for (double roundTrip : {40.0, 250.0, 600.0}) {  // good, fair, poor
                stats.roundTripMs = roundTrip;
                Q_EMIT desk.controller->statsUpdated(stats);
                QVERIFY(quality->isVisible());
                const double ratio = contrastOf(desk.window.get(), quality);
                QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1 reads at %2:1 on a %3 style")
                                                      .arg(quality->text())
                                                      .arg(ratio, 0, 'f', 2)
                                                      .arg(palette.color(QPalette::Window).lightness() < 128
                                                               ? QStringLiteral("dark")
                                                               : QStringLiteral("light"))));
            }
            QVERIFY2(contrastOf(desk.window.get(), overlay) >= 4.5, "statistics overlay");
        }
        QApplication::setPalette(original);
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

    // What the person saw and heard weighs more than the network figures: a picture that froze is
    // not "Good" for the next seconds, one that stopped is "Poor" at once, concealed sound counts
    // by the second; the overlay gives the freeze, concealment and estimate figures.
    void aFrozenPictureIsNeverGood() {
        DesktopSide desk(server_->url());
        auto *quality = desk.part<QLabel>("qualityLabel");
        auto *overlay = desk.part<QLabel>("statsOverlay");
        const auto word = [](const char *text) {
            return QCoreApplication::translate("confab::ui::CallWindow", text);
        };
        CallStats stats;
        stats.roundTripMs = 30;
        stats.receiveKbps = 900;
        stats.receivedFps = 30;
        stats.audioBuffersReceived = 50;
        stats.estimateKbps = 1200;
        stats.remoteLossPercent = 0.5;
        int secondsSoFar = 0;
        const auto second = [&] {
            ++secondsSoFar;
            stats.videoFramesReceived += quint64(stats.receivedFps);
            stats.audioBuffersReceived += 50;
            Q_EMIT desk.controller->statsUpdated(stats);
            stats.recentFreezesMs.clear();
        };
        // The start-up seconds: a freeze and concealed sound as the first key frame and the jitter
        // buffer arrive are not the network's doing.
        stats.freezeCount = 1;
        stats.totalFreezeMs = 600;
        stats.recentFreezesMs = {600};
        stats.audioConcealedPercent = 20;
        for (int i = 0; i < CallQuality::kStartSeconds; ++i) {
            second();
            QCOMPARE(quality->text(), word("● Good"));
            stats.audioConcealedPercent = 20.0 / (i + 2);  // nothing more concealed since
        }
        stats.freezeCount = 0;
        stats.totalFreezeMs = 0;
        stats.audioConcealedPercent = 0;
        second();
        QCOMPARE(quality->text(), word("● Good"));
        QVERIFY2(
            overlay->text().contains(QStringLiteral("Network estimate: 1200 kb/s · they lose 0.5 % of ours")),
            qPrintable(overlay->text()));

        // One freeze of 700 ms ends: perfect network figures, yet "Fair" while it is remembered.
        stats.freezeCount = 1;
        stats.totalFreezeMs = 700;
        stats.recentFreezesMs = {700};
        second();
        QCOMPARE(quality->text(), word("● Fair"));
        QVERIFY2(quality->toolTip().contains(QStringLiteral("froze")), qPrintable(quality->toolTip()));
        QVERIFY2(overlay->text().contains(QStringLiteral("Picture froze: 1 time(s), 0.7 s in all")) ||
                     overlay->text().contains(QStringLiteral("Picture froze: 1 time, 0.7 s in all")),
                 qPrintable(overlay->text()));
        for (int i = 1; i < CallQuality::kMemorySeconds; ++i) {
            second();
            QCOMPARE(quality->text(), word("● Fair"));
        }
        second();  // forgotten after the remembered seconds
        QCOMPARE(quality->text(), word("● Good"));

        // Three freezes in a few seconds: poor.
        for (int ms : {300, 400, 500}) {
            ++stats.freezeCount;
            stats.totalFreezeMs += ms;
            stats.recentFreezesMs = {ms};
            second();
        }
        QCOMPARE(quality->text(), word("● Poor"));
        for (int i = 0; i < CallQuality::kMemorySeconds; ++i) {
            second();
        }
        QCOMPARE(quality->text(), word("● Good"));

        // No new frame this second: frozen now, before the freeze is over and counted.
        stats.receivedFps = 0;
        second();
        QCOMPARE(quality->text(), word("● Poor"));
        QVERIFY2(quality->toolTip().contains(QStringLiteral("frozen")), qPrintable(quality->toolTip()));
        stats.receivedFps = 30;
        second();
        QVERIFY(quality->text() != word("● Poor"));

        // Sound filled in: the cumulative share rises from 0 to 2.5 % over the next 10 s: a quarter
        // of those seconds' sound was concealed, so the last seconds are poor, not just fair.
        const int before = secondsSoFar;
        for (int i = 1; i <= CallQuality::kMemorySeconds; ++i) {
            stats.audioConcealedPercent = 100.0 * 0.25 * i / (before + i);
            second();
        }
        QCOMPARE(quality->text(), word("● Poor"));
        QVERIFY2(quality->toolTip().contains(QStringLiteral("sound")), qPrintable(quality->toolTip()));
        QVERIFY(overlay->text().contains(QStringLiteral("Sound filled in:")));
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

    // No camera or microphone (none plugged): the call goes ahead with a test pattern and silence,
    // and the window says so for as long as the call lasts.
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

        auto *hangUp = desk.part<QToolButton>("hangUpButton");
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
