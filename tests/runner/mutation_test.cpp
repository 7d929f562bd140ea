// No input makes the loader throw or crash: thousands of deterministic mutations of a valid
// scenario (values swapped for other types, keys dropped or added, bytes flipped) each come
// back as a scenario or as errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runner/load.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;
using Json = nlohmann::json;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Values that trip parsers: wrong types, edges of ranges, templates, junk.
Json odd_value(std::mt19937& rng) {
  static const Json kPool[] = {nullptr,
                               true,
                               false,
                               -1,
                               0,
                               1,
                               255,
                               256,
                               65536,
                               -9223372036854775807LL,
                               18446744073709551615ULL,
                               1e300,
                               -0.5,
                               1.5,
                               "",
                               "x",
                               "${x}",
                               "{i}",
                               "{i/0}",
                               "10.0.0.1/33",
                               "10.0.0.300",
                               "0.0.0.0/0",
                               "255.255.255.255",
                               "ff:ff:ff:ff:ff:ff",
                               "-1s",
                               "1.5",
                               "999999999h",
                               "1e400",
                               "default",
                               "*",
                               "lb1",
                               "ias",
                               Json::array(),
                               Json::object(),
                               Json::array({1, "a", nullptr}),
                               Json{{"count", 3}},
                               Json{{"include", "nope.json"}},
                               std::string(300, 'z')};
  return kPool[rng() % std::size(kPool)];
}

// Picks a random place in the document and changes it.
void mutate(Json& doc, std::mt19937& rng) {
  Json* v = &doc;
  for (int depth = 0; depth < 8 && (v->is_structured() && !v->empty()) && rng() % 4 != 0; ++depth) {
    if (v->is_array()) {
      v = &(*v)[rng() % v->size()];
    } else {
      auto it = v->begin();
      std::advance(it, static_cast<long>(rng() % v->size()));
      v = &it.value();
    }
  }
  switch (rng() % 4) {
    case 0:
      *v = odd_value(rng);
      break;
    case 1:
      if (v->is_object() && !v->empty()) v->erase(v->begin());
      break;
    case 2:
      if (v->is_object()) (*v)[rng() % 2 ? "count" : "unknown_key"] = odd_value(rng);
      break;
    case 3:
      if (v->is_array() && !v->empty()) v->push_back((*v)[0]);
      break;
  }
}

}  // namespace

TEST_CASE("thousands of mutated scenarios load or fail with errors, never with an exception") {
  const std::string base = read(fs::path(NLBSIM_SOURCE_DIR) / "tests/runner/good/minimal.json");
  const Json doc = Json::parse(base);
  std::mt19937 rng(20261127);
  std::size_t ok = 0, rejected = 0;
  for (int n = 0; n < 1500; ++n) {
    Json d = doc;
    for (int k = 0, m = 1 + static_cast<int>(rng() % 3); k < m; ++k) mutate(d, rng);
    std::string text = d.dump();
    if (n % 5 == 0 && !text.empty())
      text[rng() % text.size()] = static_cast<char>(rng() % 256);  // a flipped byte
    LoadResult r;
    CHECK_NOTHROW(r = load_scenario_text(text, "mutant.json"));
    CHECK(r.ok() != has_errors(r.diagnostics));
    for (const auto& d : r.diagnostics) CHECK_FALSE(d.message.empty());
    (r.ok() ? ok : rejected)++;
  }
  MESSAGE(ok << " mutants loaded, " << rejected << " rejected");
  CHECK(rejected > 500);
}
