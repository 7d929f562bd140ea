#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/trace_bus.hpp"

namespace {
struct Ping {
  int n;
};
struct Note {
  std::string text;
};
}  // namespace

TEST_CASE("a trace event reaches every subscriber of its type and no other") {
  nlb::sim::TraceBus bus;
  std::vector<int> pings;
  std::vector<std::string> notes;
  CHECK_FALSE(bus.wants<Ping>());
  bus.subscribe<Ping>([&](const Ping& p) { pings.push_back(p.n); });
  bus.subscribe<Ping>([&](const Ping& p) { pings.push_back(p.n * 10); });
  CHECK(bus.wants<Ping>());
  CHECK_FALSE(bus.wants<Note>());
  bus.publish(Ping{1});
  bus.publish(Note{"unheard"});
  bus.subscribe<Note>([&](const Note& n) { notes.push_back(n.text); });
  bus.publish(Note{"heard"});
  CHECK(pings == std::vector<int>{1, 10});
  CHECK(notes == std::vector<std::string>{"heard"});
}
