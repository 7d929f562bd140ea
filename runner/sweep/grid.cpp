#include "runner/sweep/grid.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "runner/text.hpp"

namespace nlb::sweep {

namespace fs = std::filesystem;
using runner::describe_json;
using runner::in_quotes;
using runner::pointer_join;

std::size_t Grid::combinations() const {
  std::size_t n = 1;
  for (const Axis& a : axes) n *= a.values.size();
  return n;
}

namespace {

constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();
// The scenario loader's limit on times: a year.
constexpr sim::Time kMaxUntil = sim::Time::s(365LL * 24 * 3600);

constexpr std::array<std::string_view, 7> kGridKeys = {"$schema", "name",  "description", "scenario",
                                                       "axes",    "seeds", "until"};
constexpr std::array<std::string_view, 3> kAxisKeys = {"parameter", "values", "description"};
constexpr std::array<std::string_view, 2> kSeedRangeKeys = {"first", "count"};

// Reads one grid document, reporting every mistake it finds against `file`.
class GridReader {
 public:
  GridReader(const std::string& file, runner::Diagnostics& out) : file_(file), out_(out) {}

  std::optional<Grid> read(const Json& doc) {
    if (!doc.is_object()) {
      error("", "expected an object with \"scenario\", \"axes\" and \"seeds\", not " + describe_json(doc));
      return std::nullopt;
    }
    Grid g;
    g.file = file_;
    g.name = fs::path(file_).stem().string();  // "heartbeat-sync.grid.json" -> "heartbeat-sync"
    if (g.name.size() > 5 && g.name.ends_with(".grid")) g.name.resize(g.name.size() - 5);
    keys(doc, "", kGridKeys, "the grid");
    if (const Json* v = member(doc, "name")) name(*v, "/name", g.name);
    if (const Json* v = member(doc, "description")) text(*v, "/description", g.description);
    if (const Json* v = member(doc, "scenario")) {
      std::string s;
      if (text(*v, "/scenario", s) && s.empty())
        error("/scenario", "expected a file name, not an empty string");
      if (!s.empty()) {
        g.scenario_text = s;
        g.scenario = fs::path(file_).parent_path() / s;
      }
    } else {
      error("", "missing \"scenario\" in the grid: the base scenario file, relative to the grid");
    }
    if (const Json* v = member(doc, "axes")) axes(*v, g.axes);
    if (const Json* v = member(doc, "seeds")) seeds(*v, g.seeds);
    if (const Json* v = member(doc, "until")) until(*v, g.until);
    if (errors_ == 0 && g.variants() > kMaxVariants)
      error("", "the grid has " + std::to_string(g.variants()) + " variants; at most " +
                    std::to_string(kMaxVariants) + " (split it into several grids)");
    if (errors_ > 0) return std::nullopt;
    return g;
  }

 private:
  void error(const std::string& pointer, std::string message) {
    out_.push_back({runner::Severity::Error, file_, pointer, std::move(message)});
    ++errors_;
  }

  static const Json* member(const Json& obj, std::string_view key) {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  template <std::size_t N>
  void keys(const Json& obj, const std::string& ptr, const std::array<std::string_view, N>& known,
            const std::string& what) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
      error(pointer_join(ptr, it.key()),
            "unknown key " + in_quotes(it.key()) + " in " + what + runner::did_you_mean(it.key(), known));
    }
  }

  bool text(const Json& v, const std::string& ptr, std::string& out) {
    if (!v.is_string()) {
      error(ptr, "expected a string, not " + describe_json(v));
      return false;
    }
    out = v.get<std::string>();
    return true;
  }

  // The grid's name names the default output directory: the scenario's rule for names.
  void name(const Json& v, const std::string& ptr, std::string& out) {
    std::string s;
    if (!text(v, ptr, s)) return;
    const bool ok = !s.empty() && s.size() <= 64 &&
                    std::all_of(s.begin(), s.end(),
                                [](char c) {
                                  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
                                }) &&
                    s != "." && s != "..";
    if (!ok) {
      error(ptr, "expected a name of 1 to 64 letters, digits, '_', '.' or '-', not " + describe_json(v));
      return;
    }
    out = s;
  }

  // The scenario loader's rule for parameter names.
  static bool identifier(const std::string& s) {
    if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
  }

  void axes(const Json& v, std::vector<Axis>& out) {
    if (!v.is_array()) {
      error("/axes",
            "expected an array of {\"parameter\": NAME, \"values\": [...]}, not " + describe_json(v));
      return;
    }
    std::vector<std::string> seen;  // "/axes/k" of each name, by name
    for (std::size_t k = 0; k < v.size(); ++k) {
      const std::string ptr = pointer_join("/axes", k);
      std::optional<Axis> a = axis(v[k], ptr);
      if (!a) continue;
      auto dup =
          std::find_if(out.begin(), out.end(), [&](const Axis& b) { return b.parameter == a->parameter; });
      if (dup != out.end()) {
        error(ptr + "/parameter", "parameter " + in_quotes(a->parameter) + " already has an axis (/axes/" +
                                      std::to_string(dup - out.begin()) + "): one axis per parameter");
        continue;
      }
      out.push_back(std::move(*a));
    }
  }

  std::optional<Axis> axis(const Json& v, const std::string& ptr) {
    if (!v.is_object()) {
      error(ptr, "expected an object {\"parameter\": NAME, \"values\": [...]}, not " + describe_json(v));
      return std::nullopt;
    }
    const std::size_t before = errors_;
    keys(v, ptr, kAxisKeys, "an axis");
    Axis a;
    if (const Json* p = member(v, "parameter")) {
      if (text(*p, ptr + "/parameter", a.parameter) && !identifier(a.parameter))
        error(ptr + "/parameter", "parameter names are letters, digits and '_', starting with a letter: " +
                                      in_quotes(a.parameter));
    } else {
      error(ptr, "missing \"parameter\" in an axis: the name of a parameter the scenario declares");
    }
    if (const Json* d = member(v, "description")) text(*d, ptr + "/description", a.description);
    if (const Json* vals = member(v, "values")) {
      values(*vals, ptr + "/values", a.values);
    } else {
      error(ptr, "missing \"values\" in an axis: the parameter's values, one variant each");
    }
    // An axis with a bad value still claims its parameter, so a second axis of the same name
    // is reported too; the grid as a whole has failed anyway.
    if (a.parameter.empty() || (errors_ > before && !identifier(a.parameter))) return std::nullopt;
    return a;
  }

  // Values are any JSON, each given to the loader as `--set NAME=VALUE` would be; a repeated
  // value would only repeat variants.
  void values(const Json& v, const std::string& ptr, std::vector<Json>& out) {
    if (!v.is_array()) {
      error(ptr, "expected an array of the parameter's values, not " + describe_json(v));
      return;
    }
    if (v.empty()) {
      error(ptr, "expected at least one value, not an empty array");
      return;
    }
    for (std::size_t j = 0; j < v.size(); ++j) {
      auto dup = std::find(out.begin(), out.end(), v[j]);
      if (dup != out.end()) {
        error(pointer_join(ptr, j), "value " + v[j].dump() + " repeats " + ptr + "/" +
                                        std::to_string(dup - out.begin()) + ": each value once");
        continue;
      }
      out.push_back(v[j]);
    }
  }

  // [1, 2, 3] or {"first": 1, "count": 3}.
  void seeds(const Json& v, std::vector<std::uint64_t>& out) {
    if (v.is_array()) {
      if (v.empty())
        error("/seeds",
              "expected at least one seed, not an empty array (leave \"seeds\" out to "
              "run the scenario's own seed)");
      for (std::size_t j = 0; j < v.size(); ++j) {
        const std::string ptr = pointer_join("/seeds", j);
        std::optional<std::uint64_t> s = seed(v[j], ptr);
        if (!s) continue;
        auto dup = std::find(out.begin(), out.end(), *s);
        if (dup != out.end()) {
          error(ptr, "seed " + std::to_string(*s) + " repeats /seeds/" + std::to_string(dup - out.begin()) +
                         ": each seed once");
          continue;
        }
        out.push_back(*s);
      }
      return;
    }
    if (!v.is_object()) {
      error("/seeds", "expected an array of seeds or {\"first\": N, \"count\": M}, not " + describe_json(v));
      return;
    }
    keys(v, "/seeds", kSeedRangeKeys, "a seed range");
    std::optional<std::uint64_t> first = std::uint64_t{1}, count;
    if (const Json* f = member(v, "first")) first = seed(*f, "/seeds/first");
    if (const Json* c = member(v, "count")) {
      count = seed(*c, "/seeds/count");
      if (count && (*count == 0 || *count > kMaxSeedCount)) {
        error("/seeds/count", "expected 1 to " + std::to_string(kMaxSeedCount) + " seeds, not " + c->dump());
        count.reset();
      }
    } else {
      error("/seeds", "missing \"count\" in a seed range: how many seeds, from \"first\" (default 1)");
    }
    if (!first || !count) return;
    if (*first > kMaxSeed - (*count - 1)) {
      error("/seeds", "the seeds " + std::to_string(*first) + " + " + std::to_string(*count) +
                          " run past the largest seed, " + std::to_string(kMaxSeed));
      return;
    }
    for (std::uint64_t k = 0; k < *count; ++k) out.push_back(*first + k);
  }

  std::optional<std::uint64_t> seed(const Json& v, const std::string& ptr) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
      return static_cast<std::uint64_t>(v.get<std::int64_t>());
    error(ptr, "expected a whole number from 0 to " + std::to_string(kMaxSeed) + ", not " + describe_json(v));
    return std::nullopt;
  }

  void until(const Json& v, std::optional<sim::Time>& out) {
    sim::Time t;
    // parse_time takes a bare number as nanoseconds; a grid, like a scenario, says its unit.
    const bool unit = v.is_string() && !v.get_ref<const std::string&>().empty() &&
                      std::isalpha(static_cast<unsigned char>(v.get_ref<const std::string&>().back()));
    if (!unit || !sim::parse_time(v.get<std::string>(), t) || t <= sim::Time::zero() || t > kMaxUntil) {
      error("/until",
            "expected a positive time with a unit up to 365 days, such as \"30s\" or \"1500ms\", not " +
                describe_json(v));
      return;
    }
    out = t;
  }

  const std::string& file_;
  runner::Diagnostics& out_;
  std::size_t errors_ = 0;
};

}  // namespace

GridResult parse_grid_text(std::string_view text, const std::string& file_name) {
  GridResult r;
  std::optional<Json> doc = runner::parse_json_text(text, file_name, r.diagnostics);
  if (doc) r.grid = GridReader(file_name, r.diagnostics).read(*doc);
  runner::sort_diagnostics(r.diagnostics);
  return r;
}

GridResult parse_grid(const fs::path& file, const runner::FileReader& reader) {
  std::optional<std::string> text = reader(file);
  if (!text) {
    GridResult r;
    r.diagnostics.push_back({runner::Severity::Error, file.string(), "", "cannot read the file"});
    return r;
  }
  return parse_grid_text(*text, file.string());
}

}  // namespace nlb::sweep
