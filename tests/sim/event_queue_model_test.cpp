// The event queue checked against a plain reference model: a list searched for its smallest
// (time, insertion counter) on every pop. Random pushes, pops, cancels and reschedules over
// few distinct times make ties the common case. A small sequence limit forces the queue to
// renumber its 32-bit sequences again and again; order must not notice.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/event_queue.hpp"
#include "sim/rng.hpp"

using nlb::sim::EventId;
using nlb::sim::EventQueue;
using nlb::sim::RngStream;
using nlb::sim::Time;

namespace {

struct ModelEvent {
  Time at;
  std::uint64_t order;  // insertion counter; a reschedule counts as a new insertion
  int name;
  EventId id;
};

// Runs `steps` random operations on the queue and the model side by side and checks every
// pop, pending() and time_of() against the model. Returns the number of events popped.
int run_against_model(std::uint32_t seq_limit, int steps, std::uint64_t seed) {
  EventQueue q(seq_limit);
  RngStream rng(seed, "queue-model");
  std::vector<ModelEvent> model;
  std::vector<EventId> stale;
  std::uint64_t order = 0;
  int next_name = 0;
  int fired = -1;
  int pops = 0;
  Time now;

  for (int step = 0; step < steps; ++step) {
    std::uint64_t op = rng.uniform(0, 9);
    if (op < 4 || model.empty()) {
      int name = next_name++;
      Time at = now + Time::ns(static_cast<std::int64_t>(rng.uniform(0, 3)));
      EventId id = q.push(at, [&fired, name] { fired = name; });
      model.push_back({at, order++, name, id});
    } else if (op < 7) {
      auto first = std::min_element(model.begin(), model.end(), [](const auto& a, const auto& b) {
        return a.at < b.at || (a.at == b.at && a.order < b.order);
      });
      Time at;
      auto fn = q.pop(at);
      fn();
      ++pops;
      REQUIRE(fired == first->name);
      REQUIRE(at == first->at);
      now = at;
      stale.push_back(first->id);
      model.erase(first);
    } else if (op < 8) {
      auto victim = model.begin() + static_cast<std::ptrdiff_t>(rng.uniform(0, model.size() - 1));
      REQUIRE(q.cancel(victim->id));
      stale.push_back(victim->id);
      model.erase(victim);
    } else {
      auto& moved = model[rng.uniform(0, model.size() - 1)];
      moved.at = now + Time::ns(static_cast<std::int64_t>(rng.uniform(0, 3)));
      moved.order = order++;
      REQUIRE(q.reschedule(moved.id, moved.at));
    }
    REQUIRE(q.size() == model.size());
    if (step % 64 == 0)
      for (const auto& e : model) REQUIRE(q.time_of(e.id) == e.at);
    if (!stale.empty()) {
      EventId old = stale[rng.uniform(0, stale.size() - 1)];
      REQUIRE_FALSE(q.pending(old));
      REQUIRE_FALSE(q.cancel(old));
      REQUIRE_FALSE(q.reschedule(old, now));
    }
  }
  return pops;
}

}  // namespace

TEST_CASE("pops, cancels and reschedules keep (time, insertion) order, as a plain list would") {
  CHECK(run_against_model(UINT32_MAX, 10000, 1) > 1000);
}

TEST_CASE("ties still break by insertion order after the sequence numbers run out and are renumbered") {
  // A limit of 16 renumbers every few operations, with up to a few hundred events pending.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) CHECK(run_against_model(16, 10000, seed) > 1000);
  // A limit below the number pending renumbers on every schedule.
  CHECK(run_against_model(2, 5000, 9) > 100);
}
