#include "runner/text.hpp"

#include <algorithm>
#include <vector>

namespace nlb::runner {

std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string pointer_join(std::string_view base, std::string_view key) {
  return std::string(base) + "/" + pointer_token(key);
}

std::string pointer_join(std::string_view base, std::size_t index) {
  return std::string(base) + "/" + std::to_string(index);
}

std::string_view pointer_parent(std::string_view p) {
  auto slash = p.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : p.substr(0, slash);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and swaps of two adjacent
  // characters each cost 1, so "lna" is one edit from "lan".
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

namespace {

template <class S>
std::string closest(std::string_view word, std::span<const S> candidates) {
  // Allow about one edit in three characters: "intreval" -> "interval", not "lan" -> "name".
  std::size_t best = std::max<std::size_t>(1, word.size() / 3) + 1;
  std::string_view pick;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best) {
      best = d;
      pick = c;
    }
  }
  return pick.empty() ? std::string{} : " (did you mean " + in_quotes(pick) + "?)";
}

}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  return closest(word, candidates);
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  return closest(word, candidates);
}

std::string in_quotes(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  return out + "\"";
}

std::string join_words(std::span<const std::string> words, std::string_view last) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    // Piecewise: `" " + std::string(last)` makes GCC 12 at -O3 report a false -Werror=restrict
    // (GCC PR 105329).
    if (i + 1 == words.size() && i > 0) {
      out += ' ';
      out += last;
      out += ' ';
    } else if (i > 0) {
      out += ", ";
    }
    out += words[i];
  }
  return out;
}

bool glob_match(std::string_view pattern, std::string_view name) {
  // Classic two-pointer wildcard match with backtracking to the last '*'.
  std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace nlb::runner

namespace nlb::runner {

std::string format_time(sim::Time t) {
  struct Unit {
    std::int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {3'600'000'000'000, "h"}, {1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}};
  std::int64_t v = t.nanos();
  if (v == 0) return "0s";
  for (const Unit& u : kUnits)
    if (v % u.ns == 0) return std::to_string(v / u.ns) + u.name;
  return std::to_string(v) + "ns";
}

namespace {

struct RateUnit {
  std::string_view suffix;
  std::uint64_t bps;
};
// Longest first so that "bps" does not swallow "Gbps".
constexpr RateUnit kRateUnits[] = {
    {"Tbps", 1'000'000'000'000}, {"Gbps", 1'000'000'000}, {"Mbps", 1'000'000}, {"kbps", 1'000}, {"bps", 1}};

}  // namespace

std::optional<std::uint64_t> parse_bandwidth(std::string_view text) {
  std::uint64_t scale = 0;
  for (const RateUnit& u : kRateUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      text.remove_suffix(u.suffix.size());
      scale = u.bps;
      break;
    }
  }
  if (scale == 0) return std::nullopt;
  std::string_view whole = text, fraction;
  if (auto dot = text.find('.'); dot != std::string_view::npos) {
    whole = text.substr(0, dot);
    fraction = text.substr(dot + 1);
  }
  if (whole.empty()) return std::nullopt;
  std::uint64_t w = 0;
  for (char c : whole) {
    if (c < '0' || c > '9' || w > (std::uint64_t{1} << 50)) return std::nullopt;
    w = w * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (w > ~std::uint64_t{0} / scale) return std::nullopt;
  std::uint64_t total = w * scale, place = scale;
  for (char c : fraction) {
    if (c < '0' || c > '9') return std::nullopt;
    place /= 10;
    if (place == 0) {
      if (c != '0') return std::nullopt;  // finer than one bit per second
      continue;
    }
    total += static_cast<std::uint64_t>(c - '0') * place;
  }
  return total;
}

std::string format_bandwidth(std::uint64_t bps) {
  for (const RateUnit& u : kRateUnits)
    if (bps != 0 && bps % u.bps == 0) return std::to_string(bps / u.bps) + std::string(u.suffix);
  return std::to_string(bps) + "bps";
}

}  // namespace nlb::runner
