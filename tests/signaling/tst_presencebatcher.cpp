// SPDX-License-Identifier: GPL-3.0-or-later
// PresenceBatcher: one change per window, each name with its last state, and a window that grows
// with the number of people a flush goes to (so sign-in storms on big servers stay affordable).
#include "signaling/PresenceBatcher.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using confab::PresenceBatcher;
using confab::protocol::PresenceMessage;

class TestPresenceBatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowGrowsWithAudience_data() {
        QTest::addColumn<int>("base");
        QTest::addColumn<qsizetype>("audience");
        QTest::addColumn<int>("window");
        QTest::newRow("empty server") << 100 << qsizetype(0) << 100;
        QTest::newRow("small server keeps the base") << 100 << qsizetype(500) << 100;
        QTest::newRow("2,000 online") << 100 << qsizetype(2000) << 200;
        QTest::newRow("10,000 online") << 100 << qsizetype(10000) << 1000;
        QTest::newRow("capped") << 100 << qsizetype(1000000) << PresenceBatcher::kMaxWindowMs;
        QTest::newRow("a longer base is kept") << 3000 << qsizetype(1000000) << 3000;
        QTest::newRow("zero base") << 0 << qsizetype(5) << 0;
    }

    void windowGrowsWithAudience() {
        QFETCH(int, base);
        QFETCH(qsizetype, audience);
        QFETCH(int, window);
        QCOMPARE(PresenceBatcher::windowFor(base, audience), window);
    }

    void batchesOneWindowWithFinalStates() {
        PresenceBatcher batcher(50, [] { return qsizetype(3); });
        QSignalSpy changed(&batcher, &PresenceBatcher::changed);
        batcher.userOnline(QStringLiteral("bob"));
        batcher.userOnline(QStringLiteral("alice"));
        batcher.userOnline(QStringLiteral("carol"));
        batcher.userOffline(QStringLiteral("carol"));  // in and out in one window: only "out"
        batcher.userOffline(QStringLiteral("dave"));
        QVERIFY(changed.wait(5000));
        QCOMPARE(changed.count(), 1);
        const auto change = changed.at(0).at(0).value<PresenceMessage>();
        QCOMPARE(change.online, (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
        QCOMPARE(change.offline, (QStringList{QStringLiteral("carol"), QStringLiteral("dave")}));
        QVERIFY(!changed.wait(200));  // nothing pending, nothing sent
    }

    void bigAudienceWaitsLonger() {
        // 8,000 online: a 800 ms window, where the base alone would flush after 20 ms.
        PresenceBatcher batcher(20, [] { return qsizetype(8000); });
        QSignalSpy changed(&batcher, &PresenceBatcher::changed);
        QElapsedTimer clock;
        clock.start();
        batcher.userOnline(QStringLiteral("erin"));
        QVERIFY(changed.wait(10000));
        // A coarse QTimer may fire up to 5 % early: 760 ms; the base window would be 20 ms.
        QVERIFY2(clock.elapsed() >= 750, qPrintable(QString::number(clock.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestPresenceBatcher)
#include "tst_presencebatcher.moc"
