// Bad input through the real executable (issue #7): a table of broken scenarios and command
// lines, each run as `nlbsim validate` and `nlbsim run --out DIR` in a process of its own. Each
// must exit 2, name the exact place (FILE:POINTER, FILE:LINE:COLUMN or the option), print the
// same errors from both commands, write nothing, and leave an earlier run's outputs whole.
//
// tests/runner/bad_cases.hpp holds ~90 loader-level cases (also run through validate, graph and
// addresses by cli_test.cpp); the cases here are others: whole-file and file-system trouble,
// mistakes inside extended or included files, JSON that is not quite JSON, numbers and times
// out of range, and command-line options.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);
const fs::path kExe = fs::path(NLBSIM_BINARY_DIR) / "cli" / "nlbsim";
// Under the build tree, not /tmp: other checkouts on the machine run this test too.
const fs::path kScratch = fs::path(NLBSIM_BINARY_DIR) / "test-cli-scratch";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

struct Exit {
  int code = -1;
  std::string out, err;
};

// Runs the executable with stdin from /dev/null and its outputs in files beside `logs`.
Exit run_nlbsim(const std::vector<std::string>& args, const fs::path& logs) {
  std::vector<std::string> all = {kExe.string()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = (logs / "stdout").string(), err = (logs / "stderr").string();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  Exit e;
  if (rc != 0) return e;
  int status = 0;
  waitpid(pid, &status, 0);
  e.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  e.out = read(out);
  e.err = read(err);
  return e;
}

// Every path below `d`, relative, with each regular file's content: what a run must not change.
std::map<std::string, std::string> snapshot(const fs::path& d) {
  std::map<std::string, std::string> m;
  for (auto it = fs::recursive_directory_iterator(d); it != fs::recursive_directory_iterator(); ++it) {
    std::error_code ec;
    const bool regular = fs::is_regular_file(it->symlink_status(ec)) && access(it->path().c_str(), R_OK) == 0;
    std::string& v = m[fs::relative(it->path(), d).string()];
    if (!regular)
      v = "<not a readable file>";
    else if (auto size = fs::file_size(it->path()); size > (1u << 20))
      v = "<" + std::to_string(size) + " bytes>";  // the sparse 64 MiB case: not read
    else
      v = read(it->path());
  }
  return m;
}

// ---- building the broken files ---------------------------------------------------------------

Json minimal() { return Json::parse(read(kSource / "tests/runner/good/minimal.json")); }

// tests/runner/good/minimal.json (a valid scenario) with one change.
std::string minimal_with(const std::function<void(Json&)>& change) {
  Json j = minimal();
  change(j);
  return j.dump(2);
}

using Files = std::vector<std::pair<std::string, std::string>>;

// A chain main.json -> c1.json -> ... -> cN.json -> minimal, `n` files long.
Files extends_chain(int n) {
  Files f = {{"main.json", R"({"extends": "c1.json"})"}};
  for (int i = 1; i < n; ++i)
    f.emplace_back("c" + std::to_string(i) + ".json",
                   R"({"extends": "c)" + std::to_string(i + 1) + R"(.json"})");
  f.emplace_back("c" + std::to_string(n) + ".json", minimal().dump());
  return f;
}

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

struct Case {
  std::string what;
  Files files;        // written into the case's directory; the scenario is always main.json
  std::string where;  // "FILE:POINTER", "FILE:LINE:COLUMN", "FILE" (files relative to it), or an option
  std::string fragment;
  std::vector<std::string> args = {};               // more arguments of `nlbsim run`
  std::function<void(const fs::path&)> setup = {};  // what files cannot say: directories, links, fifos
};

// The table. `where` is where a person must look; `fragment` is part of what they read there.
std::vector<Case> cases() {
  const std::string good = minimal().dump(2);
  std::vector<Case> c = {
      // ---- the file itself ----------------------------------------------------------------
      {"the scenario is a directory",
       {},
       "main.json",
       "cannot read",
       {},
       [](const fs::path& d) { fs::create_directory(d / "main.json"); }},
      {"the scenario is a dangling symbolic link",
       {},
       "main.json",
       "cannot read",
       {},
       [](const fs::path& d) { fs::create_symlink(d / "gone.json", d / "main.json"); }},
      {"the scenario is a FIFO (reading it would block)",
       {},
       "main.json",
       "cannot read",
       {},
       [](const fs::path& d) { mkfifo((d / "main.json").c_str(), 0644); }},
      {"the scenario is larger than 64 MiB",
       {},
       "main.json",
       "larger than 64 MiB",
       {},
       [](const fs::path& d) {
         write(d / "main.json", "{}");
         fs::resize_file(d / "main.json", (std::uintmax_t{64} << 20) + 1);  // sparse: nothing is written
       }},
      {"an extended file is a directory",
       {{"main.json", R"({"extends": "base.json"})"}},
       "main.json:/extends",
       "cannot read",
       {},
       [](const fs::path& d) { fs::create_directory(d / "base.json"); }},
      {"an included file is missing",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"][0] = {{"include", "lan.json"}};
         })}},
       "main.json:/lans/0/include",
       "cannot read"},
      {"an included file is empty",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"][0] = {{"include", "lan.json"}};
         })},
        {"lan.json", ""}},
       "lan.json",
       "empty file"},
      {"a UTF-16 file with its byte order mark",
       {{"main.json",
         [] {
           std::string s = "\xff\xfe";
           for (char ch : std::string(R"({"duration": "30s"})")) s += std::string{ch, '\0'};
           return s;
         }()}},
       "main.json",
       "binary data"},
      {"a UTF-8 byte order mark, then a syntax error (columns count from after the mark)",
       {{"main.json", "\xef\xbb\xbf{\"duration\": 30s}"}},
       "main.json:1:16",
       "JSON syntax error"},
      {"a PNG image as the extended base",
       {{"main.json", R"({"extends": "base.json"})"},
        {"base.json", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)}},
       "base.json",
       "binary data"},
      {"Latin-1 text in a description",
       {{"main.json", "{\n  \"description\": \"caf\xe9\",\n  \"lans\": []\n}"}},
       "main.json:2:22",
       "invalid UTF-8"},
      {"NaN for a number", {{"main.json", "{\n  \"seed\": NaN\n}"}}, "main.json:2:11", "JSON syntax error"},
      {"Infinity for a probability",
       {{"main.json", "{\"lans\": [{\"name\": \"a\", \"subnet\": \"10.0.0.0/24\", \"loss\": Infinity}]}"}},
       "main.json:1:58",
       "JSON syntax error"},
      {"-Infinity for a time",
       {{"main.json", "{\"duration\": -Infinity}"}},
       "main.json:1:15",
       "JSON syntax error"},
      {"a tab inside a string",
       {{"main.json", "{\"description\": \"a\tb\"}"}},
       "main.json:1:19",
       "control character"},
      {"an unknown escape in a string",
       {{"main.json", R"({"description": "C:\data"})"}},
       "main.json:1:21",
       "JSON syntax error"},
      {"a lone UTF-16 surrogate escape",
       {{"main.json", R"({"description": "\ud800"})"}},
       "main.json:1:24",
       "surrogate"},
      {"text after the object",
       {{"main.json", good + "\n{}\n"}},
       "main.json:" + std::to_string(1 + std::count(good.begin(), good.end(), '\n') + 1) + ":1",
       "JSON syntax error"},
      {"single quotes", {{"main.json", "{'duration': '30s'}"}}, "main.json:1:2", "JSON syntax error"},
      {"a comment",
       {{"main.json", "{\n  // the run\n  \"duration\": \"30s\"\n}"}},
       "main.json:2:3",
       "JSON syntax error"},
      {"a top-level key given twice",
       {{"main.json", "{\"duration\": \"30s\", \"seed\": 1, \"duration\": \"60s\"}"}},
       "main.json:/duration",
       "duplicate key \"duration\""},
      {"a key given twice in an included file",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"][0] = {{"include", "lan.json"}};
         })},
        {"lan.json", R"({"name": "internet", "subnet": "198.51.100.0/24", "name": "x"})"}},
       "lan.json:/name",
       "duplicate key \"name\""},
      {"nesting 70 levels deep in an included file",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"][0] = {{"include", "lan.json"}};
         })},
        {"lan.json",
         R"({"name": "internet", "subnet": "198.51.100.0/24", "description": )" + nested_arrays(70) + "}"}},
       "lan.json:/description" +
           [] {
             std::string p;
             for (int i = 0; i < 63; ++i) p += "/0";
             return p;
           }(),
       "nested more than 64"},
      {"nesting 100000 levels deep (no stack overflow)",
       {{"main.json", nested_arrays(100000)}},
       "main.json:" +
           [] {
             std::string p;
             for (int i = 0; i < 64; ++i) p += "/0";
             return p;
           }(),
       "nested more than 64"},
      {"a number no double holds, in an extended file",
       {{"main.json", R"({"extends": "base.json"})"}, {"base.json", R"({"seed": 1e400})"}},
       "base.json",
       "number overflow"},

      // ---- extends and include ------------------------------------------------------------
      {"a file that extends itself",
       {{"main.json", R"({"extends": "main.json"})"}},
       "main.json:/extends",
       "include cycle: main.json -> main.json"},
      {"an extends cycle through three files",
       {{"main.json", R"({"extends": "a.json"})"},
        {"a.json", R"({"extends": "b.json"})"},
        {"b.json", R"({"extends": "main.json"})"}},
       "b.json:/extends",
       "include cycle: main.json -> a.json -> b.json -> main.json"},
      {"an included file that includes itself",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"][0] = {{"include", "lan.json"}};
         })},
        {"lan.json", R"({"include": "lan.json", "name": "internet"})"}},
       "lan.json:/include",
       "include cycle: lan.json -> lan.json"},
      {"extends 40 files deep", extends_chain(40), "c31.json:/extends", "more than 32 files deep"},
      {"include names a number, not a file",
       {{"main.json", minimal_with([](Json& j) { j["lans"][0]["include"] = 7; })}},
       "main.json:/lans/0/include",
       "expected a file name"},
      {"an extended file holds an array, not an object",
       {{"main.json", R"({"extends": "base.json"})"}, {"base.json", "[1, 2]"}},
       "main.json:/extends",
       "\"base.json\" holds an array"},
      {"a parameter puts text where a number goes",
       {{"main.json", minimal_with([](Json& j) {
           j["parameters"] = {{"q", "big"}};
           j["lans"][0]["queue"] = "${q}";
         })}},
       "main.json:/lans/0/queue",
       "expected a whole number"},
      {"a mistake in an included LAN is reported in that file",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"][0] = {{"include", "lan.json"}};
         })},
        {"lan.json", R"({"name": "internet", "subnet": "198.51.100.0/24", "bandwith": "1Gbit/s"})"}},
       "lan.json:/bandwith",
       "did you mean \"bandwidth\""},

      // ---- keys and types -----------------------------------------------------------------
      {"a LAN key misspelt",
       {{"main.json", minimal_with([](Json& j) { j["lans"][1]["subnett"] = j["lans"][1]["subnet"]; })}},
       "main.json:/lans/1/subnett",
       "did you mean \"subnet\""},
      {"a VRRP member key misspelt",
       {{"main.json", minimal_with([](Json& j) { j["vrrp_groups"][0]["members"][1]["prority"] = 100; })}},
       "main.json:/vrrp_groups/0/members/1/prority",
       "did you mean \"priority\""},
      {"a timeline key misspelt",
       {{"main.json", minimal_with([](Json& j) {
           j["timeline"][0].erase("node");
           j["timeline"][0]["nod"] = "lb1";
         })}},
       "main.json:/timeline/0/nod",
       "did you mean \"node\""},
      {"a traffic key misspelt",
       {{"main.json", minimal_with([](Json& j) { j["traffic"][0]["clints"] = {"client"}; })}},
       "main.json:/traffic/0/clints",
       "did you mean \"clients\""},
      {"a fault action misspelt",
       {{"main.json", minimal_with([](Json& j) { j["timeline"][0]["action"] = "crsh"; })}},
       "main.json:/timeline/0/action",
       "did you mean \"crash\""},
      {"an expectation measure misspelt",
       {{"main.json", minimal_with([](Json& j) { j["expectations"][0]["measure"] = "eror_rate"; })}},
       "main.json:/expectations/0/measure",
       "did you mean \"error_rate\""},
      {"lans is an object",
       {{"main.json", minimal_with([](Json& j) { j["lans"] = Json::object(); })}},
       "main.json:/lans",
       "expected an array"},
      {"a VRID given as text",
       {{"main.json", minimal_with([](Json& j) { j["vrrp_groups"][0]["vrid"] = "3"; })}},
       "main.json:/vrrp_groups/0/vrid",
       "expected a whole number"},
      {"a node name given as a number",
       {{"main.json", minimal_with([](Json& j) { j["nodes"][0]["name"] = 1; })}},
       "main.json:/nodes/0/name",
       "expected a name"},
      {"traffic clients given as one string",
       {{"main.json", minimal_with([](Json& j) { j["traffic"][0]["clients"] = "client"; })}},
       "main.json:/traffic/0/clients",
       "expected an array"},
      {"an expectation bound given as true",
       {{"main.json", minimal_with([](Json& j) { j["expectations"][0]["max"] = true; })}},
       "main.json:/expectations/0/max",
       "expected a number"},
      {"a seed with a fraction",
       {{"main.json", minimal_with([](Json& j) { j["seed"] = 1.5; })}},
       "main.json:/seed",
       "expected a whole number"},
      {"an empty node name",
       {{"main.json", minimal_with([](Json& j) { j["nodes"][0]["name"] = ""; })}},
       "main.json:/nodes/0/name",
       "expected a name"},

      // ---- numbers and times out of range -------------------------------------------------
      {"a VRID of 256",
       {{"main.json", minimal_with([](Json& j) { j["vrrp_groups"][0]["vrid"] = 256; })}},
       "main.json:/vrrp_groups/0/vrid",
       "from 1 to 255"},
      {"a queue of 10^18 frames",
       {{"main.json", minimal_with([](Json& j) { j["lans"][0]["queue"] = 1e18; })}},
       "main.json:/lans/0/queue",
       "from 0 to 1000000"},
      {"a priority of 10^9",
       {{"main.json",
         minimal_with([](Json& j) { j["vrrp_groups"][0]["members"][0]["priority"] = 1000000000; })}},
       "main.json:/vrrp_groups/0/members/0/priority",
       "from 1 to 255"},
      {"a port of 70000",
       {{"main.json", minimal_with([](Json& j) { j["traffic"][0]["target"] = "203.0.113.10:70000"; })}},
       "main.json:/traffic/0/target",
       "address:port"},
      {"a duration of 10^20 seconds",
       {{"main.json", minimal_with([](Json& j) { j["duration"] = "100000000000000000000s"; })}},
       "main.json:/duration",
       "at most 8760h"},
      {"a fault at a negative time",
       {{"main.json", minimal_with([](Json& j) { j["timeline"][0]["at"] = "-5s"; })}},
       "main.json:/timeline/0/at",
       "cannot be negative"},
      {"traffic starting at a negative time",
       {{"main.json", minimal_with([](Json& j) { j["traffic"][0]["start"] = "-1s"; })}},
       "main.json:/traffic/0/start",
       "cannot be negative"},
      {"a negative heartbeat interval",
       {{"main.json", minimal_with([](Json& j) {
           j["balancer_pairs"][0]["heartbeat"] = {{"interval", "-1ms"}};
         })}},
       "main.json:/balancer_pairs/0/heartbeat/interval",
       "cannot be negative"},
      {"a negative link delay",
       {{"main.json", minimal_with([](Json& j) {
           j["nodes"][0]["interfaces"][0]["port"] = {{"delay", "-20ms"}};
         })}},
       "main.json:/nodes/0/interfaces/0/port/delay",
       "cannot be negative"},

      // ---- the scenario's own rules (issue #5's list) -------------------------------------
      {"an address outside its LAN's subnet",
       {{"main.json",
         minimal_with([](Json& j) { j["nodes"][2]["interfaces"][2]["address"] = "10.0.3.3/24"; })}},
       "main.json:/nodes/2/interfaces/2/address",
       "outside LAN servers"},
      {"a firewall with a server's address",
       {{"main.json",
         minimal_with([](Json& j) { j["nodes"][1]["interfaces"][2]["address"] = "10.0.2.11/24"; })}},
       "main.json:/nodes/5/interfaces/0/address",
       "already configured on fw1/eth2"},
      {"one MAC on two interfaces of one node",
       {{"main.json", minimal_with([](Json& j) {
           j["nodes"][1]["interfaces"][0]["mac"] = "02:00:00:00:aa:01";
           j["nodes"][1]["interfaces"][1]["mac"] = "02:00:00:00:aa:01";
         })}},
       "main.json:/nodes/1/interfaces/1/mac",
       "already the MAC of /nodes/1/interfaces/0"},
      {"a next hop that the named interface does not reach",
       {{"main.json", minimal_with([](Json& j) {
           j["nodes"][1]["routes"][0] = {
               {"to", "203.0.113.10"}, {"via", "192.168.10.10"}, {"interface", "eth0"}};
         })}},
       "main.json:/nodes/1/routes/0/via",
       "not on a subnet directly connected to fw1"},
      {"a LAN that only an included file declares, with nobody on it",
       {{"main.json", minimal_with([](Json& j) {
           j["lans"].push_back({{"include", "spare.json"}});
         })},
        {"spare.json", R"({"name": "spare", "subnet": "10.9.0.0/24"})"}},
       "spare.json",
       "no interface attaches to LAN spare"},
      {"a link fault aimed at a missing node",
       {{"main.json", minimal_with([](Json& j) {
           j["timeline"][0] = {{"name", "cut"},
                               {"at", "10s"},
                               {"action", "link-down"},
                               {"node", "fw3"},
                               {"interface", "eth0"}};
         })}},
       "main.json:/timeline/0/node",
       "no node named \"fw3\""},
      {"a fault aimed at a missing LAN",
       {{"main.json", minimal_with([](Json& j) {
           j["timeline"][0] = {{"name", "lossy"},
                               {"at", "10s"},
                               {"action", "set-loss"},
                               {"lan", "dmz"},
                               {"probability", 0.1}};
         })}},
       "main.json:/timeline/0/lan",
       "no LAN named \"dmz\""},
      {"a VRRP group on a missing LAN",
       {{"main.json", minimal_with([](Json& j) { j["vrrp_groups"][0]["lan"] = "internett"; })}},
       "main.json:/vrrp_groups/0/lan",
       "did you mean \"internet\""},
      {"a balancer pair whose backup is its primary",
       {{"main.json", minimal_with([](Json& j) { j["balancer_pairs"][0]["backup"] = "lb1"; })}},
       "main.json:/balancer_pairs/0/backup",
       "another node than the primary"},

      // ---- the command line ---------------------------------------------------------------
      {"--until a negative time",
       {{"main.json", good}},
       "--until -5s",
       "expected a positive time",
       {"--until", "-5s"}},
      {"--until zero", {{"main.json", good}}, "--until 0s", "expected a positive time", {"--until", "0s"}},
      {"--until beyond what a time holds",
       {{"main.json", good}},
       "--until 10000000000000h",
       "expected a positive time",
       {"--until", "10000000000000h"}},
      {"--seed negative",
       {{"main.json", good}},
       "--seed",
       "expected a whole number from 0 to",
       {"--seed", "-1"}},
      {"--seed beyond 64 bits",
       {{"main.json", good}},
       "--seed",
       "not 18446744073709551616",
       {"--seed", "18446744073709551616"}},
      {"--set without a name", {{"main.json", good}}, "--set =5", "expected NAME=VALUE", {"--set", "=5"}},
  };
  return c;
}

bool names_the_place(const std::string& err, const std::string& prefix, const std::string& fragment) {
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(prefix) && line.find(fragment) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("every broken scenario or option exits 2 from the executable, names the place and writes nothing") {
  REQUIRE_MESSAGE(fs::exists(kExe), "build the nlbsim target first");
  const fs::path root = kScratch / "bad-input";
  fs::remove_all(root);
  const auto table = cases();
  REQUIRE(table.size() >= 50);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Case& c = table[i];
    CAPTURE(c.what);
    const fs::path dir = root / std::to_string(i), logs = root / (std::to_string(i) + "-logs");
    fs::create_directories(dir);
    fs::create_directories(logs);
    for (const auto& [name, text] : c.files) write(dir / name, text);
    if (c.setup) c.setup(dir);
    // An earlier run's outputs, which a failed run must leave as they are.
    fs::create_directories(dir / "earlier");
    write(dir / "earlier" / "report.json", "{\"ok\": true}\n");
    write(dir / "earlier" / "notes.txt", "kept\n");
    const auto before = snapshot(dir);

    const std::string scenario = (dir / "main.json").string();
    const bool option_case = c.where.starts_with("--");
    const std::string prefix = option_case ? c.where : (dir / c.where).string() + ":";

    std::vector<std::string> fresh = {"run", scenario, "--out", (dir / "out").string()};
    fresh.insert(fresh.end(), c.args.begin(), c.args.end());
    Exit r = run_nlbsim(fresh, logs);
    INFO("run's stderr:\n" << r.err);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_MESSAGE(names_the_place(r.err, prefix, c.fragment),
                  "expected a line starting with " << prefix << " containing \"" << c.fragment << "\"");

    std::vector<std::string> again = {"run", scenario, "--out", (dir / "earlier").string()};
    again.insert(again.end(), c.args.begin(), c.args.end());
    Exit e = run_nlbsim(again, logs);
    CHECK(e.code == 2);
    CHECK(e.err == r.err);  // the same errors, whatever --out says

    if (!option_case) {  // validate takes no --until or --seed
      Exit v = run_nlbsim({"validate", scenario}, logs);
      CHECK(v.code == 2);
      CHECK(v.out.empty());
      CHECK(v.err == r.err);
    }
    // Nothing written, nothing removed: no out/, no temporary, the earlier outputs whole.
    CHECK(snapshot(dir) == before);
  }
  fs::remove_all(root);
}

TEST_CASE("an unreadable scenario exits 2 and names the file (when not running as root)") {
  if (geteuid() == 0) {
    MESSAGE("skipped: root reads a file whatever its mode");
    return;
  }
  const fs::path dir = kScratch / "bad-input-unreadable";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write(dir / "main.json", minimal().dump());
  fs::permissions(dir / "main.json", fs::perms::none);
  Exit r = run_nlbsim({"run", (dir / "main.json").string(), "--out", (dir / "out").string()}, dir);
  CHECK(r.code == 2);
  CHECK(names_the_place(r.err, (dir / "main.json").string() + ":", "cannot read"));
  CHECK_FALSE(fs::exists(dir / "out"));
  fs::permissions(dir / "main.json", fs::perms::owner_all);
  fs::remove_all(dir);
}

TEST_CASE("--seed takes a decimal whole number up to 2^64-1 in run and compare, and nothing else") {
  const fs::path dir = kScratch / "bad-input-seed";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string scenario = (kSource / "tests/runner/good/minimal.json").string();
  Exit top = run_nlbsim({"run", scenario, "--out", (dir / "out").string(), "--until", "100ms", "--seed",
                         "18446744073709551615"},
                        dir);
  CHECK(top.code != 2);
  CHECK(Json::parse(read(dir / "out" / "report.json"))["seed"] == 18446744073709551615ull);
  for (const char* bad : {"-1", "18446744073709551616", "0x10", "", " 5"}) {
    CAPTURE(bad);
    Exit c = run_nlbsim({"compare", scenario, scenario, "--until", "100ms", "--seed", bad}, dir);
    CHECK(c.code == 2);
    CHECK(c.err.starts_with("--seed: expected a whole number"));
  }
  fs::remove_all(dir);
}
