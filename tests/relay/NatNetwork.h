#pragma once

#include <QString>
#include <QStringList>

// Three network namespaces made for one test and removed with it (destructor), standing for two
// peers behind NATs that cannot reach each other and a public server both can reach:
//
//   peer-a 192.0.2.2 ──veth── 192.0.2.1  relay  198.51.100.1 ──veth── 198.51.100.2 peer-b
//                             203.0.113.1 (lo): TURN and signaling
//
// Each peer has a route to 203.0.113.1 only; the relay namespace does not forward (a new
// namespace starts with ip_forward=0), so a packet from one peer never reaches the other except
// as TURN-relayed data. Addresses are TEST-NET ones and exist inside these namespaces only.
// Needs root and iproute2.
class NatNetwork {
public:
    enum class Place { PeerA, PeerB, Relay };
    static constexpr const char *kRelayAddress = "203.0.113.1";
    static constexpr const char *kPeerAAddress = "192.0.2.2";
    static constexpr const char *kPeerBAddress = "198.51.100.2";

    // Why this machine cannot build the network (not root, no `ip`), or empty when it can.
    static QString unavailableReason();

    NatNetwork();
    ~NatNetwork();
    NatNetwork(const NatNetwork &) = delete;
    NatNetwork &operator=(const NatNetwork &) = delete;

    // Builds the namespaces, links, addresses and routes. On failure *error says which step
    // failed; *refused is set when the very first namespace could not be made at all (no
    // CAP_SYS_ADMIN in a container, say): the test cannot run here, rather than a broken set-up.
    bool create(QString *error, bool *refused);

    // The command prefix that runs a program inside `place`: {"ip", "netns", "exec", NAME}.
    QStringList launcher(Place place) const;
    // Whether the kernel of `from` has a route to `address` (`ip route get`).
    bool hasRoute(Place from, const QString &address) const;
    // Runs `command` inside `place`; its stdout (and stderr) in *output. False when it fails.
    bool run(Place place, const QStringList &command, QString *output = nullptr) const;

private:
    QString name(Place place) const;
    bool ip(const QStringList &arguments, QString *error) const;
    void remove();
    static void removeLeftoversOfDeadTests();

    QString prefix_;
    bool created_ = false;
};
