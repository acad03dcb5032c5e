// SPDX-License-Identifier: GPL-3.0-or-later
// Password guessing must not lock everyone out (issue 20: 40 addresses guessing alice's password
// made every one of the real alice's sign-ins fail "rate-limited"). Against a confab-server process
// with a users file: guessers from 40 addresses send wrong passwords for alice as fast as they are
// answered, reconnecting when closed; meanwhile the real alice signs in from another address, and
// each of her sign-ins succeeds within a generous bound; each guessing address gets no more than its
// first few checks (then one per 10 s at most: core/signaling/PasswordCheckQueue.h). The precise
// figure (how soon, in how many of 20 tries) is measured, not asserted: CONFAB_FLOOD_TRIES=20
// CONFAB_FLOOD_INTERVAL_MS=1000 CONFAB_FLOOD_TICK_MS=25 runs the scenario and prints the
// times.
#include "RawWebSocketClient.h"
#include "ServerProcessProbe.h"
#include "TestTime.h"

#include "signaling/PasswordCheckQueue.h"
#include "signaling/PasswordFile.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

constexpr int kGuessers = 40;
const QString kPassword = QStringLiteral("correct horse battery staple");

QJsonObject loginAs(const QString &name, const QString &password) {
    return {{QStringLiteral("type"), QStringLiteral("login")},
            {QStringLiteral("name"), name},
            {QStringLiteral("password"), password}};
}

int envOr(const char *name, int fallback) {
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

// How often each guessing connection sends: every 100 ms in the suite (scaled for the sanitizers,
// whose server serves several times fewer messages a second), so that the test's own clients do
// not take the CPU the server's checks need on a busy machine; CONFAB_FLOOD_TICK_MS=25 is the
// issue's flood (the server's sustained message rate is 50 a second).
int tickMs() {
    return envOr("CONFAB_FLOOD_TICK_MS", scaled(100));
}

// One guessing address: two connections that each send a wrong password for alice every tick
// whether or not the last was answered, and connect again whenever the server closes them.
class Guesser : public QObject {
public:
    Guesser(const QUrl &url, const QString &address) : url_(url), address_(address) {
        connect(&tick_, &QTimer::timeout, this, [this] {
            for (Connection &connection : connections_) {
                step(connection);
            }
        });
        tick_.start(tickMs());
    }

    int checks() const { return checks_; }      // answers that were a real check: auth-failed
    int refusals() const { return refusals_; }  // answered at once: rate-limited, still being checked
    int connections() const { return connects_; }

private:
    struct Connection {
        std::unique_ptr<RawWebSocketClient> client;
        bool wasOpen = false;
        QElapsedTimer since;
    };

    void step(Connection &connection) {
        RawWebSocketClient *client = connection.client.get();
        if (client && client->isOpen()) {
            connection.wasOpen = true;
            while (!client->pendingTypes().isEmpty()) {
                const QString code = client->takeNext(0).value(QStringLiteral("code")).toString();
                if (code == QStringLiteral("auth-failed")) {
                    ++checks_;
                } else if (!code.isEmpty()) {
                    ++refusals_;
                }
            }
            client->sendJson(loginAs(QStringLiteral("alice"), QStringLiteral("guess%1").arg(++guesses_)));
            return;
        }
        // Closed by the server (or never opened): again.
        if (!client || connection.wasOpen || connection.since.elapsed() > 2000) {
            connection.client = std::make_unique<RawWebSocketClient>(url_, nullptr, address_);
            connection.wasOpen = false;
            connection.since.start();
            ++connects_;
        }
    }

    QUrl url_;
    QString address_;
    QTimer tick_;
    Connection connections_[2];
    int guesses_ = 0;
    int checks_ = 0;
    int refusals_ = 0;
    int connects_ = 0;
};

}  // namespace

class TestPasswordFlood : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theRealUserSignsInWhileManyAddressesGuess() {
        QTemporaryDir directory;
        const QString users = directory.filePath(QStringLiteral("users"));
        QString error;
        QVERIFY2(confab::PasswordFile::setUser(users, QStringLiteral("alice"), kPassword.toUtf8(), &error),
                 qPrintable(error));
        // 127.0.0.x stand for addresses on the internet: --limit-loopback.
        // A login timeout longer than the bound below: a sign-in that is slow is measured as such.
        ServerProcessProbe server({QStringLiteral("--users"), users, QStringLiteral("--limit-loopback"),
                                   QStringLiteral("--login-timeout"), QStringLiteral("30")});
        QVERIFY2(server.isRunning(), qPrintable(server.error()));
        const QUrl url(server.url());

        std::vector<std::unique_ptr<Guesser>> guessers;
        for (int i = 0; i < kGuessers; ++i) {
            guessers.push_back(std::make_unique<Guesser>(url, QStringLiteral("127.0.0.%1").arg(i + 2)));
        }
        QElapsedTimer flood;
        flood.start();
        QTest::qWait(1000);  // the guessers have their first checks queued and running

        // What one check costs on this machine now, flood and all (the machine's other work can
        // make it take seconds): the yardstick for the real user's waits.
        const QByteArray hash = confab::PasswordFile::hash(kPassword.toUtf8(), &error);
        QVERIFY2(!hash.isEmpty(), qPrintable(error));
        qint64 checkMs = 0;
        const auto timeACheck = [&] {
            QElapsedTimer clock;
            clock.start();
            (void)confab::PasswordFile::verify(hash, QByteArrayLiteral("wrong"));
            checkMs = std::max(checkMs, clock.elapsed());
        };
        timeACheck();
        const int tries = envOr("CONFAB_FLOOD_TRIES", 5);
        const int intervalMs = envOr("CONFAB_FLOOD_INTERVAL_MS", 500);
        QList<qint64> signInMs;
        int failed = 0;
        for (int i = 0; i < tries; ++i) {
            QElapsedTimer clock;
            clock.start();
            RawWebSocketClient alice(url, nullptr, QStringLiteral("127.0.0.1"));
            QVERIFY(alice.waitConnected());
            alice.sendJson(loginAs(QStringLiteral("alice"), kPassword));
            // The login reply, or an error about the login (refused without a check).
            QJsonObject reply;
            while (reply.isEmpty()) {
                const QJsonObject next = alice.takeNext(scaled(25000));
                if (next.isEmpty()) {
                    break;
                }
                const QString type = next.value(QStringLiteral("type")).toString();
                if (type == QStringLiteral("login") ||
                    (type == QStringLiteral("error") &&
                     next.value(QStringLiteral("about")).toString() == QStringLiteral("login"))) {
                    reply = next;
                }
            }
            if (reply.value(QStringLiteral("success")).toBool()) {
                signInMs.append(clock.elapsed());
            } else {
                ++failed;
                qWarning("sign-in %d failed: %s", i + 1,
                         qPrintable(reply.isEmpty() ? QStringLiteral("no answer")
                                                    : reply.value(QStringLiteral("message")).toString()));
            }
            alice.close();
            QTest::qWait(std::max<int>(0, intervalMs - int(clock.elapsed())));
        }
        timeACheck();
        const qint64 floodMs = flood.elapsed();
        int checks = 0;
        int mostChecks = 0;
        int refusals = 0;
        int connections = 0;
        for (const auto &guesser : guessers) {
            checks += guesser->checks();
            mostChecks = std::max(mostChecks, guesser->checks());
            refusals += guesser->refusals();
            connections += guesser->connections();
        }
        guessers.clear();
        QList<qint64> sorted = signInMs;
        std::sort(sorted.begin(), sorted.end());
        qInfo(
            "%d guessing addresses for %.1f s: %d checks (at most %d for one address), %d refused at once, "
            "%d "
            "connections; a check took up to %lld ms; the real user: %lld of %d sign-ins succeeded, times "
            "(ms, "
            "sorted): %s",
            kGuessers, double(floodMs) / 1000, checks, mostChecks, refusals, connections, qlonglong(checkMs),
            qlonglong(signInMs.size()), tries, qPrintable([&] {
                QStringList times;
                for (const qint64 ms : sorted) {
                    times << QString::number(ms);
                }
                return times.join(QLatin1Char(' '));
            }()));
        QCOMPARE(failed, 0);
        // Each sign-in waits for a check under way and its own, not for the guessers' 40: within
        // four checks' time and 2 s (generous; first-come-first-served made her wait for all of
        // theirs, or refused her). The target (within 2 s, 19 times in 20, on a machine where a
        // check takes a fraction of a second) is measured above, not asserted.
        const qint64 bound = 4 * checkMs + scaled(2000);
        QVERIFY2(sorted.last() < bound,
                 qPrintable(QStringLiteral("%1 ms, bound %2 ms").arg(sorted.last()).arg(bound)));
        // Each guessing address had its free failures, one more, then a wait of at least 10 s
        // (longer than this test, unless its runs are stretched by CONFAB_FLOOD_*).
        const confab::PasswordCheckQueue::Policy policy;
        const int allowed = policy.freeFailures + 1 + int(floodMs / policy.firstWait.count());
        QVERIFY2(mostChecks <= allowed,
                 qPrintable(QStringLiteral("%1 checks, %2 allowed").arg(mostChecks).arg(allowed)));
    }
};

QTEST_GUILESS_MAIN(TestPasswordFlood)
#include "tst_passwordflood.moc"
