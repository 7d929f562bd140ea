// The grid file: what parses, every mistake at its JSON pointer, and how a grid expands into
// variants and splits across ranks.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runner/sweep/grid.hpp"
#include "runner/sweep/variant.hpp"

namespace nlb::sweep {
namespace {

// Every diagnostic, a line each (doctest shows the text when a check fails).
std::string errors_of(const std::string& text) {
  GridResult r = parse_grid_text(text, "g.json");
  std::string out;
  for (const auto& d : r.diagnostics) out += d.str() + "\n";
  CHECK(r.grid.has_value() == out.empty());
  return out;
}

std::string Lines(std::initializer_list<std::string> lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST_CASE("a grid names a scenario relative to itself, axes in order, and seeds") {
  GridResult r = parse_grid_text(R"({"name": "hb", "scenario": "base.json",
      "axes": [{"parameter": "timeout", "values": ["1s", "2s", "3s"]}, {"parameter": "sync", "values": ["off", 2, {"a": 1}]}],
      "seeds": {"first": 7, "count": 2}, "until": "25s"})",
                                 "dir/sub/g.json");
  REQUIRE(r.grid);
  const Grid& g = *r.grid;
  CHECK(g.name == "hb");
  CHECK(g.scenario == std::filesystem::path("dir/sub/base.json"));
  CHECK(g.scenario_text == "base.json");
  REQUIRE(g.axes.size() == 2);
  CHECK(g.axes[0].parameter == "timeout");  // written order, not sorted
  CHECK(g.axes[1].values[2] == Json{{"a", 1}});
  CHECK(g.seeds == std::vector<std::uint64_t>{7, 8});
  CHECK(g.until == sim::Time::s(25));
  CHECK(g.combinations() == 9);
  CHECK(g.variants() == 18);
}

TEST_CASE("a grid without axes or seeds is the scenario once, named after the file") {
  GridResult r = parse_grid_text(R"({"scenario": "s.json"})", "sweeps/one.grid.json");
  REQUIRE(r.grid);
  CHECK(r.grid->name == "one");
  CHECK(r.grid->variants() == 1);
  CHECK(r.grid->seeds.empty());
}

TEST_CASE("bad grids are reported at their JSON pointers, every mistake at once") {
  CHECK(errors_of("[1]") ==
        Lines({"g.json: expected an object with \"scenario\", \"axes\" and \"seeds\", not an array"}));
  CHECK(
      errors_of("{\"scenario\": \"s.json\",}") ==
      Lines(
          {"g.json:1:23: JSON syntax error: syntax error while parsing object key - unexpected '}'; expected "
           "string literal"}));
  CHECK(errors_of(R"({"scenario": "s.json", "scenario": "t.json"})").find("duplicate") != std::string::npos);
  CHECK(errors_of(R"({"axis": []})") ==
        Lines({"g.json: missing \"scenario\" in the grid: the base scenario file, relative to the grid",
               "g.json:/axis: unknown key \"axis\" in the grid (did you mean \"axes\"?)"}));
  CHECK(errors_of(R"({"scenario": 3, "name": "a b", "until": "30", "description": []})") ==
        Lines({"g.json:/description: expected a string, not an array",
               "g.json:/name: expected a name of 1 to 64 letters, digits, '_', '.' or '-', not the string "
               "\"a b\"",
               "g.json:/scenario: expected a string, not the number 3",
               "g.json:/until: expected a positive time with a unit up to 365 days, such as \"30s\" or "
               "\"1500ms\", "
               "not the string \"30\""}));
  CHECK(errors_of(R"({"scenario": ""})") ==
        Lines({"g.json:/scenario: expected a file name, not an empty string"}));
}

TEST_CASE("bad axes name the axis, the parameter or the value") {
  CHECK(
      errors_of(R"({"scenario": "s.json", "axes": {"sync": ["off"]}})") ==
      Lines({"g.json:/axes: expected an array of {\"parameter\": NAME, \"values\": [...]}, not an object"}));
  CHECK(errors_of(R"({"scenario": "s.json", "axes": [{"parameter": "sync", "value": ["off"]}, "x"]})") ==
        Lines({"g.json:/axes/0: missing \"values\" in an axis: the parameter's values, one variant each",
               "g.json:/axes/0/value: unknown key \"value\" in an axis (did you mean \"values\"?)",
               "g.json:/axes/1: expected an object {\"parameter\": NAME, \"values\": [...]}, not the string "
               "\"x\""}));
  CHECK(errors_of(R"({"scenario": "s.json", "axes": [{"parameter": "9x", "values": []}]})") ==
        Lines({"g.json:/axes/0/parameter: parameter names are letters, digits and '_', starting with a "
               "letter: \"9x\"",
               "g.json:/axes/0/values: expected at least one value, not an empty array"}));
  CHECK(errors_of(R"({"scenario": "s.json", "axes": [{"parameter": "a", "values": [1, 2, 1]},
                                                    {"parameter": "a", "values": [3]}]})") ==
        Lines({"g.json:/axes/0/values/2: value 1 repeats /axes/0/values/0: each value once",
               "g.json:/axes/1/parameter: parameter \"a\" already has an axis (/axes/0): one axis per "
               "parameter"}));
}

TEST_CASE("bad seeds are reported where they are written") {
  CHECK(errors_of(R"({"scenario": "s.json", "seeds": [1, -2, 1.5, 1]})") ==
        Lines({"g.json:/seeds/1: expected a whole number from 0 to 18446744073709551615, not the number -2",
               "g.json:/seeds/2: expected a whole number from 0 to 18446744073709551615, not the number 1.5",
               "g.json:/seeds/3: seed 1 repeats /seeds/0: each seed once"}));
  CHECK(
      errors_of(R"({"scenario": "s.json", "seeds": []})") ==
      Lines({"g.json:/seeds: expected at least one seed, not an empty array (leave \"seeds\" out to run the "
             "scenario's own seed)"}));
  CHECK(errors_of(R"({"scenario": "s.json", "seeds": {"from": 1}})") ==
        Lines({"g.json:/seeds: missing \"count\" in a seed range: how many seeds, from \"first\" (default 1)",
               "g.json:/seeds/from: unknown key \"from\" in a seed range"}));
  CHECK(errors_of(R"({"scenario": "s.json", "seeds": {"count": 0}})") ==
        Lines({"g.json:/seeds/count: expected 1 to 100000 seeds, not 0"}));
  CHECK(errors_of(R"({"scenario": "s.json", "seeds": {"first": 18446744073709551615, "count": 2}})") ==
        Lines({"g.json:/seeds: the seeds 18446744073709551615 + 2 run past the largest seed, "
               "18446744073709551615"}));
  CHECK(
      errors_of(R"({"scenario": "s.json", "seeds": 3})") ==
      Lines({"g.json:/seeds: expected an array of seeds or {\"first\": N, \"count\": M}, not the number 3"}));
}

TEST_CASE("a grid of more than 100000 variants is refused before anything runs") {
  CHECK(errors_of(
            R"({"scenario": "s.json", "axes": [{"parameter": "a", "values": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}],
                     "seeds": {"count": 10001}})") ==
        Lines({"g.json: the grid has 100010 variants; at most 100000 (split it into several grids)"}));
}

TEST_CASE("an unreadable grid file is one error about the file") {
  GridResult r = parse_grid("/nonexistent/g.json");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].str() == "/nonexistent/g.json: cannot read the file");
}

TEST_CASE("variants are row-major: first axis outermost, seed innermost") {
  GridResult r = parse_grid_text(R"({"scenario": "s.json",
      "axes": [{"parameter": "a", "values": [1, 2]}, {"parameter": "b", "values": ["x", "y", "z"]}], "seeds": [5, 9]})",
                                 "g.json");
  REQUIRE(r.grid);
  const Grid& g = *r.grid;
  REQUIRE(g.variants() == 12);
  const Variant v = variant_at(g, 7);  // a=2 (second half), b="x", seed 9
  CHECK(v.combination == 3);
  CHECK(v.values == std::vector<std::size_t>{1, 0});
  CHECK(v.seed == 9u);
  CHECK(describe_values(g, v) == "a=2, b=\"x\"");
  CHECK(parameter_overrides(g, v) ==
        std::vector<std::pair<std::string, std::string>>{{"a", "2"}, {"b", "\"x\""}});
  const Variant last = variant_at(g, 11);
  CHECK(last.values == std::vector<std::size_t>{1, 2});
  CHECK(combination_at(g, 4).index == 8);
  // Every variant once, in order.
  for (std::size_t i = 0; i < g.variants(); ++i) {
    const Variant x = variant_at(g, i);
    CHECK(x.index == i);
    CHECK(x.combination * 2 + (x.seed == 9u ? 1 : 0) == i);
  }
}

TEST_CASE("a variant without seeds keeps the scenario's own seed") {
  GridResult r =
      parse_grid_text(R"({"scenario": "s.json", "axes": [{"parameter": "a", "values": [1, 2]}]})", "g.json");
  REQUIRE(r.grid);
  CHECK_FALSE(variant_at(*r.grid, 1).seed.has_value());
  CHECK(variant_at(*r.grid, 1).combination == 1);
}

TEST_CASE("ranks share the variants round-robin, each exactly once") {
  CHECK(rank_share(7, 0, 2) == std::vector<std::size_t>{0, 2, 4, 6});
  CHECK(rank_share(7, 1, 2) == std::vector<std::size_t>{1, 3, 5});
  CHECK(rank_share(2, 2, 3).empty());  // more ranks than variants: some idle
  CHECK(rank_share(5, 0, 1) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(rank_share(5, 3, 2).empty());  // not a rank
  std::vector<int> seen(100, 0);
  for (int r = 0; r < 7; ++r)
    for (std::size_t i : rank_share(100, r, 7)) ++seen[i];
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}

}  // namespace
}  // namespace nlb::sweep
