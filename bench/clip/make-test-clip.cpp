// SPDX-License-Identifier: GPL-3.0-or-later
// make-test-clip: the natural test clip of the call benchmarks, made the same way every time from a
// photograph in a Debian package: a slow pan and zoom across a forest path ("Path" by Risto
// Saukonpää, LGPL-3, from plasma-workspace-wallpapers), with a disc cut from a second photograph
// ("Colorful Cups" by Dmitri Popov, same package and licence) drifting and turning over it. Written
// as YUV4MPEG2 (4:2:0, limited range, BT.601), which Chromium's --use-file-for-fake-video-capture
// and confab-call --video file: both read. Every motion is periodic in the clip's length, so the
// clip loops without a jump. See bench/README.md ("The test clip").
#include <QCommandLineParser>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

namespace {

constexpr double kTau = 2 * std::numbers::pi;

struct Options {
    QString background;
    QString object;
    QString output;
    int width = 1280;
    int height = 720;
    int fps = 30;
    int seconds = 20;
};

// Where the camera looks at time t (0..1 over the clip), in the pixels of the photograph scaled to
// 1.25 times the frame's width (prescale()): from the frame's own width (1:1) in to 0.75 of it and
// back, never wider, so every frame is drawn at or above the photograph's scale: a camera's smooth
// detail rather than the shimmer of a picture shrunk anew each frame. The pan is a slow loop across
// the middle (at most ~2 pixels a frame at 720p).
QRectF viewAt(double t, const QSizeF &photo, const QSizeF &frame) {
    const double zoom = 0.75 + 0.25 * (0.5 + 0.5 * std::cos(kTau * t));
    const double width = frame.width() * zoom;
    const double height = frame.height() * zoom;
    const double cx = photo.width() * (0.5 + 0.13 * std::sin(kTau * t));
    const double cy = photo.height() * (0.5 + 0.12 * std::sin(2 * kTau * t));
    return {cx - width / 2, cy - height / 2, width, height};
}

// The photograph at 1.25 times the frame's width, shrunk once with a proper filter.
QImage prescale(const QImage &photo, const QSize &frame) {
    const int width = frame.width() * 5 / 4;
    return photo.scaledToWidth(width, Qt::SmoothTransformation).convertToFormat(QImage::Format_RGB32);
}

// The drifting disc: its centre in frame pixels and its turn in degrees at time t.
QPointF objectAt(double t, const QSizeF &frame) {
    return {frame.width() * (0.5 + 0.34 * std::sin(kTau * t + 1.0)),
            frame.height() * (0.5 + 0.30 * std::sin(3 * kTau * t))};
}

// RGB32 → I420, BT.601 limited range: what a camera would hand over.
void appendI420(const QImage &rgb, QByteArray &out) {
    const int w = rgb.width();
    const int h = rgb.height();
    const qsizetype start = out.size();
    out.resize(start + qsizetype(w) * h * 3 / 2);
    auto *y = reinterpret_cast<uchar *>(out.data() + start);
    uchar *u = y + w * h;
    uchar *v = u + (w / 2) * (h / 2);
    for (int row = 0; row < h; ++row) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(row));
        for (int col = 0; col < w; ++col) {
            const QRgb p = line[col];
            y[row * w + col] =
                uchar(std::lround(16 + 0.257 * qRed(p) + 0.504 * qGreen(p) + 0.098 * qBlue(p)));
        }
    }
    for (int row = 0; row < h / 2; ++row) {
        const auto *a = reinterpret_cast<const QRgb *>(rgb.constScanLine(2 * row));
        const auto *b = reinterpret_cast<const QRgb *>(rgb.constScanLine(2 * row + 1));
        for (int col = 0; col < w / 2; ++col) {
            const QRgb p[4] = {a[2 * col], a[2 * col + 1], b[2 * col], b[2 * col + 1]};
            double r = 0, g = 0, bl = 0;
            for (const QRgb q : p) {
                r += qRed(q) / 4.0;
                g += qGreen(q) / 4.0;
                bl += qBlue(q) / 4.0;
            }
            u[row * (w / 2) + col] = uchar(std::lround(128 - 0.148 * r - 0.291 * g + 0.439 * bl));
            v[row * (w / 2) + col] = uchar(std::lround(128 + 0.439 * r - 0.368 * g - 0.071 * bl));
        }
    }
}

// A disc cut from `photo`, with a soft shadow under it, `diameter` pixels across.
QImage makeDisc(const QImage &photo, int diameter) {
    const int margin = diameter / 8;
    QImage disc(diameter + 2 * margin, diameter + 2 * margin, QImage::Format_ARGB32_Premultiplied);
    disc.fill(Qt::transparent);
    QPainter painter(&disc);
    painter.setRenderHint(QPainter::Antialiasing);
    for (int ring = margin; ring > 0; --ring) {  // the shadow: rings of falling opacity
        painter.setPen(Qt::NoPen);
        painter.setBrush(QColor(0, 0, 0, 90 / ring));
        painter.drawEllipse(QRectF(margin - ring + margin / 3.0, margin - ring + margin / 3.0,
                                   diameter + 2 * ring, diameter + 2 * ring));
    }
    QPainterPath circle;
    circle.addEllipse(QRectF(margin, margin, diameter, diameter));
    painter.setClipPath(circle);
    const int side = std::min(photo.width(), photo.height());
    const QRect square((photo.width() - side) / 2, (photo.height() - side) / 2, side, side);
    painter.drawImage(
        QRectF(margin, margin, diameter, diameter),
        photo.copy(square).scaled(diameter, diameter, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    painter.setClipping(false);
    painter.setPen(QPen(QColor(255, 255, 255, 200), 3));
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(QRectF(margin, margin, diameter, diameter));
    return disc;
}

int make(const Options &o) {
    QImage photo(o.background);
    QImage objectPhoto(o.object);
    if (photo.isNull() || objectPhoto.isNull()) {
        std::fprintf(stderr, "make-test-clip: cannot read %s\n",
                     qPrintable(photo.isNull() ? o.background : o.object));
        return 1;
    }
    photo = prescale(photo, QSize(o.width, o.height));
    if (photo.height() * 0.76 < o.height) {  // the pan reaches 0.5 - 0.12 of it either side
        std::fprintf(stderr, "make-test-clip: %s is too wide (at least 16:10) for a %dx%d frame\n",
                     qPrintable(o.background), o.width, o.height);
        return 1;
    }
    const QImage disc = makeDisc(objectPhoto, o.height / 4);
    QFile out(o.output);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        std::fprintf(stderr, "make-test-clip: cannot write %s: %s\n", qPrintable(o.output),
                     qPrintable(out.errorString()));
        return 1;
    }
    out.write(QStringLiteral("YUV4MPEG2 W%1 H%2 F%3:1 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2\n")
                  .arg(o.width)
                  .arg(o.height)
                  .arg(o.fps)
                  .toLatin1());
    const int frames = o.fps * o.seconds;
    const QSizeF frameSize(o.width, o.height);
    QImage frame(o.width, o.height, QImage::Format_RGB32);
    QByteArray buffer;
    for (int n = 0; n < frames; ++n) {
        const double t = double(n) / frames;
        QPainter painter(&frame);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.drawImage(QRectF(QPointF(0, 0), frameSize), photo, viewAt(t, photo.size(), frameSize));
        const QPointF centre = objectAt(t, frameSize);
        painter.translate(centre);
        painter.rotate(360.0 * 2 * t);  // two turns per clip
        painter.drawImage(QPointF(-disc.width() / 2.0, -disc.height() / 2.0), disc);
        painter.end();
        buffer.clear();
        buffer.append("FRAME\n");
        appendI420(frame, buffer);
        if (out.write(buffer) != buffer.size()) {
            std::fprintf(stderr, "make-test-clip: writing %s failed: %s\n", qPrintable(o.output),
                         qPrintable(out.errorString()));
            return 1;
        }
        if (n % o.fps == 0) {
            std::fprintf(stderr, "\rmake-test-clip: %d of %d s", n / o.fps, o.seconds);
        }
    }
    std::fprintf(stderr, "\rmake-test-clip: %d frames written to %s\n", frames, qPrintable(o.output));
    return 0;
}

}  // namespace

int main(int argc, char *argv[]) {
    // Images only, no window: the offscreen platform needs no display.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Makes the natural test clip of the call benchmarks (Y4M)."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("background"), QStringLiteral("The photograph to pan across."),
         QStringLiteral("image"), QStringLiteral("/usr/share/wallpapers/Path/contents/images/2560x1600.jpg")},
        {QStringLiteral("object"), QStringLiteral("The photograph the moving disc is cut from."),
         QStringLiteral("image"),
         QStringLiteral("/usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg")},
        {QStringLiteral("output"), QStringLiteral("The .y4m file to write."), QStringLiteral("file")},
        {QStringLiteral("size"), QStringLiteral("Frame size."), QStringLiteral("WxH"),
         QStringLiteral("1280x720")},
        {QStringLiteral("fps"), QStringLiteral("Frame rate."), QStringLiteral("n"), QStringLiteral("30")},
        {QStringLiteral("seconds"), QStringLiteral("Length."), QStringLiteral("s"), QStringLiteral("20")},
    });
    parser.process(app);
    Options o;
    o.background = parser.value(QStringLiteral("background"));
    o.object = parser.value(QStringLiteral("object"));
    o.output = parser.value(QStringLiteral("output"));
    const QStringList size = parser.value(QStringLiteral("size")).split(QLatin1Char('x'));
    o.width = size.value(0).toInt();
    o.height = size.value(1).toInt();
    o.fps = parser.value(QStringLiteral("fps")).toInt();
    o.seconds = parser.value(QStringLiteral("seconds")).toInt();
    if (o.output.isEmpty() || o.width < 64 || o.height < 64 || o.width % 2 || o.height % 2 || o.fps < 1 ||
        o.seconds < 1) {
        std::fprintf(stderr, "make-test-clip: needs --output FILE, an even --size, --fps and --seconds\n");
        return 2;
    }
    return make(o);
}
