// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QToolButton;

namespace confab::ui {

class VideoWidget;

// The small picture of what your camera sends, floating in a corner of the call stage. Drag it to
// another corner (it snaps to the nearest on release), or move it there with the arrow keys when
// it has the focus; its button hides it (hideRequested). Owned by the call window.
class SelfView : public QWidget {
    Q_OBJECT
public:
    enum class Corner { TopLeft = 1, TopRight, BottomLeft, BottomRight };

    explicit SelfView(QWidget *parent = nullptr);

    VideoWidget *video() const { return video_; }
    Corner corner() const { return corner_; }
    void setCorner(Corner corner);

Q_SIGNALS:
    // The user dragged it (to `corner`) or moved it by key: the owner places it there.
    void cornerChosen(confab::ui::SelfView::Corner corner);
    void hideRequested();

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    VideoWidget *video_;
    QToolButton *hide_;
    Corner corner_ = Corner::BottomRight;
    QPoint grabOffset_;
    bool dragging_ = false;
};

}  // namespace confab::ui
