// extends, include, parameters and generators: what they produce and where their errors point.
#include <doctest/doctest.h>

#include <map>

#include "runner/compose.hpp"
#include "runner/load.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;
using nlb::wire::Ipv4;

namespace {

// In-memory files for the loader.
struct Files {
  std::map<std::string, std::string> files;
  LoadOptions options() const {
    LoadOptions o;
    o.reader = [this](const fs::path& p) -> std::optional<std::string> {
      auto it = files.find(p.lexically_normal().string());
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
    return o;
  }
  ComposeOptions compose_options() const {
    ComposeOptions o;
    o.reader = options().reader;
    return o;
  }
};

// A valid two-host network to build on.
const char* kBase = R"({
  "name": "base", "seed": 7,
  "parameters": {"net": "10.0.0", "len": 24, "hosts": 2},
  "lans": [{"name": "a", "subnet": "${net}.0/${len}"}],
  "nodes": [
    {"name": "h{i}", "count": "${hosts}", "role": "host",
     "interfaces": [{"name": "eth0", "lan": "a", "address": "${net}.{i}/${len}"}]}
  ]
})";

std::string messages(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += d.str() + "\n";
  return s;
}

Json compose_ok(const Files& f, const std::string& top) {
  Diagnostics ds;
  auto c = compose_file(top, f.compose_options(), ds);
  INFO(messages(ds));
  REQUIRE(c);
  return c->doc;
}

}  // namespace

TEST_CASE("extends merges objects, replaces plain arrays and merges named arrays by name") {
  Files f;
  f.files["base.json"] = kBase;
  f.files["child.json"] = R"({
    "extends": "base.json",
    "seed": 8,
    "lans": [{"name": "a", "delay": "5ms"}, {"name": "b", "subnet": "10.1.0.0/24"}],
    "nodes": [{"name": "h{i}", "routes": [{"to": "default", "via": "10.0.0.254"}]}]
  })";
  Json doc = compose_ok(f, "child.json");
  CHECK(doc["name"] == "base");
  CHECK(doc["seed"] == 8);
  REQUIRE(doc["lans"].size() == 2);
  CHECK(doc["lans"][0]["subnet"] == "10.0.0.0/24");  // kept from the base
  CHECK(doc["lans"][0]["delay"] == "5ms");           // merged in
  CHECK(doc["lans"][1]["name"] == "b");              // appended
  REQUIRE(doc["nodes"].size() == 2);                 // generated after merging
  CHECK(doc["nodes"][1]["routes"][0]["via"] == "10.0.0.254");
  CHECK_FALSE(doc.contains("extends"));
  CHECK_FALSE(doc.contains("parameters"));
}

TEST_CASE("null in a file that extends another deletes the key, as in RFC 7396") {
  Files f;
  f.files["base.json"] = kBase;
  f.files["child.json"] =
      R"({"extends": "base.json", "seed": null, "lans": [{"name": "a", "subnet": null}]})";
  Json doc = compose_ok(f, "child.json");
  CHECK_FALSE(doc.contains("seed"));
  CHECK_FALSE(doc["lans"][0].contains("subnet"));
}

TEST_CASE("a child's parameters apply to its base's templates, and --set overrides both") {
  Files f;
  f.files["base.json"] = kBase;
  f.files["child.json"] = R"({"extends": "base.json", "parameters": {"net": "192.168.5", "hosts": 3}})";
  LoadOptions o = f.options();
  LoadResult r = load_scenario("child.json", o);
  INFO(messages(r.diagnostics));
  REQUIRE(r.ok());
  REQUIRE(r.scenario->nodes.size() == 3);
  CHECK(r.scenario->nodes[2].interfaces[0].address.str() == "192.168.5.3/24");
  CHECK(r.scenario->lans[0].subnet->str() == "192.168.5.0/24");
  CHECK(r.scenario->files == std::vector<std::string>{"base.json", "child.json"});

  o.parameters = {{"hosts", "5"}, {"net", "172.16.0"}};
  r = load_scenario("child.json", o);
  REQUIRE(r.ok());
  CHECK(r.scenario->nodes.size() == 5);
  CHECK(r.scenario->nodes[4].interfaces[0].address.str() == "172.16.0.5/24");

  o.parameters = {{"host", "5"}};
  r = load_scenario("child.json", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics[0].message.find("--set host: no parameter \"host\"") != std::string::npos);
  CHECK(r.diagnostics[0].message.find("did you mean \"hosts\"") != std::string::npos);
}

TEST_CASE("a parameter standing alone keeps its JSON type; inside text it is spliced; $${ is a literal") {
  Files f;
  f.files["p.json"] = R"({
    "parameters": {"n": 3, "obj": {"k": [1, 2]}, "word": "net", "ref": "${word}-${n}"},
    "a": "${n}", "b": "x${n}y", "c": "${obj}", "d": "$${n}", "e": "${ref}"
  })";
  Json doc = compose_ok(f, "p.json");
  CHECK(doc["a"] == 3);
  CHECK(doc["b"] == "x3y");
  CHECK(doc["c"]["k"][1] == 2);
  CHECK(doc["d"] == "${n}");
  CHECK(doc["e"] == "net-3");  // parameters may use parameters
}

TEST_CASE("include puts a file's content in place, with the object's other keys merged on top") {
  Files f;
  f.files["dir/top.json"] = R"({
    "server_defaults": {"include": "parts/server.json", "workers": 8},
    "list": {"include": "parts/list.json"}
  })";
  f.files["dir/parts/server.json"] = R"({"workers": 4, "backlog": 100, "port": {"include": "port.json"}})";
  f.files["dir/parts/port.json"] = "80";
  f.files["dir/parts/list.json"] = R"([1, 2, 3])";
  Json doc = compose_ok(f, "dir/top.json");
  CHECK(doc["server_defaults"]["workers"] == 8);
  CHECK(doc["server_defaults"]["backlog"] == 100);
  CHECK(doc["server_defaults"]["port"] == 80);  // includes nest, relative to their own file
  CHECK(doc["list"] == Json::array({1, 2, 3}));
}

TEST_CASE("an include cycle is an error naming the whole chain") {
  Files f;
  f.files["a.json"] = R"({"x": {"include": "b.json"}})";
  f.files["b.json"] = R"({"y": {"include": "c.json"}})";
  f.files["c.json"] = R"({"z": {"include": "a.json"}})";
  Diagnostics ds;
  CHECK_FALSE(compose_file("a.json", f.compose_options(), ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].str() == "c.json:/z/include: include cycle: a.json -> b.json -> c.json -> a.json");
}

TEST_CASE("a file may extend several bases, later ones winning") {
  Files f;
  f.files["one.json"] = R"({"seed": 1, "name": "one"})";
  f.files["two.json"] = R"({"seed": 2})";
  f.files["top.json"] = R"({"extends": ["one.json", "two.json"], "description": "d"})";
  Json doc = compose_ok(f, "top.json");
  CHECK(doc["seed"] == 2);
  CHECK(doc["name"] == "one");
  CHECK(doc["description"] == "d");
}

TEST_CASE("generators make count copies with their variable, nest, and count addresses across octets") {
  Files f;
  f.files["g.json"] = R"({
    "list": [
      "fixed",
      {"name": "s{i:03}", "count": 3, "ip": "{10.0.0.253 + i}", "n": "{i * 2 + 1}", "braces": "{{x}}"},
      {"name": "r{k}", "count": 2, "first": 0, "as": "k",
       "items": [{"id": "{k}.{j}", "count": 2, "as": "j"}]}
    ]
  })";
  Json doc = compose_ok(f, "g.json");
  const Json& l = doc["list"];
  REQUIRE(l.size() == 6);
  CHECK(l[0] == "fixed");
  CHECK(l[1]["name"] == "s001");
  CHECK(l[3]["ip"] == "10.0.1.0");  // 10.0.0.253 + 3 crosses into the next octet
  CHECK(l[2]["n"] == 5);            // a lone expression stays a number
  CHECK(l[1]["braces"] == "{x}");
  CHECK_FALSE(l[1].contains("count"));
  CHECK(l[4]["name"] == "r0");
  CHECK(l[5]["items"][1]["id"] == "1.2");  // the outer variable is visible inside
}

TEST_CASE("count 0 generates nothing") {
  Files f;
  f.files["g.json"] = R"({"list": [{"count": 0, "x": 1}, 2]})";
  CHECK(compose_ok(f, "g.json")["list"] == Json::array({2}));
}

TEST_CASE("an error in a generated element names the template's place and the variable's value") {
  Files f;
  f.files["base.json"] = kBase;
  f.files["bad.json"] = R"({"extends": "base.json", "parameters": {"hosts": 300}})";
  LoadResult r = load_scenario("bad.json", f.options());
  REQUIRE_FALSE(r.ok());
  // 10.0.0.256 is not an address: reported at the base's template, element i=256.
  bool found = false;
  for (const auto& d : r.diagnostics)
    if (d.file == "base.json" && d.pointer == "/nodes/0/interfaces/0/address" &&
        d.message.find("[generated element /nodes/255/interfaces/0/address: i=256]") != std::string::npos)
      found = true;
  CHECK_MESSAGE(found, messages(r.diagnostics));
}

TEST_CASE("an error in what a base file provides points into the base file") {
  Files f;
  f.files["base.json"] = R"({"lans": [{"name": "a"}], "nodes": [{"name": "n", "role": "hots"}]})";
  f.files["child.json"] = R"({"extends": "base.json", "lans": [{"name": "a", "loss": 7}]})";
  LoadResult r = load_scenario("child.json", f.options());
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].str().starts_with("base.json:/nodes/0/role: expected one of"));
  CHECK(r.diagnostics[1].str().starts_with("child.json:/lans/0/loss: expected a number from 0 to 1"));
}

TEST_CASE("a missing key of the whole scenario names the file that was loaded, not its base") {
  Files f;
  f.files["base.json"] = R"({"lans": [{"name": "a"}]})";
  f.files["child.json"] = R"({"extends": "base.json"})";
  LoadResult r = load_scenario("child.json", f.options());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].str() ==
        "child.json: missing \"nodes\" in scenario: the nodes: clients, routers, firewalls, balancers, "
        "servers");
}

TEST_CASE("the loader reads from memory too, for tests and fuzzers") {
  LoadResult r = load_scenario_text("{\"lans\": [", "mem.json");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].line == 1);
  CHECK(r.diagnostics[0].column == 11);
  CHECK(r.diagnostics[0].str().starts_with("mem.json:1:11: JSON syntax error"));
}

TEST_CASE("a value from a parameter is reported where it is used, a structured one inside its definition") {
  Files f;
  f.files["p.json"] = R"({
    "parameters": {"role": "sever", "ifs": [{"name": "eth0", "lan": "a", "adress": "10.0.0.1/24"}]},
    "lans": [{"name": "a"}],
    "nodes": [{"name": "n", "role": "${role}", "interfaces": "${ifs}"}]
  })";
  LoadResult r = load_scenario("p.json", f.options());
  std::vector<std::string> places;
  for (const auto& d : r.diagnostics) places.push_back(d.pointer);
  CHECK(places == std::vector<std::string>{"/nodes/0/role", "/parameters/ifs/0", "/parameters/ifs/0/adress"});
}

TEST_CASE("parameters that multiply each other stop at the expansion budget with one error") {
  Files f;
  std::string params =
      R"("p0": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")";
  for (int k = 1; k < 10; ++k) {
    params += ", \"p" + std::to_string(k) + "\": \"";
    for (int j = 0; j < 10; ++j) params += "${p" + std::to_string(k - 1) + "}";
    params += "\"";
  }
  f.files["boom.json"] = "{\"parameters\": {" + params + "}, \"description\": \"${p9}\"}";
  Diagnostics ds;
  CHECK_FALSE(compose_file("boom.json", f.compose_options(), ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message.find("past 64 MiB") != std::string::npos);
}
