// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProcessCall.h"

#include <QtDebug>

bool ProcessCall::start(const QUrl &server, const QStringList &aliceArguments,
                        const QStringList &bobArguments) {
    if (!startBob(server, bobArguments)) {
        return false;
    }
    startAlice(server, aliceArguments);
    return true;
}

bool ProcessCall::startWithServer(const QStringList &aliceArguments, const QStringList &bobArguments) {
    if (!server_.start()) {
        qWarning("confab-server did not start");
        return false;
    }
    return start(server_.url(), aliceArguments, bobArguments);
}

bool ProcessCall::startBob(const QUrl &server, const QStringList &arguments, const QStringList &launcher) {
    bob_ = std::make_unique<CallProcess>(QStringLiteral("bob"));
    bob_->setLauncher(launcher);
    bob_->start(server, QStringList{QStringLiteral("--answer")} + arguments);
    if (bob_->waitFor(QStringLiteral("logged-in"), signInTimeoutMs_).isEmpty()) {
        qWarning("bob did not sign in to %s: %s", qPrintable(server.toString()),
                 qPrintable(bob_->errorOutput()));
        return false;
    }
    return true;
}

void ProcessCall::startAlice(const QUrl &server, const QStringList &arguments, const QStringList &launcher) {
    alice_ = std::make_unique<CallProcess>(QStringLiteral("alice"));
    alice_->setLauncher(launcher);
    alice_->start(server, QStringList{QStringLiteral("--call"), QStringLiteral("bob")} + arguments);
}

void ProcessCall::stop() {
    alice_.reset();
    bob_.reset();
}
