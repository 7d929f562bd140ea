#include "gui/model/replay_clock.hpp"

#include <algorithm>
#include <cmath>

namespace nlb::gui {

ReplayClock::ReplayClock(const TraceModel& model, WallClock wall) : model_(model), wall_(std::move(wall)) {}

void ReplayClock::anchor() {
  wall_anchor_ = wall_();
  t_anchor_ = t_;
}

void ReplayClock::set_speed(double speed) {
  tick();
  speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
  anchor();
}

void ReplayClock::play() {
  if (playing_) return;
  if (t_ >= end_time()) seek_time(0);  // play at the end starts over
  playing_ = true;
  anchor();
}

void ReplayClock::pause() {
  tick();
  playing_ = false;
}

bool ReplayClock::tick() {
  if (!playing_) return false;
  // Wall time is converted in floating point only to pick a display time; the position is
  // always an integer event index and times stay the trace's integers.
  double elapsed = static_cast<double>(wall_() - wall_anchor_) * speed_;
  std::int64_t t = t_anchor_ + static_cast<std::int64_t>(std::llround(elapsed));
  if (skip_idle_) {
    std::size_t next = model_.upper_bound(t);
    std::int64_t next_t = next < model_.size() ? model_.event(next).t : end_time();
    auto sim_of = [&](std::int64_t wall_ns) -> std::int64_t {
      return std::llround(static_cast<double>(wall_ns) * speed_);
    };
    if (next_t - t > sim_of(kIdleWallNs)) {
      t = std::max(t, next_t - sim_of(kLeadWallNs));
      t_anchor_ = t;
      wall_anchor_ = wall_();
    }
  }
  if (t >= end_time()) {
    t = end_time();
    playing_ = false;
  }
  if (t == t_) return false;
  t_ = t;
  pos_ = model_.upper_bound(t_);
  return true;
}

void ReplayClock::step_forward() {
  playing_ = false;
  if (pos_ >= model_.size()) return;
  t_ = model_.event(pos_).t;
  ++pos_;
}

void ReplayClock::step_back() {
  playing_ = false;
  if (pos_ == 0) return;
  --pos_;
  t_ = pos_ > 0 ? model_.event(pos_ - 1).t : 0;
}

void ReplayClock::seek_time(std::int64_t t) {
  t_ = std::clamp<std::int64_t>(t, 0, end_time());
  pos_ = model_.upper_bound(t_);
  anchor();
}

void ReplayClock::seek_event(std::size_t index) {
  if (model_.size() == 0) return;
  index = std::min(index, model_.size() - 1);
  pos_ = index + 1;
  t_ = model_.event(index).t;
  anchor();
}

std::optional<std::size_t> ReplayClock::current_event() const {
  if (pos_ == 0) return std::nullopt;
  return pos_ - 1;
}

double speed_from_slider(int value) {
  value = std::clamp(value, kSpeedSliderMin, kSpeedSliderMax);
  return std::pow(10.0, value / 100.0);
}

int slider_from_speed(double speed) {
  speed = std::clamp(speed, ReplayClock::kMinSpeed, ReplayClock::kMaxSpeed);
  return static_cast<int>(std::lround(std::log10(speed) * 100.0));
}

}  // namespace nlb::gui
