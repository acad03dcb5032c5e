# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by scripts/run, scripts/test and friends: the Debian bookworm packages Confab needs,
# and a function that installs the missing ones (with sudo when not root; nothing when all present).

# Build tools and libraries.
CONFAB_BUILD_PACKAGES=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools
    qt6-tools-dev qt6-l10n-tools  # Qt6LinguistTools: the .ts translations compiled to .qm
    libsoup-3.0-dev libjson-glib-dev libsodium-dev libhiredis-dev qtkeychain-qt6-dev
    libx11-dev  # screen sharing: the X11 window list (core/media/X11WindowList)
    libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
)
# What the programs need at run time: TLS for wss://, the GStreamer elements of a call, libsecret
# (QtKeychain loads it to reach the desktop keyring).
CONFAB_RUNTIME_PACKAGES=(
    glib-networking libsecret-1-0
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice
    gstreamer1.0-pipewire  # pipewiresrc: screen sharing on Wayland (through xdg-desktop-portal)
)

# What the tests need besides: a real browser as the other WebRTC peer in the interop tests, and
# the freedesktop validators for the launcher and AppStream files (tests/desktop), and a private
# session bus for the notification and screensaver tests (tests/ui/tst_desktopintegration), and
# a Redis the cluster tests (tests/cluster) start on loopback.
CONFAB_TEST_PACKAGES=(
    chromium
    desktop-file-utils appstream
    dbus-daemon
    gnome-keyring  # tests/ui/tst_keychainstore: a private keyring for QtKeychain (with-private-keyring)
    redis-server
    coturn  # tests/relay: the TURN server the NAT test starts
    # tests/faults: namespaces and cuts (ip, ss, nft), the capture (tshark; its debconf question,
    # capture as non-root, takes the default "no" under DEBIAN_FRONTEND=noninteractive), and
    # gst-launch-1.0 for the plain-RTP control
    iproute2 nftables tshark gstreamer1.0-tools
    xvfb  # tests/screen: the X server whose windows the screen-sharing tests share
)

# What scripts/screenshot needs: an X server without a screen.
CONFAB_SCREENSHOT_PACKAGES=(
    xvfb fonts-dejavu-core
)

# What scripts/bench needs besides the build: Chromium, the other side of the call benchmarks; the
# material of the natural test clip (scripts/make-test-clip: a photograph, speech and sox to shape
# it); and what bench/network builds its networks with (namespaces, nftables, tc).
CONFAB_BENCH_PACKAGES=(
    chromium
    plasma-workspace-wallpapers espeak-ng sox
    iproute2 nftables
)

# What scripts/fuzz needs: clang and its libFuzzer runtime.
CONFAB_FUZZ_PACKAGES=(
    clang libclang-rt-14-dev
)

# What scripts/package needs to build, lint and check the Debian packages (not scripts/test).
CONFAB_PACKAGE_PACKAGES=(
    debhelper dpkg-dev fakeroot lintian
    desktop-file-utils appstream librsvg2-bin
    git rsync gstreamer1.0-tools
)

confab_missing_packages() {
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            printf '%s\n' "$package"
        fi
    done
}

confab_install_packages() {
    local missing
    mapfile -t missing < <(confab_missing_packages "$@")
    [ "${#missing[@]}" -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "Confab needs these packages and cannot install them without root or sudo: ${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
    fi
    echo "Installing: ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures (once) and builds into the given directory; extra arguments go to CMake.
confab_build() {
    local build_dir="$1"
    shift
    cmake -S "$CONFAB_ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$build_dir"
}
