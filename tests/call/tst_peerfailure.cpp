// SPDX-License-Identifier: GPL-3.0-or-later
// A test waiting on a TestPeer (or ColourPeer) fails as soon as the peer goes wrong, with what went
// wrong in its failure message, instead of waiting out its bound (PeerFailureWatch). Each case
// runs a function of failing-peer-waits, which waits two minutes for something that never comes.
#include "TestTime.h"

#include <QProcess>
#include <QTest>

namespace {

// Well under the two minutes the failing waits are bounded by (both scaled for the sanitized run).
const int kFinishesWithinMs = scaled(40000);

}  // namespace

class TestPeerFailure : public QObject {
    Q_OBJECT
private:
    // Runs `function` of failing-peer-waits: it must fail, at once, with `expected` in its output.
    static void failsAtOnceSaying(const char *function, const QString &expected) {
        QProcess child;
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QStringLiteral(CONFAB_FAILING_PEER_WAITS), {QString::fromLatin1(function)});
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
        const bool finished = child.waitForFinished(kFinishesWithinMs);
        const QString output = QString::fromUtf8(child.readAll());
        if (!finished) {
            child.kill();
            child.waitForFinished();
        }
        QVERIFY2(finished,
                 qPrintable(QStringLiteral("still waiting after %1 ms:\n").arg(kFinishesWithinMs) + output));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QVERIFY2(child.exitCode() != 0, qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("FAIL!")) && output.contains(expected), qPrintable(output));
    }

private Q_SLOTS:
    void aPipelineErrorEndsTheWaitWithItsText() {
        failsAtOnceSaying("pipelineErrorDuringACall",
                          QStringLiteral("alice's pipeline failed: the sink broke on purpose"));
    }

    void aRefusedSignInEndsTheWaitWithTheServersReason() {
        failsAtOnceSaying("nameRefusedByTheServer",
                          QStringLiteral("alice's sign-in was refused (name-taken)"));
    }
};

QTEST_GUILESS_MAIN(TestPeerFailure)
#include "tst_peerfailure.moc"
