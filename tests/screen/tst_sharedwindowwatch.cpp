// SPDX-License-Identifier: GPL-3.0-or-later
// SharedWindowWatch on an X server of the test's own (Xvfb), without a call: what it refuses to
// share (no display, a window that does not exist), a shared window closing, and what it does not
// watch (a whole screen, a window still open).
#include "XvfbDisplay.h"
#include "media/ScreenSource.h"
#include "media/SharedWindowWatch.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace confab;

namespace {

const Rgb kGreen{20, 200, 40, true};
const QSize kWindowSize(200, 150);
// The watch looks every 500 ms.
constexpr int kNoticeMs = 3000;

}  // namespace

class TestSharedWindowWatch : public QObject {
    Q_OBJECT
private:
    XvfbDisplay xvfb_;

private Q_SLOTS:
    void initTestCase() {
        QString error;
        QVERIFY2(xvfb_.start(QSize(640, 480), &error), qPrintable(error));
    }

    void aClosedWindowIsNoticed() {
        SolidWindow window(xvfb_.name(), kWindowSize, kGreen, QStringLiteral("green"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        QString error;
        auto watch =
            SharedWindowWatch::prepare(ScreenSource::x11Window(window.id(), {}, xvfb_.name()), &error);
        QVERIFY2(watch, qPrintable(error));
        QSignalSpy closed(watch.get(), &SharedWindowWatch::windowClosed);
        watch->start();
        // While the window is there, nothing happens.
        QTest::qWait(1200);
        QCOMPARE(closed.count(), 0);
        window.destroy();
        QVERIFY(closed.wait(kNoticeMs));
        // Once is enough: the share ends on it.
        QTest::qWait(1200);
        QCOMPARE(closed.count(), 1);
    }

    void aWindowThatDoesNotExistIsRefused() {
        SolidWindow window(xvfb_.name(), kWindowSize, kGreen, QStringLiteral("gone"));
        QVERIFY2(window.isShown(), qPrintable(window.error() + xvfb_.log()));
        const quint64 id = window.id();
        window.destroy();
        QString error;
        QVERIFY(!SharedWindowWatch::prepare(ScreenSource::x11Window(id, {}, xvfb_.name()), &error));
        QVERIFY2(error.contains(QStringLiteral("does not exist")), qPrintable(error));
        QVERIFY2(error.contains(QString::number(id, 16)), qPrintable(error));
    }

    void noDisplayIsRefused() {
        QString error;
        // A display number nothing listens on.
        QVERIFY(!SharedWindowWatch::prepare(ScreenSource::x11Screen(QStringLiteral(":4093")), &error));
        QVERIFY2(error.contains(QStringLiteral("no X11 display")), qPrintable(error));
    }

    void aScreenIsNotWatched() {
        QString error;
        auto watch = SharedWindowWatch::prepare(ScreenSource::x11Screen(xvfb_.name()), &error);
        QVERIFY2(watch, qPrintable(error));
        QSignalSpy closed(watch.get(), &SharedWindowWatch::windowClosed);
        watch->start();
        QTest::qWait(1200);
        QCOMPARE(closed.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSharedWindowWatch)
#include "tst_sharedwindowwatch.moc"
