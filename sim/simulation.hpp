#pragma once
// The run loop. Models never touch the queue directly: they schedule callbacks through the
// Simulation they were given (no globals, no singletons) and keep long-lived timers as
// members (sim::Timer).

#include <cstdint>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"
#include "sim/trace_bus.hpp"

namespace nlb::sim {

// Paces the loop: the default runs events back to back; the real-time pacer of the emulator
// waits for the wall clock and injects outside events before each one (see emulation docs).
class Pacer {
 public:
  virtual ~Pacer() = default;
  // Called before the event at `next` runs; may schedule new events (injected frames).
  // Returns false to stop the run.
  virtual bool before_event(Time next) = 0;
};

class Simulation {
 public:
  explicit Simulation(std::uint64_t seed = 1) : rng_(seed) {}
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Time now() const { return now_; }

  EventId schedule_at(Time at, Callback fn);
  EventId schedule_in(Time delay, Callback fn) { return schedule_at(now_ + delay, std::move(fn)); }
  bool cancel(EventId id) { return queue_.cancel(id); }
  bool pending(EventId id) const { return queue_.pending(id); }
  Time time_of(EventId id) const { return queue_.time_of(id); }
  bool reschedule_at(EventId id, Time at);

  // Runs until no event is left or stop() is called.
  void run();
  // Runs every event at or before `end`, then sets the clock to `end` (unless stopped).
  void run_until(Time end);
  // Runs one event; false when none is left.
  bool step();
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  std::size_t pending_events() const { return queue_.size(); }
  std::uint64_t events_executed() const { return executed_; }
  Time next_event_time() const { return queue_.empty() ? Time::max() : queue_.next_time(); }

  RngStreams& rng() { return rng_; }
  TraceBus& trace() { return trace_; }
  void set_pacer(Pacer* pacer) { pacer_ = pacer; }

 private:
  void execute_next();

  EventQueue queue_;
  RngStreams rng_;
  TraceBus trace_;
  Pacer* pacer_ = nullptr;
  Time now_;
  std::uint64_t executed_ = 0;
  bool stopped_ = false;
};

// A reusable timer owned by its model (gem5's member events): the callback is given once, and
// arming it again moves the one pending event instead of making another.
class Timer {
 public:
  Timer(Simulation& sim, Callback on_expiry) : sim_(&sim), on_expiry_(std::move(on_expiry)) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  void schedule_in(Time delay) { schedule_at(sim_->now() + delay); }
  void schedule_at(Time at);
  void cancel() {
    sim_->cancel(id_);
    id_ = {};
  }
  bool pending() const { return sim_->pending(id_); }
  // When the pending timer fires; Time::max() when idle.
  Time expiry() const { return sim_->time_of(id_); }

 private:
  Simulation* sim_;
  Callback on_expiry_;
  EventId id_;
};

}  // namespace nlb::sim
