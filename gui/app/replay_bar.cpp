#include "gui/app/replay_bar.hpp"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolButton>
#include <cmath>

#include "gui/app/style.hpp"

namespace nlb::gui {

ReplayController::ReplayController(const TraceModel& m, ReplayClock::WallClock wall, QObject* parent)
    : QObject(parent) {
  elapsed_.start();
  if (!wall) wall = [this] { return elapsed_.nsecsElapsed(); };
  clock_ = std::make_unique<ReplayClock>(m, std::move(wall));
  timer_.setInterval(33);
  connect(&timer_, &QTimer::timeout, this, &ReplayController::tick);
}

void ReplayController::play() {
  clock_->play();
  timer_.start();
  emit moved();
}

void ReplayController::pause() {
  clock_->pause();
  timer_.stop();
  emit moved();
}

void ReplayController::toggle() { clock_->playing() ? pause() : play(); }

void ReplayController::step_forward() {
  timer_.stop();
  clock_->step_forward();
  emit moved();
}

void ReplayController::step_back() {
  timer_.stop();
  clock_->step_back();
  emit moved();
}

void ReplayController::seek_time(std::int64_t t) {
  clock_->seek_time(t);
  emit moved();
}

void ReplayController::seek_event(std::size_t i) {
  clock_->seek_event(i);
  emit moved();
}

void ReplayController::set_speed(double s) {
  clock_->set_speed(s);
  emit moved();
}

void ReplayController::tick() {
  bool changed = clock_->tick();
  if (!clock_->playing()) timer_.stop();
  // Frames in flight move even when no event happened: redraw every tick while playing.
  if (changed || clock_->playing() || !timer_.isActive()) emit moved();
}

// ---- timeline ----

TimelineSlider::TimelineSlider(QWidget* parent) : QSlider(Qt::Horizontal, parent) { setRange(0, kSteps); }

void TimelineSlider::set_marks(std::vector<double> fractions, const QStringList& tips) {
  marks_ = std::move(fractions);
  setToolTip(tips.isEmpty() ? QString() : "Faults: " + tips.join(", "));
  update();
}

void TimelineSlider::paintEvent(QPaintEvent* e) {
  QSlider::paintEvent(e);
  QStyleOptionSlider opt;
  initStyleOption(&opt);
  QRect groove = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderGroove, this);
  QRect handle = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, this);
  double x0 = groove.left() + handle.width() / 2.0, x1 = groove.right() - handle.width() / 2.0;
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(Qt::NoPen);
  p.setBrush(drop_color());
  for (double f : marks_) {
    double x = x0 + f * (x1 - x0);
    QPolygonF tri;
    tri << QPointF(x - 5, 0) << QPointF(x + 5, 0) << QPointF(x, 7);
    p.drawPolygon(tri);
    p.fillRect(QRectF(x - 1, 0, 2, height()), drop_color());
  }
}

// ---- the bar ----

QString speed_text(double speed) {
  if (speed >= 1)
    return QString("%1x").arg(speed >= 10 ? QString::number(std::round(speed))
                                          : QString::number(speed, 'g', 2));
  return QString("1/%1x").arg(std::round(1 / speed));
}

ReplayBar::ReplayBar(QWidget* parent) : QWidget(parent) {
  auto button = [this](QStyle::StandardPixmap icon, const QString& tip) {
    auto* b = new QToolButton;
    b->setIcon(style()->standardIcon(icon));
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
  };
  back_ = button(QStyle::SP_MediaSeekBackward, "Step back one event (Left)");
  play_ = button(QStyle::SP_MediaPlay, "Play / pause (Space)");
  forward_ = button(QStyle::SP_MediaSeekForward, "Step to the next event (Right)");
  time_ = new TimelineSlider;
  time_label_ = new QLabel;
  time_label_->setMinimumWidth(230);
  speed_ = new QSlider(Qt::Horizontal);
  speed_->setRange(kSpeedSliderMin, kSpeedSliderMax);
  speed_->setValue(0);
  speed_->setFixedWidth(140);
  speed_->setToolTip("Replay speed: simulated time per wall second, from 1/1000x to 10000x");
  speed_label_ = new QLabel("1x");
  speed_label_->setMinimumWidth(56);
  auto* l = new QHBoxLayout(this);
  l->setContentsMargins(4, 2, 4, 2);
  l->addWidget(back_);
  l->addWidget(play_);
  l->addWidget(forward_);
  l->addWidget(time_, 1);
  l->addWidget(time_label_);
  l->addWidget(new QLabel("speed"));
  l->addWidget(speed_);
  l->addWidget(speed_label_);
  connect(back_, &QToolButton::clicked, this, &ReplayBar::step_back);
  connect(play_, &QToolButton::clicked, this, &ReplayBar::play_toggled);
  connect(forward_, &QToolButton::clicked, this, &ReplayBar::step_forward);
  connect(time_, &QSlider::valueChanged, this, [this](int v) {
    if (!updating_)
      emit seek(static_cast<std::int64_t>(static_cast<double>(end_) * v / TimelineSlider::kSteps));
  });
  connect(speed_, &QSlider::valueChanged, this, [this](int v) {
    speed_label_->setText(speed_text(speed_from_slider(v)));
    if (!updating_) emit speed_changed(speed_from_slider(v));
  });
  set_enabled_all(false);
}

void ReplayBar::set_enabled_all(bool on) {
  for (QWidget* w : std::initializer_list<QWidget*>{back_, play_, forward_, time_, speed_}) w->setEnabled(on);
}

void ReplayBar::set_run(std::int64_t end_time, const std::vector<std::pair<std::int64_t, QString>>& faults) {
  end_ = std::max<std::int64_t>(end_time, 1);
  std::vector<double> marks;
  QStringList tips;
  for (auto& [t, what] : faults) {
    marks.push_back(static_cast<double>(t) / static_cast<double>(end_));
    tips << what + " at " + QString::fromStdString(time_str(t));
  }
  time_->set_marks(marks, tips);
  set_enabled_all(true);
}

void ReplayBar::show_state(std::int64_t t, std::size_t pos, std::size_t total, bool playing, double speed) {
  updating_ = true;
  time_->setValue(static_cast<int>(
      std::llround(static_cast<double>(t) / static_cast<double>(end_) * TimelineSlider::kSteps)));
  speed_->setValue(slider_from_speed(speed));
  updating_ = false;
  play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  time_label_->setText(QString("%1 / %2   event %3 of %4")
                           .arg(QString::fromStdString(time_str(t)), QString::fromStdString(time_str(end_)))
                           .arg(pos)
                           .arg(total));
  speed_label_->setText(speed_text(speed));
}

}  // namespace nlb::gui
