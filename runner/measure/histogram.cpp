#include "runner/measure/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace nlb::measure {

namespace {

constexpr std::uint64_t kExact = std::uint64_t{1} << DurationHistogram::kBits;  // exact below
constexpr std::uint64_t kHalf = kExact / 2;  // buckets per power of two above

}  // namespace

std::size_t DurationHistogram::bucket(std::uint64_t ns) {
  if (ns < kExact) return static_cast<std::size_t>(ns);
  // The value's top kBits bits (the first is 1) pick the bucket within its power of two.
  const int shift = std::bit_width(ns) - kBits;
  const std::uint64_t top = ns >> shift;  // in [kHalf, kExact)
  return static_cast<std::size_t>(kExact + static_cast<std::uint64_t>(shift - 1) * kHalf + (top - kHalf));
}

std::uint64_t DurationHistogram::lower(std::size_t b) {
  if (b < kExact) return b;
  const std::uint64_t j = b - kExact;
  return (kHalf + j % kHalf) << (j / kHalf + 1);
}

std::uint64_t DurationHistogram::width(std::size_t b) {
  if (b < kExact) return 1;
  return std::uint64_t{1} << ((b - kExact) / kHalf + 1);
}

void DurationHistogram::add(sim::Time v) {
  v = std::max(v, sim::Time::zero());
  const std::size_t b = bucket(static_cast<std::uint64_t>(v.nanos()));
  // Grows a whole power of two at a time, only when a value of a new magnitude comes.
  if (b >= counts_.size()) counts_.resize(b < kExact ? kExact : b - (b - kExact) % kHalf + kHalf, 0);
  ++counts_[b];
  min_ = n_ == 0 ? v : std::min(min_, v);
  max_ = n_ == 0 ? v : std::max(max_, v);
  ++n_;
}

sim::Time DurationHistogram::quantile(double q) const {
  if (n_ == 0) return sim::Time::zero();
  const double rank = std::ceil(q * static_cast<double>(n_));
  const std::uint64_t r = rank < 1 ? 1 : std::min(n_, static_cast<std::uint64_t>(rank));
  if (r == n_) return max_;
  if (r == 1) return min_;
  std::uint64_t seen = 0;
  std::size_t b = 0;
  for (; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= r) break;
  }
  const auto mid = static_cast<std::int64_t>(lower(b) + width(b) / 2);
  return std::clamp(sim::Time::ns(mid), min_, max_);
}

}  // namespace nlb::measure
