#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/simulation.hpp"

using nlb::sim::EventId;
using nlb::sim::Simulation;
using nlb::sim::Time;
using nlb::sim::Timer;

TEST_CASE("events run in time order whatever order they were scheduled in") {
  Simulation sim;
  std::vector<int> order;
  sim.schedule_in(Time::ms(30), [&] { order.push_back(30); });
  sim.schedule_in(Time::ms(10), [&] { order.push_back(10); });
  sim.schedule_in(Time::ms(20), [&] { order.push_back(20); });
  sim.run();
  CHECK(order == std::vector<int>{10, 20, 30});
  CHECK(sim.now() == Time::ms(30));
  CHECK(sim.events_executed() == 3);
}

TEST_CASE("events at the same time run in insertion order") {
  Simulation sim;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) sim.schedule_in(Time::us(5), [&order, i] { order.push_back(i); });
  sim.run();
  REQUIRE(order.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(order[i] == i);
}

TEST_CASE("an event scheduled at the current time runs after those already due then") {
  Simulation sim;
  std::vector<std::string> order;
  sim.schedule_in(Time::ms(1), [&] {
    order.push_back("a");
    sim.schedule_in(Time::zero(), [&] { order.push_back("c"); });
  });
  sim.schedule_in(Time::ms(1), [&] { order.push_back("b"); });
  sim.run();
  CHECK(order == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("a cancelled event never runs and cancelling again is harmless") {
  Simulation sim;
  int ran = 0;
  EventId id = sim.schedule_in(Time::s(1), [&] { ++ran; });
  CHECK(sim.pending(id));
  CHECK(sim.cancel(id));
  CHECK_FALSE(sim.pending(id));
  CHECK_FALSE(sim.cancel(id));
  sim.run();
  CHECK(ran == 0);
}

TEST_CASE("cancelling an event that already fired does nothing, even after its slot is reused") {
  Simulation sim;
  int first = 0, second = 0;
  EventId id = sim.schedule_in(Time::ms(1), [&] { ++first; });
  sim.run();
  // The freed record is reused by the next event; the stale id must not reach it.
  EventId next = sim.schedule_in(Time::ms(1), [&] { ++second; });
  CHECK(next.slot == id.slot);
  CHECK_FALSE(sim.cancel(id));
  sim.run();
  CHECK(first == 1);
  CHECK(second == 1);
}

TEST_CASE("cancelling from the middle of the heap keeps the rest in order") {
  Simulation sim;
  std::vector<int> order;
  std::vector<EventId> ids;
  for (int i = 0; i < 50; ++i)
    ids.push_back(sim.schedule_in(Time::ms((i * 37) % 50), [&order, i] { order.push_back(i); }));
  for (int i = 0; i < 50; i += 3) sim.cancel(ids[i]);
  sim.run();
  std::vector<int> expected;
  for (int t = 0; t < 50; ++t)
    for (int i = 0; i < 50; ++i)
      if ((i * 37) % 50 == t && i % 3 != 0) expected.push_back(i);
  CHECK(order == expected);
}

TEST_CASE("rescheduling moves an event later or earlier") {
  Simulation sim;
  std::vector<int> order;
  EventId a = sim.schedule_in(Time::ms(1), [&] { order.push_back(1); });
  sim.schedule_in(Time::ms(2), [&] { order.push_back(2); });
  EventId c = sim.schedule_in(Time::ms(3), [&] { order.push_back(3); });
  CHECK(sim.reschedule_at(a, Time::ms(5)));
  CHECK(sim.reschedule_at(c, Time::us(500)));
  CHECK(sim.time_of(a) == Time::ms(5));
  sim.run();
  CHECK(order == std::vector<int>{3, 2, 1});
  CHECK(sim.now() == Time::ms(5));
}

TEST_CASE("run_until stops at the bound, sets the clock to it, and resumes later") {
  Simulation sim;
  std::vector<int> order;
  sim.schedule_in(Time::ms(10), [&] { order.push_back(10); });
  sim.schedule_in(Time::ms(20), [&] { order.push_back(20); });
  sim.schedule_in(Time::ms(30), [&] { order.push_back(30); });
  sim.run_until(Time::ms(20));
  CHECK(order == std::vector<int>{10, 20});
  CHECK(sim.now() == Time::ms(20));
  sim.run_until(Time::ms(25));
  CHECK(sim.now() == Time::ms(25));
  CHECK(sim.pending_events() == 1);
  sim.run();
  CHECK(order == std::vector<int>{10, 20, 30});
}

TEST_CASE("stop ends the run after the current event") {
  Simulation sim;
  int ran = 0;
  sim.schedule_in(Time::ms(1), [&] {
    ++ran;
    sim.stop();
  });
  sim.schedule_in(Time::ms(2), [&] { ++ran; });
  sim.run();
  CHECK(ran == 1);
  CHECK(sim.now() == Time::ms(1));
  sim.run();
  CHECK(ran == 2);
}

TEST_CASE("a member timer re-armed before it fires fires once, at the last time given") {
  Simulation sim;
  std::vector<Time> fired;
  Timer timer(sim, [&] { fired.push_back(sim.now()); });
  timer.schedule_in(Time::s(1));
  sim.schedule_in(Time::ms(500), [&] { timer.schedule_in(Time::s(1)); });
  sim.run();
  CHECK(fired == std::vector<Time>{Time::ms(1500)});
  CHECK_FALSE(timer.pending());
  CHECK(timer.expiry() == Time::max());
}

TEST_CASE("a timer can re-arm itself from its own callback") {
  Simulation sim;
  int count = 0;
  Timer* self = nullptr;
  Timer timer(sim, [&] {
    if (++count < 5) self->schedule_in(Time::ms(100));
  });
  self = &timer;
  timer.schedule_in(Time::ms(100));
  sim.run();
  CHECK(count == 5);
  CHECK(sim.now() == Time::ms(500));
}

TEST_CASE("a cancelled timer does not fire and can be armed again") {
  Simulation sim;
  int count = 0;
  Timer timer(sim, [&] { ++count; });
  timer.schedule_in(Time::ms(1));
  timer.cancel();
  timer.cancel();
  sim.run();
  CHECK(count == 0);
  timer.schedule_in(Time::ms(1));
  sim.run();
  CHECK(count == 1);
}

TEST_CASE("a timer destroyed while pending leaves no event behind") {
  Simulation sim;
  int count = 0;
  {
    Timer timer(sim, [&] { ++count; });
    timer.schedule_in(Time::ms(1));
    CHECK(sim.pending_events() == 1);
  }
  CHECK(sim.pending_events() == 0);
  sim.run();
  CHECK(count == 0);
}
