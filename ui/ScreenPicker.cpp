// SPDX-License-Identifier: GPL-3.0-or-later
#include "ScreenPicker.h"

#include "media/X11WindowList.h"

#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QScreen>
#include <QVBoxLayout>

namespace confab::ui {

namespace {

constexpr int kKindRole = Qt::UserRole;        // ScreenSource::Kind
constexpr int kWindowRole = Qt::UserRole + 1;  // window id
constexpr int kTitleRole = Qt::UserRole + 2;
const QSize kThumbnail(160, 100);

// A window's picture, scaled down; only on X11 (xcb), where grabbing another app's window by id
// is one round trip. Elsewhere (offscreen, Wayland) there is nothing cheap to show.
QIcon thumbnail(quint64 windowId) {
    if (QGuiApplication::platformName() != QLatin1StringView("xcb") || !QGuiApplication::primaryScreen()) {
        return {};
    }
    const QPixmap picture = QGuiApplication::primaryScreen()->grabWindow(WId(windowId));
    if (picture.isNull()) {
        return {};
    }
    return QIcon(picture.scaled(kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

}  // namespace

ScreenPicker::ScreenPicker(QWidget *parent, const QString &displayName)
    : QDialog(parent), displayName_(displayName) {
    setWindowTitle(tr("Share your screen"));
    setAccessibleName(tr("Choose what to share"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Choose a whole screen or one window. The other side sees it instead of "
                                "your camera until you stop sharing."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    list_ = new QListWidget(this);
    list_->setObjectName(QStringLiteral("screenList"));
    list_->setAccessibleName(tr("Screens and windows"));
    list_->setIconSize(kThumbnail);
    list_->setMinimumSize(420, 320);
    layout->addWidget(list_, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    shareButton_ = buttons->addButton(tr("Share"), QDialogButtonBox::AcceptRole);
    shareButton_->setEnabled(false);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(list_, &QListWidget::currentRowChanged, this,
            [this](int row) { shareButton_->setEnabled(row >= 0); });
    connect(list_, &QListWidget::itemActivated, this, [this] { accept(); });
    fill();
}

void ScreenPicker::fill() {
    const X11WindowList windows(displayName_);
    if (!windows.isOpen()) {
        auto *item = new QListWidgetItem(tr("No X11 display to share from."), list_);
        item->setFlags(Qt::NoItemFlags);
        return;
    }
    const QList<X11WindowList::Screen> screens = windows.screens();
    for (const X11WindowList::Screen &screen : screens) {
        const QString text =
            screens.size() == 1
                ? tr("Entire screen (%1×%2)").arg(screen.size.width()).arg(screen.size.height())
                : tr("Screen %1 (%2×%3)")
                      .arg(screen.number + 1)
                      .arg(screen.size.width())
                      .arg(screen.size.height());
        auto *item = new QListWidgetItem(text, list_);
        item->setData(kKindRole, int(ScreenSource::Kind::X11Screen));
    }
    const QList<X11WindowList::Window> found = windows.windows();
    // Topmost first: the window a person was just looking at is the likely choice.
    for (auto it = found.crbegin(); it != found.crend(); ++it) {
        auto *item = new QListWidgetItem(thumbnail(it->id), it->title, list_);
        item->setToolTip(tr("%1 (%2×%3)").arg(it->title).arg(it->size.width()).arg(it->size.height()));
        item->setData(kKindRole, int(ScreenSource::Kind::X11Window));
        item->setData(kWindowRole, QVariant::fromValue(it->id));
        item->setData(kTitleRole, it->title);
    }
}

std::optional<ScreenSource> ScreenPicker::chosen() const {
    const QListWidgetItem *item = list_->currentItem();
    if (result() != QDialog::Accepted || !item || !(item->flags() & Qt::ItemIsEnabled)) {
        return std::nullopt;
    }
    if (item->data(kKindRole).toInt() == int(ScreenSource::Kind::X11Window)) {
        return ScreenSource::x11Window(item->data(kWindowRole).value<quint64>(),
                                       item->data(kTitleRole).toString(), displayName_);
    }
    return ScreenSource::x11Screen(displayName_);
}

}  // namespace confab::ui
