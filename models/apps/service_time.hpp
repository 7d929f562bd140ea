#pragma once
// A server's service-time distribution: constant, uniform or exponential, drawn from a named
// RngStream so runs repeat exactly.

#include <cstdint>

#include "sim/rng.hpp"
#include "sim/time.hpp"

namespace nlb::apps {

struct ServiceTime {
  enum class Kind : std::uint8_t { Constant, Uniform, Exponential };
  Kind kind = Kind::Constant;
  sim::Time a = sim::Time::ms(1);  // the constant, the uniform low bound, the exponential mean
  sim::Time b = sim::Time::ms(1);  // the uniform high bound

  static ServiceTime constant(sim::Time t) { return {Kind::Constant, t, t}; }
  static ServiceTime uniform(sim::Time lo, sim::Time hi) { return {Kind::Uniform, lo, hi}; }
  static ServiceTime exponential(sim::Time mean) { return {Kind::Exponential, mean, mean}; }

  sim::Time draw(sim::RngStream& rng) const {
    switch (kind) {
      case Kind::Constant:
        return a;
      case Kind::Uniform:
        return rng.uniform_time(a, b);
      case Kind::Exponential:
        return rng.exponential_time(a);
    }
    return a;
  }
  sim::Time mean() const { return kind == Kind::Uniform ? (a + b) / 2 : a; }
};

}  // namespace nlb::apps
