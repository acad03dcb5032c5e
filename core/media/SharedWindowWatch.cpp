// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/SharedWindowWatch.h"

#include "media/X11WindowList.h"

namespace confab {

std::unique_ptr<SharedWindowWatch> SharedWindowWatch::prepare(const ScreenSource &source, QString *error) {
    if (source.kind() == ScreenSource::Kind::PipeWire) {
        return std::unique_ptr<SharedWindowWatch>(new SharedWindowWatch(nullptr, 0));
    }
    X11WindowList::installErrorHandler();
    auto windows = std::make_unique<X11WindowList>(source.displayName());
    if (!windows->isOpen()) {
        *error = tr("There is no X11 display to share.");
        return nullptr;
    }
    if (source.kind() == ScreenSource::Kind::X11Screen) {
        return std::unique_ptr<SharedWindowWatch>(new SharedWindowWatch(nullptr, 0));
    }
    if (!windows->windowExists(source.windowId())) {
        *error = tr("The window to share (0x%1) does not exist.").arg(source.windowId(), 0, 16);
        return nullptr;
    }
    return std::unique_ptr<SharedWindowWatch>(new SharedWindowWatch(std::move(windows), source.windowId()));
}

SharedWindowWatch::SharedWindowWatch(std::unique_ptr<X11WindowList> windows, quint64 window)
    : windows_(std::move(windows)), window_(window) {
    timer_.setInterval(500);
    connect(&timer_, &QTimer::timeout, this, &SharedWindowWatch::check);
}

SharedWindowWatch::~SharedWindowWatch() = default;

void SharedWindowWatch::start() {
    if (windows_) {
        timer_.start();
    }
}

void SharedWindowWatch::check() {
    if (windows_ && !windows_->windowExists(window_)) {
        timer_.stop();
        Q_EMIT windowClosed();
    }
}

}  // namespace confab
