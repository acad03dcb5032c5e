// SPDX-License-Identifier: GPL-3.0-or-later
// SettingsDialog and CallSettings: what the lists say with no devices (this machine), values that
// survive a restart and become the right CallController::Settings, refused STUN/TURN addresses,
// and — with test devices plugged through a fake GstDeviceProvider — the device lists, hot-plug,
// the camera preview's pixels and the microphone meter.
#include "FakeDevices.h"

#include "CallSettings.h"
#include "SettingsDialog.h"
#include "VideoWidget.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {
constexpr int kTimeoutMs = 10000;

template <typename T>
T *part(QWidget *dialog, const char *name) {
    T *found = dialog->findChild<T *>(QString::fromLatin1(name));
    if (!found) {
        qFatal("no %s in the dialog", name);
    }
    return found;
}

void selectData(QComboBox *box, const QVariant &data) {
    const int index = box->findData(data);
    QVERIFY2(index >= 0, qPrintable(data.toString()));
    box->setCurrentIndex(index);
}
}  // namespace

class TestSettingsDialog : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString file() const { return dir_.filePath(QStringLiteral("confab.ini")); }

private Q_SLOTS:
    void initTestCase() {
        gst_init(nullptr, nullptr);
        QVERIFY(dir_.isValid());
        // The machine's own devices are taken out of this process: the dialog lists only the fake
        // ones the tests plug, on a desktop as on a build server.
        FakeDevices::install();
    }

    // Runs before any fake device is plugged: what a machine without devices shows.
    void saysWhatIsMissingWithoutDevices() {
        QSettings settings(file(), QSettings::IniFormat);
        SettingsDialog dialog(&settings);
        dialog.show();
        auto *camera = part<QComboBox>(&dialog, "camera");
        auto *microphone = part<QComboBox>(&dialog, "microphone");
        auto *speaker = part<QComboBox>(&dialog, "speaker");
        QCOMPARE(camera->currentText(), QStringLiteral("No camera found — a test pattern is sent"));
        QVERIFY(!camera->isEnabled());
        QCOMPARE(microphone->currentText(), QStringLiteral("No microphone found — silence is sent"));
        QVERIFY(!microphone->isEnabled());
        QCOMPARE(speaker->currentText(), QStringLiteral("No speaker found — calls play no sound here"));
        // The preview shows what a call would send: the test pattern.
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.cameraPreview()->lastFrame().isNull(), kTimeoutMs);
        QCOMPARE(dialog.cameraPreview()->lastFrame().size(), QSize(240, 180));
        QVERIFY(!part<QProgressBar>(&dialog, "microphoneLevel")->isEnabled());
        // Nothing chosen means "the first found" when one appears.
        QCOMPARE(dialog.choice().camera, QString());
    }

    void valuesSurviveARestartAndBecomeCallSettings() {
        {
            QSettings settings(file(), QSettings::IniFormat);
            SettingsDialog dialog(&settings);
            selectData(part<QComboBox>(&dialog, "resolution"), QSize(1280, 720));
            selectData(part<QComboBox>(&dialog, "frameRate"), 15);
            part<QCheckBox>(&dialog, "echoCancellation")->setChecked(true);
            part<QSpinBox>(&dialog, "reconnectWindow")->setValue(45);
            auto *ice = part<QTableWidget>(&dialog, "iceServers");
            ice->setRowCount(2);
            ice->setItem(0, 0, new QTableWidgetItem(QStringLiteral("stun:stun.example.org:3478")));
            ice->setItem(1, 0,
                         new QTableWidgetItem(
                             QStringLiteral("turn:turn.example.org:3478 turns:turn.example.org:5349")));
            ice->setItem(1, 1, new QTableWidgetItem(QStringLiteral("ann")));
            ice->setItem(1, 2, new QTableWidgetItem(QStringLiteral("s3cret")));
            dialog.accept();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        // A restart: a new QSettings on the same file.
        QSettings settings(file(), QSettings::IniFormat);
        const CallSettings loaded = CallSettings::load(settings);
        QCOMPARE(loaded.resolution, QSize(1280, 720));
        QCOMPARE(loaded.frameRate, 15);
        QVERIFY(loaded.echoCancellation);
        QCOMPARE(loaded.reconnectWindowSeconds, 45);
        QCOMPARE(loaded.iceServers.size(), 2);
        QCOMPARE(loaded.iceServers.at(0).urls, QStringList{QStringLiteral("stun:stun.example.org:3478")});
        QCOMPARE(loaded.iceServers.at(1).urls, (QStringList{QStringLiteral("turn:turn.example.org:3478"),
                                                            QStringLiteral("turns:turn.example.org:5349")}));
        QCOMPARE(loaded.iceServers.at(1).username, QStringLiteral("ann"));
        QCOMPARE(loaded.iceServers.at(1).credential, QStringLiteral("s3cret"));
        SettingsDialog again(&settings);
        QCOMPARE(again.choice(), loaded);

        const CallController::Settings call = SettingsDialog::controllerSettings(&settings);
        QCOMPARE(call.media.width, 1280);
        QCOMPARE(call.reconnectWindowMs, 45000);
        QCOMPARE(call.media.height, 720);
        QCOMPARE(call.media.fps, 15);
        QVERIFY(call.media.echoCancellation);
        QCOMPARE(call.media.video, VideoSourceKind::Camera);
        QCOMPARE(call.media.audio, AudioSourceKind::Microphone);
        QCOMPARE(call.iceServers, loaded.iceServers);

        // applyTo keeps what it does not own (CallWindow's sinks).
        CallController::Settings existing;
        existing.sinks = [](MediaKind) -> GstElement * { return nullptr; };
        existing.noAnswerTimeoutMs = 1234;
        loaded.applyTo(existing);
        QVERIFY(bool(existing.sinks));
        QCOMPARE(existing.noAnswerTimeoutMs, 1234);
        QCOMPARE(existing.media.fps, 15);
    }

    void refusesAddressesThatAreNotStunOrTurn() {
        QSettings settings(file(), QSettings::IniFormat);
        const CallSettings before = CallSettings::load(settings);
        SettingsDialog dialog(&settings);
        dialog.show();
        auto *ice = part<QTableWidget>(&dialog, "iceServers");
        ice->setRowCount(ice->rowCount() + 1);
        ice->setItem(ice->rowCount() - 1, 0, new QTableWidgetItem(QStringLiteral("http://example.org")));
        dialog.accept();
        QVERIFY(dialog.isVisible());
        QVERIFY(part<QLabel>(&dialog, "problem")->isVisible());
        QVERIFY(part<QLabel>(&dialog, "problem")->text().contains(QStringLiteral("http://example.org")));
        // A TURN server without credentials is refused too.
        ice->setItem(ice->rowCount() - 1, 0, new QTableWidgetItem(QStringLiteral("turn:relay.example.org")));
        dialog.accept();
        QVERIFY(dialog.isVisible());
        QCOMPARE(CallSettings::load(settings), before);

        QVERIFY(CallSettings::isIceUrl(QStringLiteral("stun:stun.l.google.com:19302")));
        QVERIFY(CallSettings::isIceUrl(QStringLiteral("turn:10.0.0.1:3478?transport=tcp")));
        QVERIFY(!CallSettings::isIceUrl(QStringLiteral("stun:")));
        QVERIFY(!CallSettings::isIceUrl(QStringLiteral("turn:a b")));
    }

    // A new user gets echo cancellation, and the dialog says in plain words what it is for.
    void echoCancellationIsOnByDefaultAndExplained() {
        QTemporaryDir fresh;
        QSettings settings(fresh.filePath(QStringLiteral("new.ini")), QSettings::IniFormat);
        QVERIFY(CallSettings::load(settings).echoCancellation);
        QVERIFY(CallSettings::load(settings).toControllerSettings().media.echoCancellation);
        SettingsDialog dialog(&settings);
        dialog.show();
        auto *box = part<QCheckBox>(&dialog, "echoCancellation");
        QVERIFY(box->isChecked());
        auto *note = part<QLabel>(&dialog, "echoCancellationNote");
        QVERIFY(note->isVisible());
        QVERIFY2(note->text().contains(QStringLiteral("hears their own voice")), qPrintable(note->text()));
        QCOMPARE(box->accessibleDescription(), note->text());
        // Turned off, it stays off.
        box->setChecked(false);
        dialog.accept();
        QVERIFY(!CallSettings::load(settings).echoCancellation);
    }

    // The TURN credential is never drawn on screen: dots in the table, a password field to edit.
    void turnCredentialIsMasked() {
        QTemporaryDir fresh;
        QSettings settings(fresh.filePath(QStringLiteral("turn.ini")), QSettings::IniFormat);
        CallSettings stored;
        stored.iceServers.append({{QStringLiteral("turn:relay.example.org:3478")},
                                  QStringLiteral("alice"),
                                  QStringLiteral("s3cret-words")});
        stored.save(settings);
        SettingsDialog dialog(&settings);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *ice = part<QTableWidget>(&dialog, "iceServers");
        const QModelIndex credential = ice->model()->index(0, 2);
        const auto delegate = [ice](const QModelIndex &index) {
            return qobject_cast<QStyledItemDelegate *>(ice->itemDelegateForIndex(index));
        };
        QVERIFY(delegate(credential));
        const QString shown = delegate(credential)->displayText(credential.data(), QLocale());
        QVERIFY2(!shown.contains(QStringLiteral("s3cret")), qPrintable(shown));
        QCOMPARE(shown.size(), QStringLiteral("s3cret-words").size());
        QVERIFY(!credential.data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("s3cret")));
        // The user name is no secret and reads as typed.
        QCOMPARE(
            delegate(ice->model()->index(0, 1))->displayText(ice->model()->index(0, 1).data(), QLocale()),
            QStringLiteral("alice"));
        ice->setCurrentCell(0, 2);
        ice->editItem(ice->item(0, 2));
        auto *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
        QVERIFY(editor);
        QCOMPARE(editor->echoMode(), QLineEdit::Password);
        // What is kept is the credential itself.
        QCOMPARE(dialog.choice().iceServers.at(0).credential, QStringLiteral("s3cret-words"));
    }

    // A refused address's sentence goes as soon as the address is put right, without pressing OK.
    void aFixedAddressTakesItsErrorAway() {
        QTemporaryDir fresh;
        QSettings settings(fresh.filePath(QStringLiteral("stun.ini")), QSettings::IniFormat);
        SettingsDialog dialog(&settings);
        dialog.show();
        auto *ice = part<QTableWidget>(&dialog, "iceServers");
        auto *problem = part<QLabel>(&dialog, "problem");
        ice->setRowCount(1);
        ice->setItem(0, 0, new QTableWidgetItem(QStringLiteral("stun.example.org:3478")));
        dialog.accept();
        QVERIFY(dialog.isVisible());
        QVERIFY(problem->isVisible());
        // Another mistake: the sentence follows it.
        ice->item(0, 0)->setText(QStringLiteral("turn:relay.example.org"));
        QVERIFY(problem->isVisible());
        QVERIFY2(problem->text().contains(QStringLiteral("needs a user name")), qPrintable(problem->text()));
        ice->item(0, 0)->setText(QStringLiteral("stun:stun.example.org:3478"));
        QVERIFY(!problem->isVisible());
        // Removing the faulty row clears it too.
        ice->setRowCount(2);
        ice->setItem(1, 0, new QTableWidgetItem(QStringLiteral("http://example.org")));
        dialog.accept();
        QVERIFY(problem->isVisible());
        ice->removeRow(1);
        QVERIFY(!problem->isVisible());
        dialog.accept();
        QVERIFY(!dialog.isVisible());
        QCOMPARE(CallSettings::load(settings).iceServers.size(), 1);
    }

    void listsDevicesFollowsHotPlugAndPreviewsThem() {
        FakeDevices::plug(
            QStringLiteral("Desk Camera"), "Video/Source",
            QStringLiteral("videotestsrc is-live=true pattern=solid-color foreground-color=0xffff0000"));
        FakeDevices::plug(QStringLiteral("Desk Microphone"), "Audio/Source",
                          QStringLiteral("audiotestsrc is-live=true wave=sine volume=0.8"));
        FakeDevices::plug(QStringLiteral("Desk Speakers"), "Audio/Sink", QStringLiteral("fakesink"));
        QSettings settings(file(), QSettings::IniFormat);
        SettingsDialog dialog(&settings);
        dialog.show();
        auto *camera = part<QComboBox>(&dialog, "camera");
        auto *microphone = part<QComboBox>(&dialog, "microphone");
        auto *speaker = part<QComboBox>(&dialog, "speaker");
        QVERIFY(camera->isEnabled());
        QCOMPARE(camera->currentText(), QStringLiteral("Desk Camera"));
        QCOMPARE(microphone->currentText(), QStringLiteral("Desk Microphone"));
        QCOMPARE(speaker->count(), 2);  // the system default and the speakers
        selectData(speaker, QStringLiteral("Desk Speakers"));

        // The preview shows the camera (red), the meter moves with the microphone's sine.
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.cameraPreview()->lastFrame().isNull(), kTimeoutMs);
        const QRgb pixel = dialog.cameraPreview()->lastFrame().pixel(120, 90);
        QVERIFY2(qRed(pixel) > 200 && qGreen(pixel) < 40 && qBlue(pixel) < 40,
                 qPrintable(QString::number(pixel, 16)));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.microphoneLevel() > 50, kTimeoutMs);

        // A second camera is plugged in: listed without reopening the dialog.
        FakeDevices::plug(
            QStringLiteral("USB Camera"), "Video/Source",
            QStringLiteral("videotestsrc is-live=true pattern=solid-color foreground-color=0xff0000ff"));
        QTRY_COMPARE_WITH_TIMEOUT(camera->count(), 2, kTimeoutMs);
        selectData(camera, QStringLiteral("USB Camera"));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.cameraPreview()->lastFrame().isNull() &&
                                     qBlue(dialog.cameraPreview()->lastFrame().pixel(120, 90)) > 200,
                                 kTimeoutMs);
        dialog.accept();
        QCOMPARE(CallSettings::load(settings).camera, QStringLiteral("USB Camera"));
        QCOMPARE(CallSettings::load(settings).speaker, QStringLiteral("Desk Speakers"));
        QCOMPARE(SettingsDialog::controllerSettings(&settings).media.cameraDevice,
                 QStringLiteral("USB Camera"));

        // Unplugged while chosen: the choice stays, marked, instead of silently becoming another camera.
        SettingsDialog reopened(&settings);
        reopened.show();
        auto *cameraAgain = part<QComboBox>(&reopened, "camera");
        QCOMPARE(cameraAgain->currentText(), QStringLiteral("USB Camera"));
        FakeDevices::unplug(QStringLiteral("USB Camera"));
        QTRY_VERIFY_WITH_TIMEOUT(cameraAgain->currentText() == QStringLiteral("USB Camera (not connected)"),
                                 kTimeoutMs);
        QCOMPARE(reopened.choice().camera, QStringLiteral("USB Camera"));
        FakeDevices::unplug(QStringLiteral("Desk Camera"));
        FakeDevices::unplug(QStringLiteral("Desk Microphone"));
        FakeDevices::unplug(QStringLiteral("Desk Speakers"));
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
