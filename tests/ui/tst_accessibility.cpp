// SPDX-License-Identifier: GPL-3.0-or-later
// Keyboard and screen readers: in each window, Tab walks every control a person can use, each
// one visible when it has the focus, left to right along a row, and each has a name a screen
// reader reads (through QAccessible, as Orca gets it: its own accessible name, its text, or its
// label's).
#include "AboutDialog.h"
#include "CallWindow.h"
#include "ContactsPage.h"
#include "IncomingCallDialog.h"
#include "SettingsDialog.h"
#include "SignInPage.h"
#include "call/CallController.h"
#include "signaling/SignalingClient.h"

#include <QAccessible>
#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <gst/gst.h>

using namespace confab;
using namespace confab::ui;

namespace {

QString describeWidget(const QWidget *widget) {
    return QStringLiteral("%1 \"%2\"")
        .arg(QString::fromLatin1(widget->metaObject()->className()), widget->objectName());
}

// Presses Tab from the first control until the focus comes back round (or 60 stops); every stop
// must be visible and named. Returns the stops' names, in order.
QStringList walkTabs(QWidget *window) {
    window->show();
    if (!QTest::qWaitForWindowActive(window)) {
        qWarning("window not active");
        return {};
    }
    QWidget *start = QApplication::focusWidget();
    for (QWidget *w = window->nextInFocusChain(); !start && w != window; w = w->nextInFocusChain()) {
        if ((w->focusPolicy() & Qt::TabFocus) && w->isVisible() && w->isEnabled()) {
            w->setFocus(Qt::TabFocusReason);
            start = w;
        }
    }
    QStringList names;
    QList<QRect> rects;
    // In a row of controls, Tab goes left to right: a step back to the left within the same row
    // happens once at most, where the cycle wraps round.
    const auto backSteps = [&rects] {
        int count = 0;
        for (qsizetype i = 1; i < rects.size(); ++i) {
            if (qAbs(rects[i].center().y() - rects[i - 1].center().y()) < 8 &&
                rects[i].center().x() < rects[i - 1].center().x()) {
                ++count;
            }
        }
        return count;
    };
    QWidget *current = start;
    for (int stop = 0; stop < 60 && current; ++stop) {
        const QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(current);
        const QString name = accessible ? accessible->text(QAccessible::Name).trimmed() : QString();
        if (!current->isVisible() || current->window() != window) {
            QTest::qFail(
                qPrintable(
                    QStringLiteral("Tab stops at %1, which cannot be seen").arg(describeWidget(current))),
                __FILE__, __LINE__);
            return names;
        }
        if (name.isEmpty()) {
            QTest::qFail(qPrintable(QStringLiteral("%1 has no accessible name").arg(describeWidget(current))),
                         __FILE__, __LINE__);
            return names;
        }
        names << name;
        rects << QRect(current->mapToGlobal(QPoint(0, 0)), current->size());
        QTest::keyClick(current, Qt::Key_Tab);
        current = QApplication::focusWidget();
        if (current == start) {
            if (backSteps() > 1) {
                QTest::qFail(qPrintable(QStringLiteral("Tab goes right to left: ") +
                                        names.join(QStringLiteral(" | "))),
                             __FILE__, __LINE__);
            }
            return names;
        }
    }
    QTest::qFail("Tab never came back to where it started", __FILE__, __LINE__);
    return names;
}

}  // namespace

class TestAccessibility : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { gst_init(nullptr, nullptr); }

    void signInPageIsWalkedAndNamed() {
        SignInPage page;
        const QStringList stops = walkTabs(&page);
        QVERIFY2(stops.size() >= 3, qPrintable(stops.join(QStringLiteral(" | "))));
    }

    void contactsPageIsWalkedAndNamed() {
        ContactsPage page;
        page.setUsers({QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")},
                      QStringLiteral("alice"));
        page.setOnline(true);
        page.resize(900, 600);
        const QStringList stops = walkTabs(&page);
        QVERIFY2(stops.size() >= 3, qPrintable(stops.join(QStringLiteral(" | "))));
    }

    // In a call, Tab reaches only what is on the screen: no stop on a hidden panel or button.
    void callWindowInACallIsWalkedAndNamed() {
        SignalingClient client;
        CallController controller(&client, {});
        CallWindow window(&controller);
        window.resize(900, 600);
        Q_EMIT controller.stateChanged(CallState::Calling, QStringLiteral("bob"));
        Q_EMIT controller.stateChanged(CallState::Connected, QStringLiteral("bob"));
        const QStringList stops = walkTabs(&window);
        QVERIFY2(stops.contains(QStringLiteral("Hang up")), qPrintable(stops.join(QStringLiteral(" | "))));
        QVERIFY2(stops.size() >= 6, qPrintable(stops.join(QStringLiteral(" | "))));
    }

    // The call window draws its own buttons on a dark stage: each shows when it has the focus.
    void focusIsDrawnOnEveryCallControl() {
        SignalingClient client;
        CallController controller(&client, {});
        CallWindow window(&controller);
        window.resize(900, 600);
        Q_EMIT controller.stateChanged(CallState::Calling, QStringLiteral("bob"));
        Q_EMIT controller.stateChanged(CallState::Connected, QStringLiteral("bob"));
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        int checked = 0;
        for (QToolButton *button : window.findChildren<QToolButton *>()) {
            if (!button->isVisible() || !button->isEnabled() || !(button->focusPolicy() & Qt::TabFocus)) {
                continue;
            }
            window.setFocus();
            const QImage unfocused = button->grab().toImage();
            QVERIFY(button->grab().toImage() == unfocused);  // the same drawing twice: a fair comparison
            button->setFocus(Qt::TabFocusReason);
            QVERIFY(button->hasFocus());
            const QImage focused = button->grab().toImage();
            QVERIFY2(focused != unfocused, qPrintable(describeWidget(button)));
            ++checked;
        }
        QVERIFY(checked >= 6);
    }

    void incomingCallDialogIsWalkedAndNamed() {
        IncomingCallDialog dialog;
        dialog.setCaller(QStringLiteral("bob"));
        const QStringList stops = walkTabs(&dialog);
        QVERIFY2(stops.size() >= 3, qPrintable(stops.join(QStringLiteral(" | "))));
    }

    void settingsDialogIsWalkedAndNamed() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("a11y.ini")), QSettings::IniFormat);
        SettingsDialog dialog(&settings);
        const QStringList stops = walkTabs(&dialog);
        QVERIFY2(stops.size() >= 6, qPrintable(stops.join(QStringLiteral(" | "))));
    }

    void aboutDialogIsWalkedAndNamed() {
        AboutDialog dialog;
        const QStringList stops = walkTabs(&dialog);
        QVERIFY2(!stops.isEmpty(), qPrintable(stops.join(QStringLiteral(" | "))));
    }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
