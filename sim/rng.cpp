#include "sim/rng.hpp"

#include <cmath>

namespace nlb::sim {
namespace {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang built-in; exact 64x64 product

// SplitMix64 finaliser: spreads close inputs (seed 1, seed 2) over the whole state space.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

RngStream::RngStream(std::uint64_t seed, std::string_view name)
    : gen_(mix(seed ^ mix(fnv1a(name))), mix(fnv1a(name) + seed)) {}

std::uint64_t RngStream::uniform(std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t range = hi - lo;
  if (range == UINT64_MAX) return next_u64();
  std::uint64_t n = range + 1;
  // Lemire: take the high word of x*n, rejecting the few x that would bias it.
  for (;;) {
    u128 m = static_cast<u128>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low >= n || low >= (-n) % n) return lo + static_cast<std::uint64_t>(m >> 64);
  }
}

double RngStream::unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

Time RngStream::exponential_time(Time mean) {
  double u = unit();
  double x = -std::log1p(-u) * static_cast<double>(mean.nanos());
  return Time::ns(static_cast<std::int64_t>(std::llround(x)));
}

RngStream& RngStreams::stream(std::string_view name) {
  auto it = streams_.find(name);
  if (it == streams_.end())
    it = streams_.emplace(std::string(name), std::make_unique<RngStream>(seed_, name)).first;
  return *it->second;
}

}  // namespace nlb::sim
