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

#include <QLabel>
#include <QLineEdit>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {
constexpr int kTimeoutMs = 20000;

// The name a first start signs in with (MainWindow: the login name, or "me" for root).
QString defaultName() {
    const QString user = qEnvironmentVariable("USER").trimmed();
    return user.isEmpty() || user == QLatin1StringView("root") ? QStringLiteral("me") : user;
}
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
        ShellView v(*w);
        w->start({});
        QVERIFY(v.waitSignedInAs(defaultName()));
        QVERIFY2(v.contactsPage()
                     ->findChild<QLabel *>(QStringLiteral("signedInAs"))
                     ->text()
                     .endsWith(QStringLiteral("on this computer")),
                 "signed in on the server this app runs");
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->visibleUsers().contains(QStringLiteral("echo")),
                                 kTimeoutMs);

        QTest::keyClicks(v.contactsPage()->filterField(), QStringLiteral("echo"));
        QTest::keyClick(v.contactsPage()->filterField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(v.callState(), QStringLiteral("Connected"), kTimeoutMs);
        QVERIFY(v.showsCall());
        // The echo sends back what it gets: our own test pattern, decoded twice on the way.
        QTRY_VERIFY_WITH_TIMEOUT(showsTestPatternBackground(v.callPage()->remoteVideo()->lastFrame()),
                                 kTimeoutMs);
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);

        // The echo serves the next call too.
        QTest::keyClicks(v.contactsPage()->filterField(), QStringLiteral("echo"));
        QTest::keyClick(v.contactsPage()->filterField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(v.callState(), QStringLiteral("Connected"), kTimeoutMs);
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
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
        ShellView v(*w);
        w->start({{}, QStringLiteral("second"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("second")));
        // The first app's echo is there for the second too, and only once.
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->visibleUsers().contains(QStringLiteral("echo")),
                                 kTimeoutMs);
        QCOMPARE(v.contactsPage()->visibleUsers().count(QStringLiteral("echo")), 1);
        QVERIFY(first.runsServer());
    }

    void whenTheFirstAppQuitsTheSecondRunsTheServerItself() {
        auto first = std::make_unique<EmbeddedService>(0);
        first->start();
        const quint16 port = quint16(first->url().port());
        ShellFixture f;
        auto settings = f.openSettings();
        auto w = f.window(settings.get(), port);
        ShellView v(*w);
        w->start({{}, QStringLiteral("second"), {}});
        QVERIFY(v.waitSignedInAs(QStringLiteral("second")));

        first.reset();  // the first app quits, taking its server and echo along
        QTRY_COMPARE_WITH_TIMEOUT(v.connectionText(), QStringLiteral("Reconnecting…"), kTimeoutMs);
        // Nobody else runs a server on that port now: online again means this app runs it, and
        // an echo that answers means this app runs that too.
        QTRY_COMPARE_WITH_TIMEOUT(v.connectionText(), QStringLiteral("Online as second"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(v.contactsPage()->visibleUsers().contains(QStringLiteral("echo")),
                                 kTimeoutMs);
        QTest::keyClicks(v.contactsPage()->filterField(), QStringLiteral("echo"));
        QTest::keyClick(v.contactsPage()->filterField(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(v.callState(), QStringLiteral("Connected"), kTimeoutMs);
        QTest::mouseClick(v.callButton("hangUpButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(v.showsContacts(), kTimeoutMs);
    }
};

QTEST_MAIN(TestEmbedded)
#include "tst_embedded.moc"
