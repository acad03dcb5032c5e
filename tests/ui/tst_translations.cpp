// SPDX-License-Identifier: GPL-3.0-or-later
// Translations: the German one covers every text the sources pass through tr() (lupdate run on
// today's sources finds nothing untranslated), keeps each text's placeholders, is compiled by the
// build and loaded for a German locale; a locale without a translation stays in English.
#include "SignInPage.h"
#include "Translations.h"
#include "call/CallState.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace confab;
using namespace confab::ui;

namespace {

const QString kGerman = QStringLiteral(CONFAB_SOURCE_DIR "/resources/translations/confab_de.ts");

struct Message {
    QString context;
    QString source;
    QStringList translations;  // one, or one per plural form
    bool unfinished = false;
};

QList<Message> readTs(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qFatal("cannot read %s", qPrintable(path));
    }
    QList<Message> messages;
    QXmlStreamReader xml(&file);
    QString context;
    Message message;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) {
            continue;
        }
        const auto name = xml.name();
        if (name == QLatin1StringView("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1StringView("message")) {
            message = Message{context, {}, {}, false};
        } else if (name == QLatin1StringView("source")) {
            message.source = xml.readElementText();
        } else if (name == QLatin1StringView("translation")) {
            message.unfinished =
                xml.attributes().value(QLatin1StringView("type")) == QLatin1StringView("unfinished");
            // Either text, or numerusform children.
            QString text;
            while (!(xml.isEndElement() && xml.name() == QLatin1StringView("translation"))) {
                xml.readNext();
                if (xml.isCharacters()) {
                    text += xml.text();
                } else if (xml.isStartElement() && xml.name() == QLatin1StringView("numerusform")) {
                    message.translations << xml.readElementText();
                }
            }
            if (message.translations.isEmpty()) {
                message.translations << text;
            }
            messages << message;
        }
    }
    if (xml.hasError()) {
        qFatal("%s: %s", qPrintable(path), qPrintable(xml.errorString()));
    }
    return messages;
}

QSet<QString> placeholders(const QString &text) {
    QSet<QString> found;
    static const QRegularExpression pattern(QStringLiteral("%(\\d+|n)"));
    for (auto it = pattern.globalMatch(text); it.hasNext();) {
        found.insert(it.next().captured());
    }
    return found;
}

}  // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Runs first: nothing is installed yet.
    void aLanguageWithoutATranslationStaysInEnglish() {
        QVERIFY(!Translations::install(QLocale(QLocale::Swahili)));
        QCOMPARE(describe(CallState::Ringing), QStringLiteral("Ringing…"));
    }

    // lupdate over today's sources, into a copy of the German file: every text found must already
    // have its translation there. A new tr() without a German text fails here.
    void germanCoversEveryTextOfTheSources() {
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("confab_de.ts"));
        QVERIFY(QFile::copy(kGerman, copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        lupdate.setWorkingDirectory(QStringLiteral(CONFAB_SOURCE_DIR));
        lupdate.start(QStringLiteral(CONFAB_LUPDATE),
                      {QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-no-obsolete"),
                       QStringLiteral("app/confab"), QStringLiteral("ui"), QStringLiteral("core"),
                       QStringLiteral("-ts"), copy});
        QVERIFY2(lupdate.waitForFinished(60000), "lupdate did not finish");
        QVERIFY2(lupdate.exitCode() == 0, lupdate.readAll().constData());
        QStringList untranslated;
        const QList<Message> messages = readTs(copy);
        QVERIFY(messages.size() > 400);
        for (const Message &message : messages) {
            if (message.unfinished || message.translations.join(QString()).isEmpty()) {
                untranslated << QStringLiteral("%1: %2").arg(message.context, message.source);
            }
        }
        QVERIFY2(untranslated.isEmpty(),
                 qPrintable(QStringLiteral("not in German yet (run `ninja confab-translations-update` and "
                                           "translate them in resources/translations/confab_de.ts):\n") +
                            untranslated.join(QLatin1Char('\n'))));
    }

    // "%1 hung up." must not lose its %1: the name would vanish from the sentence.
    void germanKeepsEveryPlaceholder() {
        for (const Message &message : readTs(kGerman)) {
            for (const QString &translation : message.translations) {
                QVERIFY2(placeholders(translation) == placeholders(message.source),
                         qPrintable(QStringLiteral("%1 → %2").arg(message.source, translation)));
            }
            QCOMPARE(message.translations.size(), message.source.contains(QLatin1StringView("%n")) ? 2 : 1);
        }
    }

    // The build compiled the .ts to .qm, and a German desktop gets the windows and the call
    // engine's sentences in German.
    void aGermanDesktopGetsGerman() {
        QVERIFY2(Translations::install(QLocale(QLocale::German, QLocale::Germany)),
                 qPrintable(Translations::searchPaths().join(QLatin1Char(' '))));
        QCOMPARE(describe(CallState::Ringing), QStringLiteral("Es klingelt…"));
        QCOMPARE(describe(CallEndReason::Declined, QStringLiteral("bob")),
                 QStringLiteral("bob hat den Anruf abgelehnt."));
        SignInPage page;
        QStringList buttons;
        for (const QPushButton *button : page.findChildren<QPushButton *>()) {
            buttons << button->text();
        }
        QVERIFY2(buttons.contains(QStringLiteral("&Anmelden")), qPrintable(buttons.join(QLatin1Char(' '))));
        QCOMPARE(QCoreApplication::translate("confab::ui::TrayIcon", "Confab: %n missed call(s)", nullptr, 3),
                 QStringLiteral("Confab: 3 verpasste Anrufe"));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
