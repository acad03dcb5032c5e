// SPDX-License-Identifier: GPL-3.0-or-later
#include "SettingsDialog.h"

#include "HiddenTextDelegate.h"
#include "VideoWidget.h"
#include "media/DeviceMonitor.h"
#include "util/GLibPtr.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace confab::ui {

namespace {

const QList<QSize> kResolutions = {{320, 240}, {640, 480}, {1280, 720}, {1920, 1080}};
const QList<int> kFrameRates = {15, 24, 30};
constexpr int kCredentialColumn = 2;  // of the STUN/TURN table: URL, user name, credential

// Picks the entry whose data is `value`; adds it (marked absent) when a stored device is unplugged,
// so saving does not silently forget the user's choice.
void selectData(QComboBox *box, const QString &value, const QString &absentLabel) {
    int index = box->findData(value);
    if (index < 0 && !value.isEmpty()) {
        box->addItem(absentLabel.arg(value), value);
        index = box->count() - 1;
    }
    box->setCurrentIndex(std::max(index, 0));
}

}  // namespace

SettingsDialog::SettingsDialog(QSettings *settings, QWidget *parent)
    : QDialog(parent),
      settings_(settings),
      devices_(new DeviceMonitor(this)),
      stored_(CallSettings::load(*settings)) {
    setWindowTitle(tr("Call settings"));
    setAccessibleName(tr("Call settings"));
    buildLayout();
    devices_->start();  // false: nothing to list, which fillDevices() says in the lists
    connect(devices_, &DeviceMonitor::devicesChanged, this, [this] {
        fillDevices();
        if (isVisible()) {
            startPreviews();
        }
    });
    fillDevices();
    load(stored_);
}

SettingsDialog::~SettingsDialog() {
    stopPreviews();
}

CallController::Settings SettingsDialog::controllerSettings(QSettings *settings) {
    return CallSettings::load(*settings).toControllerSettings();
}

void SettingsDialog::buildLayout() {
    camera_ = new QComboBox(this);
    camera_->setObjectName(QStringLiteral("camera"));
    camera_->setAccessibleName(tr("Camera"));
    microphone_ = new QComboBox(this);
    microphone_->setObjectName(QStringLiteral("microphone"));
    microphone_->setAccessibleName(tr("Microphone"));
    speaker_ = new QComboBox(this);
    speaker_->setObjectName(QStringLiteral("speaker"));
    speaker_->setAccessibleName(tr("Speaker"));
    resolution_ = new QComboBox(this);
    resolution_->setObjectName(QStringLiteral("resolution"));
    resolution_->setAccessibleName(tr("Resolution"));
    for (const QSize &size : kResolutions) {
        resolution_->addItem(tr("%1 × %2").arg(size.width()).arg(size.height()), size);
    }
    frameRate_ = new QComboBox(this);
    frameRate_->setObjectName(QStringLiteral("frameRate"));
    frameRate_->setAccessibleName(tr("Frame rate"));
    for (int fps : kFrameRates) {
        frameRate_->addItem(tr("%1 frames per second").arg(fps), fps);
    }
    echoCancellation_ = new QCheckBox(tr("&Cancel echo"), this);
    echoCancellation_->setObjectName(QStringLiteral("echoCancellation"));
    echoCancellation_->setAccessibleName(tr("Echo cancellation"));
    auto *echoNote = new QLabel(tr("Without it, the other person hears their own voice back whenever your "
                                   "speakers play into your microphone. Turn it off only with headphones, "
                                   "or when your sound system already removes echo."),
                                this);
    echoNote->setObjectName(QStringLiteral("echoCancellationNote"));
    echoNote->setWordWrap(true);
    echoNote->setTextFormat(Qt::PlainText);
    echoNote->setForegroundRole(QPalette::PlaceholderText);
    echoCancellation_->setAccessibleDescription(echoNote->text());

    preview_ = new VideoWidget(this);
    preview_->setObjectName(QStringLiteral("cameraPreview"));
    preview_->setAccessibleName(tr("Camera preview"));
    preview_->setPlaceholderText(tr("Camera preview"));
    preview_->setFixedSize(240, 180);
    meter_ = new QProgressBar(this);
    meter_->setObjectName(QStringLiteral("microphoneLevel"));
    meter_->setAccessibleName(tr("Microphone level"));
    meter_->setRange(0, 100);
    meter_->setTextVisible(false);
    meter_->setMaximumHeight(12);
    meterNote_ = new QLabel(this);
    meterNote_->setTextFormat(Qt::PlainText);

    auto *devicesBox = new QGroupBox(tr("Devices"), this);
    auto *deviceForm = new QFormLayout;
    deviceForm->addRow(tr("C&amera:"), camera_);
    deviceForm->addRow(tr("&Microphone:"), microphone_);
    deviceForm->addRow(tr("Level:"), meter_);
    deviceForm->addRow(QString(), meterNote_);
    deviceForm->addRow(tr("&Speaker:"), speaker_);
    auto *devicesRow = new QHBoxLayout(devicesBox);
    devicesRow->addLayout(deviceForm, 1);
    devicesRow->addWidget(preview_, 0, Qt::AlignTop);

    auto *pictureBox = new QGroupBox(tr("Picture and sound"), this);
    auto *pictureForm = new QFormLayout(pictureBox);
    pictureForm->addRow(tr("&Resolution:"), resolution_);
    pictureForm->addRow(tr("&Frame rate:"), frameRate_);
    pictureForm->addRow(echoCancellation_);
    pictureForm->addRow(echoNote);
    reconnectWindow_ = new QSpinBox(this);
    reconnectWindow_->setObjectName(QStringLiteral("reconnectWindow"));
    reconnectWindow_->setAccessibleName(tr("Reconnect window"));
    reconnectWindow_->setRange(5, 300);
    reconnectWindow_->setSuffix(tr(" s"));
    reconnectWindow_->setToolTip(tr("How long a call whose connection dropped keeps trying to come back "
                                    "before it ends."));
    pictureForm->addRow(tr("&Keep reconnecting for:"), reconnectWindow_);

    auto *iceBox = new QGroupBox(tr("STUN and TURN servers"), this);
    iceServers_ = new QTableWidget(0, 3, iceBox);
    iceServers_->setObjectName(QStringLiteral("iceServers"));
    iceServers_->setAccessibleName(tr("STUN and TURN servers"));
    iceServers_->setHorizontalHeaderLabels(
        {tr("URL (e.g. turn:turn.example.org:3478)"), tr("User name"), tr("Credential")});
    iceServers_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    iceServers_->verticalHeader()->hide();
    iceServers_->setItemDelegateForColumn(kCredentialColumn, new HiddenTextDelegate(iceServers_));
    iceServers_->setMinimumHeight(110);
    auto *addIce = new QPushButton(tr("&Add server"), iceBox);
    addIce->setAccessibleName(tr("Add STUN or TURN server"));
    auto *removeIce = new QPushButton(tr("Re&move server"), iceBox);
    removeIce->setAccessibleName(tr("Remove the selected server"));
    connect(addIce, &QPushButton::clicked, this, [this] {
        addIceRow({});
        iceServers_->setCurrentCell(iceServers_->rowCount() - 1, 0);
        iceServers_->editItem(iceServers_->currentItem());
    });
    connect(removeIce, &QPushButton::clicked, this, [this] {
        if (iceServers_->currentRow() >= 0) {
            iceServers_->removeRow(iceServers_->currentRow());
        }
    });
    auto *iceButtons = new QHBoxLayout;
    iceButtons->addWidget(addIce);
    iceButtons->addWidget(removeIce);
    iceButtons->addStretch(1);
    auto *iceLayout = new QVBoxLayout(iceBox);
    iceLayout->addWidget(new QLabel(tr("Needed when the other side is behind a strict NAT or firewall. "
                                       "The server you sign in to may provide some already."),
                                    iceBox));
    iceLayout->addWidget(iceServers_);
    iceLayout->addLayout(iceButtons);

    problem_ = new QLabel(this);
    problem_->setObjectName(QStringLiteral("problem"));
    problem_->setTextFormat(Qt::PlainText);
    problem_->setStyleSheet(QStringLiteral("color: #c62828;"));
    problem_->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(devicesBox);
    layout->addWidget(pictureBox);
    layout->addWidget(iceBox, 1);
    layout->addWidget(problem_);
    layout->addWidget(buttons);

    // A problem shown stays only as long as it is true: fixing the address takes it away.
    const auto recheck = [this] {
        if (problem_->isVisible()) {
            QString problem;
            if (validate(&problem)) {
                problem_->hide();
            } else {
                problem_->setText(problem);
            }
        }
    };
    connect(iceServers_, &QTableWidget::itemChanged, this, [this, recheck](QTableWidgetItem *item) {
        if (item->column() == kCredentialColumn) {
            // Screen readers read this instead of the credential itself.
            const QSignalBlocker block(iceServers_);
            item->setData(Qt::AccessibleTextRole,
                          item->text().isEmpty() ? tr("No credential") : tr("Credential, hidden"));
        }
        recheck();
    });
    connect(iceServers_->model(), &QAbstractItemModel::rowsRemoved, this, recheck);
    connect(camera_, &QComboBox::currentIndexChanged, this, [this] {
        if (isVisible()) {
            startCameraPreview();
        }
    });
    connect(microphone_, &QComboBox::currentIndexChanged, this, [this] {
        if (isVisible()) {
            startMicrophoneMeter();
        }
    });
}

void SettingsDialog::fillDevices() {
    const auto fill = [](QComboBox *box, const QList<DeviceMonitor::Device> &devices,
                         const QString &defaultLabel, const QString &noneLabel) {
        const QString current = box->currentData().toString();
        const QSignalBlocker block(box);
        box->clear();
        if (!defaultLabel.isEmpty()) {
            box->addItem(defaultLabel, QString());
        }
        for (const DeviceMonitor::Device &device : devices) {
            box->addItem(device.name, device.name);
        }
        if (devices.isEmpty()) {
            box->clear();
            box->addItem(noneLabel, QString());
        }
        box->setEnabled(!devices.isEmpty());
        const int index = box->findData(current);
        box->setCurrentIndex(std::max(index, 0));
    };
    const QString absent = tr("%1 (not connected)");
    const QString camera = camera_->count() ? camera_->currentData().toString() : stored_.camera;
    const QString microphone =
        microphone_->count() ? microphone_->currentData().toString() : stored_.microphone;
    const QString speaker = speaker_->count() ? speaker_->currentData().toString() : stored_.speaker;
    fill(camera_, devices_->devices(DeviceMonitor::Kind::Camera), {},
         tr("No camera found — a test pattern is sent"));
    fill(microphone_, devices_->devices(DeviceMonitor::Kind::Microphone), {},
         tr("No microphone found — silence is sent"));
    fill(speaker_, devices_->devices(DeviceMonitor::Kind::Speaker), tr("System default"),
         tr("No speaker found — calls play no sound here"));
    {
        const QSignalBlocker blockCamera(camera_);
        const QSignalBlocker blockMicrophone(microphone_);
        const QSignalBlocker blockSpeaker(speaker_);
        selectData(camera_, camera, absent);
        selectData(microphone_, microphone, absent);
        selectData(speaker_, speaker, absent);
    }
}

void SettingsDialog::load(const CallSettings &settings) {
    {
        const QSignalBlocker blockCamera(camera_);
        const QSignalBlocker blockMicrophone(microphone_);
        const QString absent = tr("%1 (not connected)");
        selectData(camera_, settings.camera, absent);
        selectData(microphone_, settings.microphone, absent);
        selectData(speaker_, settings.speaker, absent);
    }
    int resolution = resolution_->findData(settings.resolution);
    if (resolution < 0) {
        resolution_->addItem(tr("%1 × %2").arg(settings.resolution.width()).arg(settings.resolution.height()),
                             settings.resolution);
        resolution = resolution_->count() - 1;
    }
    resolution_->setCurrentIndex(resolution);
    int fps = frameRate_->findData(settings.frameRate);
    if (fps < 0) {
        frameRate_->addItem(tr("%1 frames per second").arg(settings.frameRate), settings.frameRate);
        fps = frameRate_->count() - 1;
    }
    frameRate_->setCurrentIndex(fps);
    echoCancellation_->setChecked(settings.echoCancellation);
    reconnectWindow_->setValue(settings.reconnectWindowSeconds);
    iceServers_->setRowCount(0);
    for (const protocol::IceServer &server : settings.iceServers) {
        addIceRow(server);
    }
}

void SettingsDialog::addIceRow(const protocol::IceServer &server) {
    const int row = iceServers_->rowCount();
    iceServers_->insertRow(row);
    iceServers_->setItem(row, 0, new QTableWidgetItem(server.urls.join(QLatin1Char(' '))));
    iceServers_->setItem(row, 1, new QTableWidgetItem(server.username));
    auto *credential = new QTableWidgetItem(server.credential);
    credential->setData(Qt::AccessibleTextRole,
                        server.credential.isEmpty() ? tr("No credential") : tr("Credential, hidden"));
    iceServers_->setItem(row, kCredentialColumn, credential);
}

CallSettings SettingsDialog::choice() const {
    CallSettings result;
    result.camera = camera_->currentData().toString();
    result.microphone = microphone_->currentData().toString();
    result.speaker = speaker_->currentData().toString();
    result.resolution = resolution_->currentData().toSize();
    result.frameRate = frameRate_->currentData().toInt();
    result.echoCancellation = echoCancellation_->isChecked();
    result.reconnectWindowSeconds = reconnectWindow_->value();
    for (int row = 0; row < iceServers_->rowCount(); ++row) {
        const auto text = [&](int column) {
            const QTableWidgetItem *item = iceServers_->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        protocol::IceServer server;
        server.urls = text(0).split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
        server.username = text(1);
        server.credential = text(2);
        if (!server.urls.isEmpty()) {
            result.iceServers.append(server);
        }
    }
    return result;
}

bool SettingsDialog::validate(QString *problem) const {
    for (const protocol::IceServer &server : choice().iceServers) {
        for (const QString &url : server.urls) {
            if (!CallSettings::isIceUrl(url)) {
                *problem = tr("“%1” is not a STUN or TURN address; write it like stun:stun.example.org:3478 "
                              "or turn:turn.example.org:3478.")
                               .arg(url);
                return false;
            }
            if (url.startsWith(QLatin1StringView("turn")) &&
                (server.username.isEmpty() || server.credential.isEmpty())) {
                *problem = tr("The TURN server %1 needs a user name and a credential.").arg(url);
                return false;
            }
        }
    }
    return true;
}

void SettingsDialog::accept() {
    QString problem;
    if (!validate(&problem)) {
        problem_->setText(problem);
        problem_->show();
        return;
    }
    problem_->hide();
    stored_ = choice();
    stored_.save(*settings_);
    settings_->sync();
    QDialog::accept();
}

void SettingsDialog::showEvent(QShowEvent *event) {
    QDialog::showEvent(event);
    startPreviews();
}

void SettingsDialog::hideEvent(QHideEvent *event) {
    stopPreviews();
    QDialog::hideEvent(event);
}

int SettingsDialog::microphoneLevel() const {
    return meter_->value();
}

void SettingsDialog::startPreviews() {
    startCameraPreview();
    startMicrophoneMeter();
}

void SettingsDialog::stopPreviews() {
    if (previewPipeline_) {
        gst_element_set_state(previewPipeline_.get(), GST_STATE_NULL);
        previewPipeline_.reset();
    }
    if (meterWatch_) {
        g_source_remove(meterWatch_);
        meterWatch_ = 0;
    }
    if (meterPipeline_) {
        gst_element_set_state(meterPipeline_.get(), GST_STATE_NULL);
        meterPipeline_.reset();
    }
    preview_->clear();
    meter_->setValue(0);
}

// camera (or the test pattern a call would send) → the preview widget, whose sink converts and
// shrinks it to the preview's size in one pass.
void SettingsDialog::startCameraPreview() {
    if (previewPipeline_) {
        gst_element_set_state(previewPipeline_.get(), GST_STATE_NULL);
        previewPipeline_.reset();
    }
    preview_->clear();
    GstElement *source = nullptr;
    const QString camera = camera_->currentData().toString();
    if (!camera.isEmpty()) {
        source = devices_->createElement(DeviceMonitor::Kind::Camera, camera);
    }
    if (!source) {
        const QList<DeviceMonitor::Device> cameras = devices_->devices(DeviceMonitor::Kind::Camera);
        source = cameras.isEmpty()
                     ? nullptr
                     : devices_->createElement(DeviceMonitor::Kind::Camera, cameras.first().name);
    }
    if (!source) {
        source = gst_element_factory_make("videotestsrc", nullptr);
        g_object_set(source, "is-live", TRUE, nullptr);
        gst_util_set_object_arg(G_OBJECT(source), "pattern", "ball");
        preview_->setPlaceholderText(tr("Test pattern"));
    }
    GstElement *pipeline = gst_pipeline_new("camera-preview");
    GstElement *sink = preview_->sinkElement();
    gst_bin_add_many(GST_BIN(pipeline), source, sink, nullptr);
    previewPipeline_.reset(GST_ELEMENT(gst_object_ref_sink(pipeline)));
    if (!gst_element_link(source, sink) ||
        gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        gst_element_set_state(pipeline, GST_STATE_NULL);
        previewPipeline_.reset();
        preview_->setPlaceholderText(tr("The camera could not be opened."));
    }
}

// microphone → level (RMS every 50 ms) → fakesink; the level's bus messages drive the meter.
void SettingsDialog::startMicrophoneMeter() {
    if (meterWatch_) {
        g_source_remove(meterWatch_);
        meterWatch_ = 0;
    }
    if (meterPipeline_) {
        gst_element_set_state(meterPipeline_.get(), GST_STATE_NULL);
        meterPipeline_.reset();
    }
    meter_->setValue(0);
    const QString microphone = microphone_->currentData().toString();
    const QList<DeviceMonitor::Device> microphones = devices_->devices(DeviceMonitor::Kind::Microphone);
    GstElement *source =
        microphone.isEmpty() ? nullptr : devices_->createElement(DeviceMonitor::Kind::Microphone, microphone);
    if (!source && !microphones.isEmpty()) {
        source = devices_->createElement(DeviceMonitor::Kind::Microphone, microphones.first().name);
    }
    if (!source) {
        meter_->setEnabled(false);
        meterNote_->setText(tr("No microphone to measure."));
        return;
    }
    meter_->setEnabled(true);
    meterNote_->clear();
    GErrorPtr error;
    GstElement *measure = gst_parse_bin_from_description(
        "audioconvert ! level name=level interval=50000000 post-messages=true ! fakesink sync=false "
        "async=false",
        TRUE, out(error));
    GstElement *pipeline = gst_pipeline_new("microphone-meter");
    gst_bin_add_many(GST_BIN(pipeline), source, measure, nullptr);
    meterPipeline_.reset(GST_ELEMENT(gst_object_ref_sink(pipeline)));
    GstPtr<GstBus> bus(gst_pipeline_get_bus(GST_PIPELINE(pipeline)));
    meterWatch_ = gst_bus_add_watch(bus.get(), &SettingsDialog::onMeterMessage, this);
    if (!gst_element_link(source, measure) ||
        gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        meterNote_->setText(tr("The microphone could not be opened."));
        meter_->setEnabled(false);
    }
}

// Main thread (bus watch on the default main context).
gboolean SettingsDialog::onMeterMessage(GstBus *, GstMessage *message, gpointer self) {
    auto *dialog = static_cast<SettingsDialog *>(self);
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
        dialog->meterNote_->setText(tr("The microphone stopped working."));
        dialog->meter_->setValue(0);
        return G_SOURCE_CONTINUE;
    }
    const GstStructure *structure = gst_message_get_structure(message);
    if (GST_MESSAGE_TYPE(message) != GST_MESSAGE_ELEMENT || !gst_structure_has_name(structure, "level")) {
        return G_SOURCE_CONTINUE;
    }
    // "rms" is a GValueArray (deprecated in GLib, still what level posts in 1.22), dB per channel.
    const GValue *rms = gst_structure_get_value(structure, "rms");
    double loudest = -100;
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    auto *channels = rms ? static_cast<GValueArray *>(g_value_get_boxed(rms)) : nullptr;
    for (guint i = 0; channels && i < channels->n_values; ++i) {
        loudest = std::max(loudest, g_value_get_double(g_value_array_get_nth(channels, i)));
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    // -60 dB (quiet room) .. 0 dB (full scale) onto 0..100.
    dialog->meter_->setValue(int(std::lround(std::clamp((loudest + 60.0) / 60.0, 0.0, 1.0) * 100)));
    return G_SOURCE_CONTINUE;
}

}  // namespace confab::ui
