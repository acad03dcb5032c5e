// SPDX-License-Identifier: GPL-3.0-or-later
// A wss:// server whose certificate this computer does not trust: the desktop app does not
// connect, asks "Trust this certificate?" with the SHA-256 fingerprint, remembers a yes per server,
// and refuses a changed certificate with a warning that offers no way to trust it. A real
// in-process server on 127.0.0.1 with the self-signed test certificate.
#include "CertificateTrustDialog.h"
#include "ContactsPage.h"
#include "FakeCredentialStore.h"
#include "MainWindow.h"
#include "SignInPage.h"
#include "TrustedCertificates.h"
#include "UiTestSupport.h"

#include "signaling/SignalingServer.h"

#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

using namespace confab;
using namespace confab::ui;

namespace {

constexpr int kTimeoutMs = 20000;
const QString kCertificate = QStringLiteral(CONFAB_FIXTURES "/server-cert.pem");
const QString kOtherCertificate = QStringLiteral(CONFAB_FIXTURES "/other-cert.pem");

QByteArray readFile(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The fingerprint as Qt's own TLS backend (OpenSSL) reads the file: not the code under test.
QString fingerprintOf(const QString &path) {
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(path);
    return certificates.isEmpty()
               ? QString()
               : QString::fromLatin1(
                     certificates.first().digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

QString shownFingerprint(CertificateTrustDialog *dialog, const char *label) {
    auto *shown = dialog->findChild<QLabel *>(QString::fromLatin1(label));
    return shown ? shown->text().remove(QLatin1Char('\n')) : QString();
}

}  // namespace

class TestCertificateTrust : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<SignalingServer> server_;
    std::unique_ptr<QTemporaryDir> dir_;
    std::unique_ptr<QSettings> settings_;
    FakeCredentialStore keyring_;

    std::unique_ptr<MainWindow> window() {
        MainWindow::Options options;
        options.settings = settings_.get();
        options.dataDir = dir_->filePath(QStringLiteral("data"));
        options.ringSink = QStringLiteral("fakesink");
        options.credentials = &keyring_;
        auto w = std::make_unique<MainWindow>(options);
        w->show();
        return w;
    }

    void signIn(MainWindow &w) {
        SignInPage *page = ShellView(w).signInPage();
        page->serverField()->setText(server_->url().toString());
        page->nameField()->setText(QStringLiteral("alice"));
        page->signInButton()->click();
    }

    // The open "Trust this certificate?" dialog, or null.
    static CertificateTrustDialog *certificateDialog(MainWindow &w) {
        for (auto *dialog : w.findChildren<CertificateTrustDialog *>()) {
            if (dialog->isVisible()) {
                return dialog;
            }
        }
        return nullptr;
    }

    static CertificateTrustDialog *waitForDialog(MainWindow &w) {
        if (!QTest::qWaitFor([&] { return certificateDialog(w) != nullptr; }, kTimeoutMs)) {
            return nullptr;
        }
        return certificateDialog(w);
    }

    static bool signedIn(MainWindow &w) {
        return ShellView(w).waitSignedInAs(QStringLiteral("alice"), kTimeoutMs);
    }

private Q_SLOTS:
    void init() {
        SignalingServerOptions options;
        options.port = 0;
        options.tlsCertificateFile = kCertificate;
        options.tlsKeyFile = QStringLiteral(CONFAB_FIXTURES "/server-key.pem");
        server_ = std::make_unique<SignalingServer>(options);
        QString error;
        QVERIFY2(server_->start(&error), qPrintable(error));
        dir_ = std::make_unique<QTemporaryDir>();
        settings_ =
            std::make_unique<QSettings>(dir_->filePath(QStringLiteral("confab.conf")), QSettings::IniFormat);
        QVERIFY(!fingerprintOf(kCertificate).isEmpty());
    }

    void cleanup() {
        settings_.reset();
        dir_.reset();
        server_.reset();
    }

    void untrustedServerAsksWithTheFingerprintAndAYesIsRemembered() {
        {
            auto w = window();
            signIn(*w);
            CertificateTrustDialog *dialog = waitForDialog(*w);
            QVERIFY(dialog);
            QCOMPARE(shownFingerprint(dialog, "fingerprint"), fingerprintOf(kCertificate));
            QVERIFY(!dialog->replacesTrusted());
            QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("forgetButton")));
            QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("problems")));  // self-signed, said so
            QCOMPARE(server_->onlineCount(), 0);  // nothing sent before the user decides
            QVERIFY2(ShellView(*w).signInPage()->errorText().contains(QStringLiteral("certificate")),
                     qPrintable(ShellView(*w).signInPage()->errorText()));

            // Enter does not trust: "Don't connect" is the default.
            QTest::keyClick(dialog, Qt::Key_Return);
            QTRY_VERIFY_WITH_TIMEOUT(!certificateDialog(*w), kTimeoutMs);
            QCOMPARE(ShellView(*w).connectionText(), QStringLiteral("Offline"));
            QVERIFY(TrustedCertificates(*settings_).pem(server_->url()).isEmpty());

            // Asked again on the next try; this time the user trusts it and is signed in.
            signIn(*w);
            dialog = waitForDialog(*w);
            QVERIFY(dialog);
            dialog->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
            QVERIFY(signedIn(*w));
            QCOMPARE(TrustedCertificates(*settings_).pem(server_->url()), readFile(kCertificate));
        }
        // Remembered for this server: the next start signs in without asking.
        auto w = window();
        w->start({});
        QVERIFY(signedIn(*w));
        QVERIFY(!certificateDialog(*w));
    }

    void aChangedCertificateIsRefusedWithAWarningThatCannotTrustIt() {
        // Trusted before: a different certificate (what the server showed last time).
        TrustedCertificates(*settings_).trust(server_->url(), readFile(kOtherCertificate));
        auto w = window();
        signIn(*w);
        CertificateTrustDialog *dialog = waitForDialog(*w);
        QVERIFY(dialog);
        QVERIFY(dialog->replacesTrusted());
        QCOMPARE(dialog->windowTitle(), QStringLiteral("Server certificate changed"));
        QCOMPARE(shownFingerprint(dialog, "fingerprint"), fingerprintOf(kCertificate));
        QCOMPARE(shownFingerprint(dialog, "trustedFingerprint"), fingerprintOf(kOtherCertificate));
        QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("trustButton")));
        QCOMPARE(server_->onlineCount(), 0);
        QVERIFY2(ShellView(*w).signInPage()->errorText().contains(QStringLiteral("different certificate")),
                 qPrintable(ShellView(*w).signInPage()->errorText()));

        // Forgetting the old one does not trust the new one: signing in asks afresh.
        dialog->findChild<QPushButton *>(QStringLiteral("forgetButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(!certificateDialog(*w), kTimeoutMs);
        QVERIFY(TrustedCertificates(*settings_).pem(server_->url()).isEmpty());
        QVERIFY(ShellView(*w).signInPage()->errorText().contains(QStringLiteral("forgotten")));
        QCOMPARE(ShellView(*w).connectionText(), QStringLiteral("Offline"));
        signIn(*w);
        dialog = waitForDialog(*w);
        QVERIFY(dialog);
        QVERIFY(!dialog->replacesTrusted());
        QVERIFY(dialog->findChild<QPushButton *>(QStringLiteral("trustButton")));
    }
};

QTEST_MAIN(TestCertificateTrust)
#include "tst_certificatetrust.moc"
