// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "VideoFrameSink.h"

#include <QElapsedTimer>
#include <QImage>
#include <QTimer>
#include <QWidget>

#include <memory>

class QPainter;

namespace confab::ui {

// Paints the newest frame of one video stream, scaled with its aspect ratio kept and centred on
// black, or a placeholder sentence when there is no picture: before the first frame, when frames
// stop coming, or when the owner says the camera is off. Frames come from sinkElement()s placed in
// any pipeline (see VideoFrameSink); the widget only ever touches them on the GUI thread.
class VideoWidget : public QWidget {
    Q_OBJECT
public:
    explicit VideoWidget(QWidget *parent = nullptr);

    // A new floating sink element feeding this widget; callable from any thread (sink factories
    // run on streaming threads).
    GstElement *sinkElement() const;
    std::shared_ptr<VideoFrameSink> frameSink() const { return sink_; }

    // Shown instead of the picture when no frame is current (default: "No video yet").
    void setPlaceholderText(const QString &text);
    QString placeholderText() const { return placeholder_; }
    // While set, the picture is replaced by `text` even when frames arrive ("Camera off").
    void setCovered(bool covered, const QString &text = {});
    bool isCovered() const { return covered_; }
    // Forgets the current picture (the call ended): the placeholder shows until a frame from a
    // sink element made after this call; elements made before it feed nothing any more.
    void clear();
    // The other side's "camera off" arrives as black frames (no renegotiation): with this set, a
    // picture that stays fully black for a second shows `text` instead. Off by default.
    void setBlackMeansCameraOff(bool on, const QString &text = {});
    bool showsBlackAsCameraOff() const {
        return blackForCameraOff_ && blackSince_.isValid() && blackSince_.elapsed() >= kBlackForMs;
    }

    // A thin frame around the picture, for a view laid over another (the self-view); off by default.
    void setFramed(bool framed);
    // What fills the area outside the picture and behind the placeholder (default: black bars,
    // a dark grey placeholder).
    void setBackground(const QColor &colour);

    // For tests and screenshots: the newest frame received (null before the first) and how many
    // frames were painted.
    QImage lastFrame() const { return frame_; }
    quint64 paintedFrames() const { return paintedFrames_; }
    bool showsPlaceholder() const;

    QSize sizeHint() const override { return {320, 240}; }

Q_SIGNALS:
    void firstFrame();
    // showsPlaceholder() changed: a picture appeared, or stopped, went black, was covered.
    void placeholderShownChanged(bool shown);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    static constexpr qint64 kBlackForMs = 1000;
    static bool isBlack(const QImage &frame);
    void takeFrame();
    void checkStale();
    void paintContent(QPainter &painter);
    void notePlaceholder();

    std::shared_ptr<VideoFrameSink> sink_;
    QImage frame_;
    QString placeholder_;
    QString coverText_;
    bool covered_ = false;
    bool blackForCameraOff_ = false;
    bool framed_ = false;
    bool placeholderShown_ = true;
    QColor background_{0x20, 0x22, 0x28};
    QColor bars_{Qt::black};
    QString blackText_;
    QElapsedTimer blackSince_;  // valid while frames are black
    bool stale_ = true;
    bool framePainted_ = true;
    quint64 paintedFrames_ = 0;
    QElapsedTimer sinceFrame_;
    QTimer staleTimer_;
    QTimer resizeSettle_;  // renegotiating the sink's size at every step of a drag would be wasteful
};

}  // namespace confab::ui
