#include "runner/diagnostics.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace nlb::runner {

std::string Diagnostic::str() const {
  std::string where = file;
  if (!pointer.empty())
    where += ":" + pointer;
  else if (line > 0) {
    // Piecewise: `":" + std::to_string(...)` makes GCC 12 at -O3 report a false -Werror=restrict
    // (GCC PR 105329).
    where += ':';
    where += std::to_string(line);
    where += ':';
    where += std::to_string(column);
  }
  return where + ": " + (severity == Severity::Warning ? "warning: " : "") + message;
}

bool has_errors(const Diagnostics& d) { return error_count(d) > 0; }

std::size_t error_count(const Diagnostics& d) {
  return static_cast<std::size_t>(
      std::count_if(d.begin(), d.end(), [](const Diagnostic& x) { return x.severity == Severity::Error; }));
}

namespace {

bool numeric(std::string_view t, std::uint64_t& v) {
  if (t.empty() || t.size() > 18) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc{} && p == t.data() + t.size();
}

// Compares two JSON pointers token by token; numbers as numbers, and a pointer before the
// pointers below it.
bool pointer_less(std::string_view a, std::string_view b) {
  while (!a.empty() && !b.empty()) {
    a.remove_prefix(1);
    b.remove_prefix(1);
    std::string_view ta = a.substr(0, a.find('/')), tb = b.substr(0, b.find('/'));
    std::uint64_t na = 0, nb = 0;
    bool da = numeric(ta, na), db = numeric(tb, nb);
    if (da && db && na != nb) return na < nb;
    if (da != db) return da;
    if (ta != tb) return ta < tb;
    a.remove_prefix(ta.size());
    b.remove_prefix(tb.size());
  }
  return a.empty() && !b.empty();
}

}  // namespace

void sort_diagnostics(Diagnostics& d) {
  std::stable_sort(d.begin(), d.end(), [](const Diagnostic& x, const Diagnostic& y) {
    if (x.file != y.file) return x.file < y.file;
    if (x.pointer != y.pointer) return pointer_less(x.pointer, y.pointer);
    return x.line < y.line || (x.line == y.line && x.column < y.column);
  });
  d.erase(std::unique(d.begin(), d.end()), d.end());
}

}  // namespace nlb::runner
