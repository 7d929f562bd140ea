#include "sim/time.hpp"

#include <charconv>
#include <string_view>

namespace nlb::sim {

std::string Time::str() const {
  std::int64_t v = ns_;
  std::string sign;
  if (v < 0) {
    sign = "-";
    v = -v;
  }
  std::string text = sign + std::to_string(v / 1'000'000'000);
  std::int64_t frac = v % 1'000'000'000;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text + "s";
}

namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ns;
};
// Longest suffixes first so that "ms" is not read as "s".
constexpr Unit kUnits[] = {{"min", 60'000'000'000},  {"ms", 1'000'000},   {"us", 1'000}, {"ns", 1},
                           {"h", 3'600'000'000'000}, {"s", 1'000'000'000}};

}  // namespace

bool parse_time(std::string_view text, Time& out) {
  std::int64_t scale = 1;
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      text.remove_suffix(u.suffix.size());
      scale = u.ns;
      break;
    }
  }
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  std::string_view whole = text, fraction;
  if (auto dot = text.find('.'); dot != std::string_view::npos) {
    whole = text.substr(0, dot);
    fraction = text.substr(dot + 1);
  }
  if (whole.empty() && fraction.empty()) return false;
  std::int64_t w = 0;
  if (!whole.empty()) {
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), w);
    if (ec != std::errc{} || p != whole.data() + whole.size()) return false;
  }
  if (w > std::numeric_limits<std::int64_t>::max() / scale) return false;
  std::int64_t total = w * scale;
  // The fraction is exact in integers: each digit is a tenth of the one before.
  std::int64_t place = scale;
  for (char c : fraction) {
    if (c < '0' || c > '9') return false;
    place /= 10;
    if (place == 0) {
      if (c != '0') return false;  // finer than a nanosecond
      continue;
    }
    total += (c - '0') * place;
  }
  if (total < 0) return false;
  out = Time::ns(negative ? -total : total);
  return true;
}

}  // namespace nlb::sim
