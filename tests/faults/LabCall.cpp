// SPDX-License-Identifier: GPL-3.0-or-later
#include "LabCall.h"

#include <QUrl>

bool LabCall::startCall(const QStringList &aliceArguments, const QStringList &bobArguments, QString *error) {
    // The server listens on every address of the router, so both sites reach it.
    server.setLauncher(lab.routerLauncher());
    if (!server.start({QStringLiteral("--host"), QStringLiteral("0.0.0.0")})) {
        *error = QStringLiteral("confab-server did not start on the router");
        return false;
    }
    const QUrl url(
        QStringLiteral("ws://%1:%2/").arg(netlab::NetworkLab::serviceAddress()).arg(server.url().port()));
    if (!call.startBob(url, bobArguments, lab.launcher(netlab::NetworkLab::Site::B))) {
        *error = QStringLiteral("bob did not sign in: %1").arg(call.bob().errorOutput().right(600));
        return false;
    }
    call.startAlice(url, aliceArguments, lab.launcher(netlab::NetworkLab::Site::A));
    for (CallProcess *peer : call.both()) {
        if (peer->waitFor(QStringLiteral("first-remote-frame"), startMs_).isEmpty()) {
            *error = QStringLiteral("the call did not start; alice: %1; bob: %2")
                         .arg(call.alice().errorOutput().right(600), call.bob().errorOutput().right(600));
            return false;
        }
    }
    return true;
}
