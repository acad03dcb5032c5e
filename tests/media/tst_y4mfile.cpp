// SPDX-License-Identifier: GPL-3.0-or-later
// Y4mFile: the header's size, rate and pixel aspect; every frame's planes, packed or into rows
// further apart, frame parameters skipped; after the last whole frame the first again (an
// incomplete frame at the end skipped); files it must not read refused with a sentence; a file
// cut short while open ends in a sentence, not a crash.
#include "media/Y4mFile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

using confab::Y4mFile;

namespace {

// Frame `n`'s byte at `i` of plane `p`: every byte of every frame tells where it belongs.
uint8_t pattern(int n, int p, int i) {
    return uint8_t(n * 37 + p * 101 + i * 7);
}

// A 4:2:0 frame of `width` x `height`, packed as in a Y4M file.
QByteArray framePlanes(int n, int width, int height) {
    QByteArray planes;
    const int sizes[3] = {width * height, ((width + 1) / 2) * ((height + 1) / 2),
                          ((width + 1) / 2) * ((height + 1) / 2)};
    for (int p = 0; p < 3; ++p) {
        for (int i = 0; i < sizes[p]; ++i) {
            planes.append(char(pattern(n, p, i)));
        }
    }
    return planes;
}

QString write(const QTemporaryDir &dir, const char *name, const QByteArray &bytes) {
    const QString path = dir.filePath(QLatin1String(name));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
        return QString();
    }
    return path;
}

QByteArray clip(const QByteArray &header, int width, int height, int frames,
                const QByteArray &frameLine = "FRAME\n") {
    QByteArray bytes = header + '\n';
    for (int n = 0; n < frames; ++n) {
        bytes += frameLine + framePlanes(n, width, height);
    }
    return bytes;
}

// Planes with `pad` bytes after each row, as a pool's frame may have.
struct Frame {
    int width;
    int height;
    int pad;
    std::vector<uint8_t> memory[3];
    Y4mFile::Plane planes[3];

    Frame(int w, int h, int padding) : width(w), height(h), pad(padding) {
        for (int p = 0; p < 3; ++p) {
            const int rowBytes = (p == 0 ? width : (width + 1) / 2) + pad;
            const int rows = p == 0 ? height : (height + 1) / 2;
            memory[p].assign(size_t(rowBytes * rows), 0xEE);
            planes[p] = {memory[p].data(), rowBytes};
        }
    }
    // True when it holds frame `n` (and the padding is untouched).
    bool holds(int n) const {
        for (int p = 0; p < 3; ++p) {
            const int w = p == 0 ? width : (width + 1) / 2;
            const int rows = p == 0 ? height : (height + 1) / 2;
            for (int r = 0; r < rows; ++r) {
                for (int x = 0; x < w + pad; ++x) {
                    const uint8_t byte = memory[p][size_t(r * (w + pad) + x)];
                    if (byte != (x < w ? pattern(n, p, r * w + x) : 0xEE)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
};

}  // namespace

class TestY4mFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void headerGivesSizeRateAndAspect() {
        QTemporaryDir dir;
        const QString path =
            write(dir, "a.y4m", clip("YUV4MPEG2 W6 H4 F30000:1001 Ip A4:3 C420jpeg XYSCSS=420JPEG", 6, 4, 1));
        Y4mFile file;
        QString error;
        QVERIFY2(file.open(path, &error), qPrintable(error));
        QCOMPARE(file.width(), 6);
        QCOMPARE(file.height(), 4);
        QCOMPARE(file.fpsNumerator(), 30000);
        QCOMPARE(file.fpsDenominator(), 1001);
        QCOMPARE(file.parNumerator(), 4);
        QCOMPARE(file.parDenominator(), 3);

        // An unknown aspect (A0:0) and no colour space: square pixels, 4:2:0.
        const QString plain = write(dir, "b.y4m", clip("YUV4MPEG2 W6 H4 F15:1 A0:0", 6, 4, 1));
        QVERIFY2(file.open(plain, &error), qPrintable(error));
        QCOMPARE(file.parNumerator(), 1);
        QCOMPARE(file.parDenominator(), 1);
        QCOMPARE(file.fpsNumerator(), 15);
    }

    void framesAreReadInOrderThenFromTheFirstAgain_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("pad");
        QTest::addColumn<QByteArray>("frameLine");
        QTest::newRow("packed") << 8 << 6 << 0 << QByteArray("FRAME\n");
        QTest::newRow("rows apart") << 8 << 6 << 8 << QByteArray("FRAME\n");
        QTest::newRow("odd size") << 5 << 3 << 3 << QByteArray("FRAME\n");
        QTest::newRow("frame parameters") << 8 << 6 << 0 << QByteArray("FRAME Ip XFOO=1\n");
    }
    void framesAreReadInOrderThenFromTheFirstAgain() {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, pad);
        QFETCH(QByteArray, frameLine);
        QTemporaryDir dir;
        const QByteArray header = QStringLiteral("YUV4MPEG2 W%1 H%2 F30:1").arg(width).arg(height).toLatin1();
        const QString path = write(dir, "c.y4m", clip(header, width, height, 3, frameLine));
        Y4mFile file;
        QString error;
        QVERIFY2(file.open(path, &error), qPrintable(error));
        Frame frame(width, height, pad);
        const int expected[] = {0, 1, 2, 0, 1, 2, 0};
        for (int i = 0; i < 7; ++i) {
            QVERIFY2(file.readFrame(frame.planes, &error), qPrintable(error));
            QVERIFY2(frame.holds(expected[i]), qPrintable(QString::number(i)));
            QCOMPARE(file.loops(), i / 3);
        }
    }

    void incompleteLastFrameIsSkipped() {
        QTemporaryDir dir;
        QByteArray bytes = clip("YUV4MPEG2 W4 H2 F30:1", 4, 2, 2);
        bytes += "FRAME\n" + framePlanes(2, 4, 2).left(5);
        const QString path = write(dir, "d.y4m", bytes);
        Y4mFile file;
        QString error;
        QVERIFY2(file.open(path, &error), qPrintable(error));
        Frame frame(4, 2, 0);
        for (const int n : {0, 1, 0, 1}) {
            QVERIFY2(file.readFrame(frame.planes, &error), qPrintable(error));
            QVERIFY(frame.holds(n));
        }
        QCOMPARE(file.loops(), 1);
    }

    void filesItCannotReadAreRefusedWithASentence_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("words");  // part of the sentence
        QTest::newRow("not Y4M") << QByteArray("hello\nworld\n") << QStringLiteral("is not a YUV4MPEG2 file");
        QTest::newRow("no line end") << QByteArray("YUV4MPEG2 W4 H2 F30:1")
                                     << QStringLiteral("is not a YUV4MPEG2 file");
        QTest::newRow("4:4:4") << clip("YUV4MPEG2 W4 H2 F30:1 C444", 4, 2, 1)
                               << QStringLiteral("colour space 444");
        QTest::newRow("10 bits") << clip("YUV4MPEG2 W4 H2 F30:1 C420p10", 4, 2, 1)
                                 << QStringLiteral("colour space 420p10");
        QTest::newRow("no rate") << clip("YUV4MPEG2 W4 H2", 4, 2, 1)
                                 << QStringLiteral("does not give its frame size and rate");
        QTest::newRow("zero rate") << clip("YUV4MPEG2 W4 H2 F0:1", 4, 2, 1)
                                   << QStringLiteral("malformed header field: F0:1");
        QTest::newRow("bad width") << clip("YUV4MPEG2 Wx H2 F30:1", 4, 2, 1)
                                   << QStringLiteral("malformed header field: Wx");
        QTest::newRow("huge") << QByteArray("YUV4MPEG2 W100000 H2 F30:1\n")
                              << QStringLiteral("has frames too large to play (100000x2)");
        QTest::newRow("no frame") << QByteArray("YUV4MPEG2 W4 H2 F30:1\n")
                                  << QStringLiteral("holds no whole frame");
        QTest::newRow("half a frame")
            << QByteArray("YUV4MPEG2 W4 H2 F30:1\nFRAME\n1234") << QStringLiteral("holds no whole frame");
        QTest::newRow("not a frame") << clip("YUV4MPEG2 W4 H2 F30:1", 4, 2, 1, "FRAMX\n")
                                     << QStringLiteral("holds no whole frame");
    }
    void filesItCannotReadAreRefusedWithASentence() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, words);
        QTemporaryDir dir;
        const QString path = write(dir, "e.y4m", bytes);
        Y4mFile file;
        QString error;
        QVERIFY(!file.open(path, &error));
        QVERIFY2(error.contains(words) && error.contains(path) && error.endsWith(u'.'), qPrintable(error));
        Frame frame(4, 2, 0);
        QVERIFY(!file.readFrame(frame.planes, &error));  // nothing open: refused, not a crash
    }

    void missingFileIsRefusedWithASentence() {
        Y4mFile file;
        QString error;
        QVERIFY(!file.open(QStringLiteral("/nonexistent/clip.y4m"), &error));
        QVERIFY2(error.contains(QStringLiteral("Cannot read /nonexistent/clip.y4m")), qPrintable(error));
    }

    void fileCutShortWhileOpenEndsWithASentence() {
        QTemporaryDir dir;
        const QString path = write(dir, "f.y4m", clip("YUV4MPEG2 W4 H2 F30:1", 4, 2, 2));
        Y4mFile file;
        QString error;
        QVERIFY2(file.open(path, &error), qPrintable(error));
        Frame frame(4, 2, 0);
        QVERIFY2(file.readFrame(frame.planes, &error), qPrintable(error));
        QVERIFY(QFile::resize(path, 30));  // the header and part of the first frame
        QVERIFY(!file.readFrame(frame.planes, &error));
        QVERIFY2(error.contains(QStringLiteral("cannot be read any more")), qPrintable(error));
        QVERIFY(!file.readFrame(frame.planes, &error));  // and stays so
    }
};

QTEST_GUILESS_MAIN(TestY4mFile)
#include "tst_y4mfile.moc"
