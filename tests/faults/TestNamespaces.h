// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

// Network namespaces a fault test makes for itself, joined by veth pairs, and removed again when
// the object goes (or, after a test killed on a timeout, by the next run: the test's pid is in
// each name). Addresses inside them come from the documentation ranges (192.0.2.0/24,
// 198.51.100.0/24), so nothing on the host's own networks is touched. Needs root and iproute2.
class TestNamespaces {
public:
    TestNamespaces();
    ~TestNamespaces();
    TestNamespaces(const TestNamespaces &) = delete;
    TestNamespaces &operator=(const TestNamespaces &) = delete;

    // Empty when namespaces can be made here; otherwise why not, for QSKIP.
    static QString unavailableReason();

    // A namespace with its loopback up and IPv6 off (so ICE has exactly the IPv4 paths we made).
    bool add(const QString &place, QString *error);
    // A veth pair between two places (or inside one), each end up with its address "a.b.c.d/n".
    bool link(const QString &placeA, const QString &interfaceA, const QString &addressA,
              const QString &placeB, const QString &interfaceB, const QString &addressB, QString *error);
    // Runs `command` inside `place` to completion; false with its output in *error on failure.
    bool exec(const QString &place, const QStringList &command, QString *error,
              QString *output = nullptr) const;
    // The prefix that starts a program inside `place`: {"ip", "netns", "exec", NAME}.
    QStringList launcher(const QString &place) const;
    QString name(const QString &place) const;

private:
    void removeAll();
    static void removeLeftoversOfDeadTests();

    QString prefix_;
    QStringList names_;  // created, in order
};
