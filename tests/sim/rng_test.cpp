#include <doctest/doctest.h>

#include <set>
#include <vector>

#include "sim/rng.hpp"

using nlb::sim::RngStreams;
using nlb::sim::Time;

static std::vector<std::uint32_t> draw(RngStreams& rng, const char* name, int n) {
  std::vector<std::uint32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.stream(name).next_u32());
  return out;
}

TEST_CASE("the same seed and name give the same numbers") {
  RngStreams a(42), b(42);
  CHECK(draw(a, "client/0/arrivals", 20) == draw(b, "client/0/arrivals", 20));
}

TEST_CASE("adding a stream or drawing from another does not change a stream's numbers") {
  RngStreams a(42), b(42);
  auto expected = draw(a, "lan/access/loss", 50);
  draw(b, "server/3/service", 1000);  // a new stream, used heavily, before ours exists
  CHECK(draw(b, "lan/access/loss", 50) == expected);
}

TEST_CASE("different names and different seeds give different numbers") {
  RngStreams a(42), b(43);
  auto x = draw(a, "x", 8);
  CHECK(x != draw(a, "y", 8));
  CHECK(x != draw(b, "x", 8));
}

TEST_CASE("uniform stays within bounds and reaches both ends") {
  RngStreams rng(7);
  auto& s = rng.stream("u");
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    auto v = s.uniform(3, 9);
    REQUIRE(v >= 3);
    REQUIRE(v <= 9);
    seen.insert(v);
  }
  CHECK(seen.size() == 7);
}

TEST_CASE("exponential times have about the requested mean") {
  RngStreams rng(7);
  auto& s = rng.stream("exp");
  std::int64_t total = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) total += s.exponential_time(Time::ms(10)).nanos();
  double mean_ms = static_cast<double>(total) / n / 1e6;
  CHECK(mean_ms > 9.6);
  CHECK(mean_ms < 10.4);
}
