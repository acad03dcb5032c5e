// SPDX-License-Identifier: GPL-3.0-or-later
// The shell's pages on their own, without a server: choosing whom to call with the mouse, how the
// call history reads, and what the sign-in page makes of an address.
#include "ContactsPage.h"
#include "SignInPage.h"

#include <QDateTime>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace confab::ui;

class TestShellPages : public QObject {
    Q_OBJECT
private:
    static QStringList people() {
        return {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"),
                QStringLiteral("dave")};
    }

private Q_SLOTS:
    void aSingleClickOnAPersonEnablesCall() {
        ContactsPage page;
        page.setUsers(people(), QStringLiteral("alice"));
        page.setOnline(true);
        page.resize(800, 500);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QPushButton *call = page.findChild<QPushButton *>(QStringLiteral("callButton"));
        QListWidget *list = page.findChild<QListWidget *>(QStringLiteral("people"));
        QVERIFY(call && list);
        QVERIFY(!call->isEnabled());  // three people, none chosen

        QListWidgetItem *bob = list->findItems(QStringLiteral("bob"), Qt::MatchExactly).value(0);
        QVERIFY(bob);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(bob).center());
        QVERIFY(call->isEnabled());
        QCOMPARE(call->text(), QStringLiteral("&Call bob"));
        QSignalSpy requested(&page, &ContactsPage::callRequested);
        QTest::mouseClick(call, Qt::LeftButton);
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.first().first().toString(), QStringLiteral("bob"));
    }

    // A call's length and its time of day are told apart in the history.
    void historyTellsDurationFromTimeOfDay() {
        ContactsPage page;
        const QDateTime today = QDateTime::currentDateTime();
        const QDateTime at = QDateTime(today.date(), QTime(3, 49));
        page.setRecentCalls(
            {{QStringLiteral("bob"), at, RecentCall::Direction::Outgoing, RecentCall::Outcome::Answered, 20},
             {QStringLiteral("carol"), at.addDays(-1), RecentCall::Direction::Outgoing,
              RecentCall::Outcome::Answered, 754},
             {QStringLiteral("dave"), at, RecentCall::Direction::Outgoing, RecentCall::Outcome::NoAnswer, 0}},
            0);
        QListWidget *list = page.findChild<QListWidget *>(QStringLiteral("recentCalls"));
        QVERIFY(list);
        const QString bob = list->item(0)->text();
        QVERIFY2(bob.contains(QStringLiteral("20 s")) && bob.contains(QStringLiteral("at 03:49")),
                 qPrintable(bob));
        const QString carol = list->item(1)->text();
        QVERIFY2(carol.contains(QStringLiteral("12 min 34 s")) &&
                     carol.contains(QStringLiteral("yesterday at 03:49")),
                 qPrintable(carol));
        QVERIFY2(list->item(2)->text().contains(QStringLiteral("No answer")),
                 qPrintable(list->item(2)->text()));
        QCOMPARE(ContactsPage::durationText(3720), QStringLiteral("1 h 02 min"));
    }

    // An address without ws:// or wss:// gets one added instead of an error.
    void serverAddressWithoutSchemeGetsOne() {
        QCOMPARE(SignInPage::withScheme(QStringLiteral("example.org:8443")),
                 QStringLiteral("wss://example.org:8443"));
        QCOMPARE(SignInPage::withScheme(QStringLiteral("127.0.0.1:8443")),
                 QStringLiteral("ws://127.0.0.1:8443"));
        QCOMPARE(SignInPage::withScheme(QStringLiteral("localhost:8443/")),
                 QStringLiteral("ws://localhost:8443/"));
        QCOMPARE(SignInPage::withScheme(QStringLiteral("ws://example.org/")),
                 QStringLiteral("ws://example.org/"));
        QCOMPARE(SignInPage::withScheme(QString()), QString());

        SignInPage page;
        QSignalSpy requested(&page, &SignInPage::signInRequested);
        page.setValues(QStringLiteral("example.org:8443"), QStringLiteral("alice"), true);
        page.signInButton()->click();
        QCOMPARE(requested.size(), 1);
        QCOMPARE(page.serverUrl(), QStringLiteral("wss://example.org:8443"));
        QCOMPARE(page.serverField()->text(), QStringLiteral("wss://example.org:8443"));  // shown as used
        QVERIFY(page.errorText().isEmpty());

        page.setValues(QStringLiteral("http://example.org/"), QStringLiteral("alice"), true);
        page.signInButton()->click();
        QCOMPARE(requested.size(), 1);
        QVERIFY(!page.errorText().isEmpty());
    }

    // The server token's field appears only when a server asks for one.
    void serverTokenFieldWaitsUntilAServerAsks() {
        SignInPage page;
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.passwordField()->isVisible());
        QVERIFY(!page.tokenField()->isVisible());
        page.showSecretFields(true);
        QVERIFY(page.tokenField()->isVisible());
        SignInPage remembered;
        remembered.show();
        remembered.setSecrets({}, QStringLiteral("a token"));
        QVERIFY(remembered.tokenField()->isVisible());
    }
};

QTEST_MAIN(TestShellPages)
#include "tst_shellpages.moc"
