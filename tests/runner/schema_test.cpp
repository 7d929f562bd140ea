// scenarios/schema.json is generated from the loader's tables and stays in step with them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "runner/compose.hpp"
#include "runner/format.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A property's own schema, unwrapped from anyOf [typed, substitution].
const Json& typed(const Json& prop) { return prop.contains("anyOf") ? prop["anyOf"][0] : prop; }

bool type_matches(const FormatField& f, const Json& prop) {
  const Json& t = typed(prop);
  auto type_is = [&](const char* name) { return t.contains("type") && t["type"] == name; };
  if (f.kind == "string" || f.kind == "name" || f.kind == "time" || f.kind == "bandwidth" ||
      f.kind == "ipv4" || f.kind == "prefix" || f.kind == "address" || f.kind == "mac")
    return type_is("string");
  if (f.kind == "integer") return type_is("integer");
  if (f.kind == "number") return type_is("number");
  if (f.kind == "boolean") return type_is("boolean");
  if (f.kind == "enum") return t.contains("enum") && t["enum"].is_array() && !t["enum"].empty();
  if (f.kind == "array") return type_is("array");
  if (f.kind == "object") return t.value("$ref", "") == "#/$defs/" + f.object;
  if (f.kind == "bound") return prop.contains("anyOf");
  if (f.kind == "extends") return prop.contains("anyOf");
  if (f.kind == "parameters") return type_is("object");
  // A name or an object: {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/<object>"}]}.
  if (f.kind == "external")
    return t.contains("anyOf") && t["anyOf"][0].value("type", "") == "string" &&
           t["anyOf"][1].value("$ref", "") == "#/$defs/" + f.object;
  return false;
}

}  // namespace

TEST_CASE("the shipped schema is exactly what the loader's tables generate") {
  Json shipped = Json::parse(read(kSource / "scenarios/schema.json"), nullptr, false);
  REQUIRE_FALSE(shipped.is_discarded());
  CHECK_MESSAGE(
      shipped == scenario_schema(),
      "scenarios/schema.json is stale: regenerate it with `nlbsim schema -o scenarios/schema.json`");
}

TEST_CASE("every key the loader accepts is in the schema with the same type, and nothing else is") {
  Json schema = scenario_schema();
  const Json& defs = schema["$defs"];
  for (const FormatObject& o : format_objects()) {
    CAPTURE(o.name);
    for (const char* suffix : {"", "_partial"}) {
      std::string name = o.name + suffix;
      REQUIRE(defs.contains(name));
      const Json& props = defs[name]["properties"];
      std::set<std::string> loader_keys{std::string(kIncludeKey)};
      if (o.array_item)
        for (auto k : {kCountKey, kFirstKey, kAsKey}) loader_keys.insert(std::string(k));
      for (const FormatField& f : o.fields) {
        CAPTURE(f.key);
        loader_keys.insert(f.key);
        REQUIRE(props.contains(f.key));
        Json prop = props[f.key];
        if (*suffix) {  // partial defs reference partial defs
          if (f.kind == "object") CHECK(typed(prop).value("$ref", "") == "#/$defs/" + f.object + "_partial");
          continue;
        }
        CHECK(type_matches(f, prop));
        if (!f.default_text.empty()) CHECK(prop.contains("default"));
      }
      std::set<std::string> schema_keys;
      for (auto it = props.begin(); it != props.end(); ++it) schema_keys.insert(it.key());
      CHECK(schema_keys == loader_keys);
    }
  }
}

TEST_CASE("the schema requires what the loader requires, unless an include may provide it") {
  Json schema = scenario_schema();
  for (const FormatObject& o : format_objects()) {
    CAPTURE(o.name);
    Json required = Json::array();
    for (const FormatField& f : o.fields)
      if (f.required) required.push_back(f.key);
    const Json& def = schema["$defs"][o.name];
    if (required.empty()) {
      CHECK_FALSE(def.contains("anyOf"));
    } else {
      REQUIRE(def.contains("anyOf"));
      CHECK(def["anyOf"][1]["required"] == required);
      CHECK(def["anyOf"][0]["required"] == Json::array({"include"}));
    }
    CHECK_FALSE(schema["$defs"][o.name + "_partial"].contains("anyOf"));
  }
}

TEST_CASE("the schema's defaults are the structs' own defaults") {
  Json defs = scenario_schema()["$defs"];
  CHECK(defs["lan"]["properties"]["delay"]["default"] == "1us");
  CHECK(defs["lan"]["properties"]["bandwidth"]["default"] == "1Gbps");
  CHECK(defs["lan"]["properties"]["mac_ageing"]["default"] == "300s");
  CHECK(defs["vrrp_group"]["properties"]["advert_interval"]["default"] == "1s");
  CHECK(defs["heartbeat"]["properties"]["interval"]["default"] == "500ms");
  CHECK(defs["proportions"]["properties"]["active"]["default"] == 50);
  CHECK(defs["cluster"]["properties"]["ports"]["default"] == Json::array({80}));
  CHECK(defs["scenario"]["properties"]["duration"]["default"] == "60s");
  CHECK(defs["http_server"]["properties"]["workers"]["default"] == 256);
}

TEST_CASE("a file that extends another is checked against the partial schema") {
  Json schema = scenario_schema();
  CHECK(schema["if"]["required"] == Json::array({"extends"}));
  CHECK(schema["then"]["$ref"] == "#/$defs/scenario_partial");
  CHECK(schema["else"]["$ref"] == "#/$defs/scenario");
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
}

TEST_CASE("docs/scenario-format.md carries the reference generated from the same tables") {
  std::string docs = read(kSource / "docs/scenario-format.md");
  std::string ref = format_reference_markdown();
  auto begin = docs.find("<!-- reference:begin -->\n"), end = docs.find("<!-- reference:end -->");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::string in_docs = docs.substr(begin + 25, end - begin - 25);
  CHECK_MESSAGE(in_docs == ref,
                "docs/scenario-format.md's reference is stale: regenerate it with "
                "`nlbsim schema --markdown` between the reference markers");
}
