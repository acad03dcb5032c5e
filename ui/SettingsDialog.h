// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "CallSettings.h"
#include "util/GstPtr.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QSpinBox;
class QLabel;
class QProgressBar;
class QSettings;
class QTableWidget;

namespace confab {
class DeviceMonitor;
}

namespace confab::ui {

class VideoWidget;

// Call settings: camera, microphone and speaker from what GstDeviceMonitor lists (lists follow
// hot-plug), a live camera preview and microphone level meter, resolution, frame rate, echo
// cancellation and STUN/TURN servers. Reads and, on OK, writes `settings` (media/…, ice/…; see
// CallSettings). The preview and meter run small pipelines of their own while the dialog is shown.
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QSettings *settings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // What the dialog shows now (not yet saved).
    CallSettings choice() const;
    // The stored settings as CallController::Settings; what A's MainWindow applies per call.
    static CallController::Settings controllerSettings(QSettings *settings);

    VideoWidget *cameraPreview() const { return preview_; }
    int microphoneLevel() const;  // 0..100 from the level meter

    void accept() override;

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void buildLayout();
    void load(const CallSettings &settings);
    void fillDevices();
    void startPreviews();
    void stopPreviews();
    void startCameraPreview();
    void startMicrophoneMeter();
    void addIceRow(const protocol::IceServer &server);
    bool validate(QString *problem) const;
    static gboolean onMeterMessage(GstBus *, GstMessage *message, gpointer self);

    QSettings *settings_;
    DeviceMonitor *devices_;
    QComboBox *camera_ = nullptr;
    QComboBox *microphone_ = nullptr;
    QComboBox *speaker_ = nullptr;
    QComboBox *resolution_ = nullptr;
    QComboBox *frameRate_ = nullptr;
    QCheckBox *echoCancellation_ = nullptr;
    QSpinBox *reconnectWindow_ = nullptr;
    QTableWidget *iceServers_ = nullptr;
    QLabel *problem_ = nullptr;
    VideoWidget *preview_ = nullptr;
    QProgressBar *meter_ = nullptr;
    QLabel *meterNote_ = nullptr;
    GstPtr<GstElement> previewPipeline_;
    GstPtr<GstElement> meterPipeline_;
    guint meterWatch_ = 0;
    CallSettings stored_;
};

}  // namespace confab::ui
