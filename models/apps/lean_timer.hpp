#pragma once
// A timer that is only its pending event's id (8 bytes, against sim::Timer's 80, which also
// stores its callback): for the per-connection and per-worker timers of the HTTP apps, of which
// a million can be pending (docs/performance.md, "A million concurrent connections"). It makes
// the same calls into the Simulation as sim::Timer (reschedule when pending, else schedule), so
// runs keep their exact event order. The owner gives the callback at each schedule, calls
// fired() first thing in it, and cancel() before it goes away.

#include "sim/simulation.hpp"

namespace nlb::apps {

class LeanTimer {
 public:
  void schedule_at(sim::Simulation& sim, sim::Time at, sim::Callback on_expiry) {
    if (sim.pending(id_)) {
      sim.reschedule_at(id_, at);
      return;
    }
    id_ = sim.schedule_at(at, std::move(on_expiry));
  }
  void cancel(sim::Simulation& sim) {
    sim.cancel(id_);
    id_ = {};
  }
  void fired() { id_ = {}; }

 private:
  sim::EventId id_;
};

}  // namespace nlb::apps
