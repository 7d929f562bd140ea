#include "sim/simulation.hpp"

#include <cassert>

namespace nlb::sim {

EventId Simulation::schedule_at(Time at, Callback fn) {
  assert(at >= now_ && "scheduling into the past");
  return queue_.push(at, std::move(fn));
}

bool Simulation::reschedule_at(EventId id, Time at) {
  assert(at >= now_ && "rescheduling into the past");
  return queue_.reschedule(id, at);
}

void Simulation::execute_next() {
  Time at;
  Callback fn = queue_.pop(at);
  now_ = at;
  ++executed_;
  fn();
}

bool Simulation::step() {
  if (queue_.empty()) return false;
  if (pacer_ && !pacer_->before_event(queue_.next_time())) {
    stopped_ = true;
    return false;
  }
  // The pacer may have injected an earlier event; the queue order still decides.
  if (queue_.empty()) return false;
  execute_next();
  return true;
}

void Simulation::run() {
  stopped_ = false;
  while (!stopped_ && step()) {
  }
}

void Simulation::run_until(Time end) {
  stopped_ = false;
  while (!stopped_ && !queue_.empty() && queue_.next_time() <= end) step();
  if (!stopped_ && now_ < end) now_ = end;
}

void Timer::schedule_at(Time at) {
  if (sim_->pending(id_)) {
    sim_->reschedule_at(id_, at);
    return;
  }
  id_ = sim_->schedule_at(at, [this] {
    id_ = {};
    on_expiry_();
  });
}

}  // namespace nlb::sim
