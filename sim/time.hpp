#pragma once
// Simulated time: a strong int64 count of nanoseconds. No floating point ever enters the
// engine, so a scenario replays to the same nanosecond on every build (DESIGN.md, "Time is an
// integer").

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace nlb::sim {

class Time {
 public:
  constexpr Time() = default;

  static constexpr Time ns(std::int64_t v) { return Time{v}; }
  static constexpr Time us(std::int64_t v) { return Time{v * 1'000}; }
  static constexpr Time ms(std::int64_t v) { return Time{v * 1'000'000}; }
  static constexpr Time s(std::int64_t v) { return Time{v * 1'000'000'000}; }
  static constexpr Time min(std::int64_t v) { return Time{v * 60'000'000'000}; }
  static constexpr Time zero() { return Time{0}; }
  static constexpr Time max() { return Time{std::numeric_limits<std::int64_t>::max()}; }

  constexpr std::int64_t nanos() const { return ns_; }
  // For reports and plots only; never feed the result back into the engine.
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Time o) const { return Time{ns_ + o.ns_}; }
  constexpr Time operator-(Time o) const { return Time{ns_ - o.ns_}; }
  constexpr Time operator*(std::int64_t k) const { return Time{ns_ * k}; }
  constexpr Time operator/(std::int64_t k) const { return Time{ns_ / k}; }
  constexpr std::int64_t operator/(Time o) const { return ns_ / o.ns_; }
  constexpr Time operator%(Time o) const { return Time{ns_ % o.ns_}; }
  constexpr Time operator-() const { return Time{-ns_}; }
  constexpr Time& operator+=(Time o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr Time& operator-=(Time o) {
    ns_ -= o.ns_;
    return *this;
  }

  // "3.609375s", "0s", "-1.5ms"-style text with no rounding: seconds with the fractional
  // digits trimmed, so that a report shows exactly what the engine computed.
  std::string str() const;

 private:
  constexpr explicit Time(std::int64_t v) : ns_(v) {}
  std::int64_t ns_ = 0;
};

constexpr Time operator*(std::int64_t k, Time t) { return t * k; }

// Parses "250ms", "1.5s", "3us", "42ns", "2min", "1h" or a bare integer of nanoseconds.
// Returns false on anything else (the caller names the place in its own error).
bool parse_time(std::string_view text, Time& out);

}  // namespace nlb::sim
