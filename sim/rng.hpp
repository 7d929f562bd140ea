#pragma once
// Named, independent random streams derived from one scenario seed. A stream's numbers depend
// only on (seed, name): adding a stream, or drawing more from another, never changes them.
// Distributions are our own integer code, not <random>'s, whose algorithms differ between
// standard libraries and would break byte-identical reruns across builds.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <pcg_random.hpp>

#include "sim/time.hpp"

namespace nlb::sim {

class RngStream {
 public:
  RngStream(std::uint64_t seed, std::string_view name);

  std::uint32_t next_u32() { return gen_(); }
  std::uint64_t next_u64() { return (std::uint64_t{gen_()} << 32) | gen_(); }
  // Uniform in [lo, hi], unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi);
  // Uniform in [0, 1) with 53 random bits.
  double unit();
  bool bernoulli(double p) { return unit() < p; }
  Time uniform_time(Time lo, Time hi) {
    return Time::ns(static_cast<std::int64_t>(
        uniform(static_cast<std::uint64_t>(lo.nanos()), static_cast<std::uint64_t>(hi.nanos()))));
  }
  // Exponentially distributed time with the given mean, rounded to the nanosecond.
  Time exponential_time(Time mean);

 private:
  pcg32 gen_;
};

class RngStreams {
 public:
  explicit RngStreams(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t seed() const { return seed_; }
  // The stream of that name, made on first use; the reference stays valid.
  RngStream& stream(std::string_view name);

 private:
  std::uint64_t seed_;
  std::map<std::string, std::unique_ptr<RngStream>, std::less<>> streams_;
};

}  // namespace nlb::sim
