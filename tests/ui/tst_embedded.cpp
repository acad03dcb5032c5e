// SPDX-License-Identifier: GPL-3.0-or-later
// The first-start default: with no server configured the app runs a server on 127.0.0.1 and an
// `echo` contact, signs in by itself, and calling `echo` shows your own video; a second app on the
// same port joins that server instead of failing.
#include "CallWindow.h"
#include "ContactsPage.h"
#include "EmbeddedService.h"
#include "MainWindow.h"
#include "UiTestSupport.h"
#include "VideoWidget.h"
#include "media/MediaWarmup.h"
#include "signaling/SignalingServer.h"

#include <QLineEdit>
#include <QStackedWidget>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {
constexpr int kTimeoutMs = 20000;
}  // namespace

class TestEmbedded : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The embedded echo (a HeadlessPeer) warms media up on a thread of its own: join it.
    void cleanupTestCase() { MediaWarmup::wait(); }

    void initTestCase() { gst_init(nullptr, nullptr); }

    void firstStartCallsEchoAndSeesItself() {
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get(), 0);  // any free port: tests never take 8443
        w->start({});
        QTRY_COMPARE_WITH_TIMEOUT(w->signaling()->state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QVERIFY(w->embeddedService());
        QVERIFY(w->embeddedService()->runsServer());
        QVERIFY(w->embeddedService()->runsEcho());
        QCOMPARE(w->signaling()->url(), w->embeddedService()->url());
        QCOMPARE(w->signaling()->url().host(), QStringLiteral("127.0.0.1"));
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->visibleUsers().contains(QStringLiteral("echo")),
                                 kTimeoutMs);

        QTest::keyClicks(w->contactsPage()->filterField(), QStringLiteral("echo"));
        QTest::keyClick(w->contactsPage()->filterField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        QCOMPARE(w->pages()->currentWidget(), w->callPage());
        // The echo sends back what it gets: our own test pattern, decoded twice on the way.
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(w->callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        w->controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->pages()->currentWidget(), w->contactsPage(), kTimeoutMs);

        // The echo serves the next call too.
        QString error;
        QVERIFY2(w->controller()->call(QStringLiteral("echo"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        w->controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Idle, kTimeoutMs);
    }

    void secondAppJoinsTheServerAlreadyOnThePort() {
        // Another Confab's embedded server, on a port we pick for it.
        EmbeddedService first(0);
        first.start();
        QVERIFY(first.runsServer());
        const quint16 port = quint16(first.url().port());

        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get(), port);
        w->start({{}, QStringLiteral("second"), {}});
        QTRY_COMPARE_WITH_TIMEOUT(w->signaling()->state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QVERIFY(w->embeddedService());
        QVERIFY(!w->embeddedService()->runsServer());
        QVERIFY(!w->embeddedService()->runsEcho());
        QCOMPARE(w->signaling()->url().port(), int(port));
        // The first app's echo is there for the second too.
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->visibleUsers().contains(QStringLiteral("echo")),
                                 kTimeoutMs);
    }

    void whenTheFirstAppQuitsTheSecondRunsTheServerItself() {
        auto first = std::make_unique<EmbeddedService>(0);
        first->start();
        const quint16 port = quint16(first->url().port());
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get(), port);
        w->start({{}, QStringLiteral("second"), {}});
        QTRY_COMPARE_WITH_TIMEOUT(w->signaling()->state(), SignalingClient::State::LoggedIn, kTimeoutMs);
        QVERIFY(!w->embeddedService()->runsServer());

        first.reset();  // the first app quits, taking its server and echo along
        QTRY_VERIFY_WITH_TIMEOUT(w->embeddedService()->runsServer(), kTimeoutMs);
        QVERIFY(w->embeddedService()->runsEcho());
        QCOMPARE(w->embeddedService()->url().port(), int(port));
        QTRY_COMPARE_WITH_TIMEOUT(w->connectionText(), QStringLiteral("Online as second"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(w->contactsPage()->visibleUsers().contains(QStringLiteral("echo")),
                                 kTimeoutMs);
        QString error;
        QVERIFY2(w->controller()->call(QStringLiteral("echo"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Connected, kTimeoutMs);
        w->controller()->hangUp();
        QTRY_COMPARE_WITH_TIMEOUT(w->controller()->state(), CallState::Idle, kTimeoutMs);
    }
};

QTEST_MAIN(TestEmbedded)
#include "tst_embedded.moc"
