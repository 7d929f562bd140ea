#pragma once
// The replay controls: step back, play/pause, step forward, a time slider with the faults
// marked on it, the speed (log scale, 1/1000x to 10000x), and the position read-out.
// ReplayController drives a ReplayClock from a frame timer.

#include <QElapsedTimer>
#include <QObject>
#include <QSlider>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

#include "gui/model/replay_clock.hpp"

class QLabel;
class QToolButton;

namespace nlb::gui {

// Moves the replay on while playing, ~30 times a second.
class ReplayController : public QObject {
  Q_OBJECT

 public:
  // `wall` defaults to a monotonic QElapsedTimer; tests pass their own.
  ReplayController(const TraceModel& m, ReplayClock::WallClock wall = {}, QObject* parent = nullptr);
  ReplayClock& clock() { return *clock_; }
  void play();
  void pause();
  void toggle();
  void step_forward();
  void step_back();
  void seek_time(std::int64_t t);
  void seek_event(std::size_t i);
  void set_speed(double s);
  void tick();

 signals:
  void moved();

 private:
  QElapsedTimer elapsed_;
  std::unique_ptr<ReplayClock> clock_;
  QTimer timer_;
};

// A slider over simulated time that marks the faults.
class TimelineSlider : public QSlider {
  Q_OBJECT

 public:
  static constexpr int kSteps = 100000;
  explicit TimelineSlider(QWidget* parent = nullptr);
  void set_marks(std::vector<double> fractions, const QStringList& tips);

 protected:
  void paintEvent(QPaintEvent* e) override;

 private:
  std::vector<double> marks_;
};

class ReplayBar : public QWidget {
  Q_OBJECT

 public:
  explicit ReplayBar(QWidget* parent = nullptr);
  void set_run(std::int64_t end_time, const std::vector<std::pair<std::int64_t, QString>>& faults);
  void show_state(std::int64_t t, std::size_t pos, std::size_t total, bool playing, double speed);
  void set_enabled_all(bool on);

 signals:
  void play_toggled();
  void step_forward();
  void step_back();
  void seek(std::int64_t t);
  void speed_changed(double speed);

 private:
  std::int64_t end_ = 1;
  QToolButton *back_ = nullptr, *play_ = nullptr, *forward_ = nullptr;
  TimelineSlider* time_ = nullptr;
  QSlider* speed_ = nullptr;
  QLabel *time_label_ = nullptr, *speed_label_ = nullptr;
  bool updating_ = false;
};

QString speed_text(double speed);

}  // namespace nlb::gui
