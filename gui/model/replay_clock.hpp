#pragma once
// The replay cursor: a simulated time and a position in the event list, moved by play/pause,
// single steps and seeks. The GUI owns stepping (STYLE.md, "OMNeT++'s GUI hook"); this class
// only maps wall time to simulated time. The wall clock is injected, so tests drive it by
// hand and get the same answers every run.
//
// Position `pos` means events [0, pos) have happened. Playing moves the time continuously
// and pos follows it; a step moves pos by exactly one event and the time to that event's.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

class ReplayClock {
 public:
  using WallClock = std::function<std::int64_t()>;  // wall nanoseconds, monotonic

  ReplayClock(const TraceModel& model, WallClock wall);

  // Simulated seconds per wall second. A LAN crossing takes a few microseconds: at 1e-6 it
  // takes a few wall seconds, slow enough to watch an ARP request, its reply and the
  // datagram it released one after the other. 1000 runs a 30-second scenario in a blink.
  static constexpr double kMinSpeed = 0.000001;
  static constexpr double kMaxSpeed = 10000.0;
  void set_speed(double speed);
  double speed() const { return speed_; }

  void play();
  void pause();
  bool playing() const { return playing_; }
  // Called by the GUI's frame timer: moves time on while playing. Returns true if the
  // position or time changed. Stops at the end of the trace.
  bool tick();

  void step_forward();  // the next event (pauses)
  void step_back();     // the previous event (pauses)
  void seek_time(std::int64_t t);
  void seek_event(std::size_t index);  // just after that event: it is the current one

  std::int64_t time() const { return t_; }
  std::size_t position() const { return pos_; }
  // The last event that happened, the one a step shows.
  std::optional<std::size_t> current_event() const;
  std::int64_t end_time() const { return model_.end_time(); }

  // While playing, a stretch with no event that would last more than kIdleWallNs of wall
  // time at the current speed is skipped to kLeadWallNs before the next event, the way a
  // packet animator moves from event to event: at LAN speed the 20 ms of a WAN crossing
  // would otherwise take hours. On by default.
  static constexpr std::int64_t kIdleWallNs = 1'000'000'000;
  static constexpr std::int64_t kLeadWallNs = 250'000'000;
  void set_skip_idle(bool on) { skip_idle_ = on; }
  bool skip_idle() const { return skip_idle_; }

 private:
  void anchor();
  const TraceModel& model_;
  WallClock wall_;
  std::int64_t t_ = 0;
  std::size_t pos_ = 0;
  bool playing_ = false;
  double speed_ = 1.0;
  bool skip_idle_ = true;
  std::int64_t wall_anchor_ = 0;
  std::int64_t t_anchor_ = 0;
};

// The speed slider is logarithmic: value v in [kSliderMin, kSliderMax] gives 10^(v/100).
inline constexpr int kSpeedSliderMin = -600;  // 1/1000000x
inline constexpr int kSpeedSliderMax = 400;   // 10000x
double speed_from_slider(int value);
int slider_from_speed(double speed);

}  // namespace nlb::gui
