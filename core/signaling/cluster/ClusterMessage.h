// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace confab {

// What cluster nodes tell each other over Redis pub/sub (docs/architecture.md, "Cluster"), and its
// text form: a header line "<kind> <node id>[ <argument>]", then one item a line. Names cannot
// hold line breaks (protocol/NameRules), so a line is a name; a relayed frame comes last, whole.
//
//   hello <node> [<asked node>]   I (re)joined: send me your snapshot (all of you, or just one)
//   snapshot <node>               every user signed in on <node>, a line each
//   presence <node>               changes since: "+name" signed in, "-name" signed out
//   heartbeat <node> <count>      still alive, with <count> users (a mismatch asks for a snapshot)
//   bye <node>                    shutting down: forget my users now
//   relay <node>                  to, from, type, then the frame for `to` (name already `from`)
//   undeliverable <node>          to, from, type: `to` is not on the node that was asked
struct ClusterMessage {
    enum class Kind { Hello = 1, Snapshot, Presence, Heartbeat, Bye, Relay, Undeliverable };

    Kind kind = Kind::Hello;
    QString node;         // who sent it
    QString askedNode;    // Hello: the one node that should answer; empty for all
    qint64 count = 0;     // Heartbeat
    QStringList online;   // Snapshot (everyone), Presence (signed in)
    QStringList offline;  // Presence (signed out)
    QString to;           // Relay, Undeliverable
    QString from;
    QString type;
    QByteArray frame;  // Relay

    QByteArray encode() const;
    // nullopt for anything that is not a message of ours (logged by the caller).
    static std::optional<ClusterMessage> decode(QByteArrayView payload);
};

}  // namespace confab
