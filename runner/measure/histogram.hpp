#pragma once
// Durations by magnitude, for quantiles in memory that does not grow with the count: the
// log-linear layout of G. Tene's HdrHistogram (hdrhistogram.org). Values under 2^kBits ns are
// counted exactly (one bucket per nanosecond); above, each power of two is split into
// 2^(kBits-1) buckets of equal width, so a bucket is at most 2^-(kBits-1) of its lower edge wide.
// A quantile is read as the middle of the bucket that holds it, clamped to the smallest and
// largest value seen: within 2^-kBits (0.098 %) of the exact nearest-rank value, exact below
// 1024 ns, and exact for the first and the last rank (the minimum and the maximum). The counts grow with the
// magnitude of the largest value only (512 buckets, 4 KiB, per power of two past 2^kBits ns: 86 KiB for
// values up to a second), never with how many. Deterministic: integers only.

#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace nlb::measure {

class DurationHistogram {
 public:
  static constexpr int kBits = 10;

  void add(sim::Time v);
  std::uint64_t count() const { return n_; }
  sim::Time min() const { return min_; }
  sim::Time max() const { return max_; }
  // Nearest rank (the value at rank ceil(q * count), q in (0, 1]) within 2^-kBits; zero when
  // empty.
  sim::Time quantile(double q) const;
  std::size_t buckets() const { return counts_.size(); }

  // Bucket layout, public for the tests: the bucket of a value, and a bucket's lower edge and
  // width in nanoseconds.
  static std::size_t bucket(std::uint64_t ns);
  static std::uint64_t lower(std::size_t bucket);
  static std::uint64_t width(std::size_t bucket);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t n_ = 0;
  sim::Time min_, max_;
};

}  // namespace nlb::measure
