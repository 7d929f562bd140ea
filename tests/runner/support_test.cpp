// Small pieces of the loader: diagnostics text, suggestions, time and bandwidth text, atomic files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "runner/atomic_file.hpp"
#include "runner/diagnostics.hpp"
#include "runner/text.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;
using nlb::sim::Time;

TEST_CASE("a diagnostic prints as FILE:POINTER: message, FILE:LINE:COLUMN: message or FILE: message") {
  CHECK(Diagnostic{Severity::Error, "a.json", "/nodes/3/role", "bad"}.str() == "a.json:/nodes/3/role: bad");
  Diagnostic syntax{Severity::Error, "a.json", "", "syntax"};
  syntax.line = 3;
  syntax.column = 7;
  CHECK(syntax.str() == "a.json:3:7: syntax");
  CHECK(Diagnostic{Severity::Error, "a.json", "", "empty"}.str() == "a.json: empty");
  CHECK(Diagnostic{Severity::Warning, "a.json", "/lans/0", "lonely"}.str() ==
        "a.json:/lans/0: warning: lonely");
}

TEST_CASE("suggestions come only for close words") {
  std::vector<std::string> keys{"address", "aliases", "lan", "name", "mac", "port"};
  CHECK(did_you_mean("adress", keys) == " (did you mean \"address\"?)");
  CHECK(did_you_mean("lna", keys) == " (did you mean \"lan\"?)");
  CHECK(did_you_mean("colour", keys).empty());
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("JSON pointer tokens escape ~ and /") {
  CHECK(pointer_join("/a", "b/c~d") == "/a/b~1c~0d");
  CHECK(pointer_join("", std::size_t{3}) == "/3");
  CHECK(pointer_parent("/a/b/c") == "/a/b");
  CHECK(pointer_parent("/a") == "");
}

TEST_CASE("times print in the largest unit that divides them") {
  CHECK(format_time(Time::zero()) == "0s");
  CHECK(format_time(Time::us(1)) == "1us");
  CHECK(format_time(Time::ms(500)) == "500ms");
  CHECK(format_time(Time::ms(1500)) == "1500ms");
  CHECK(format_time(Time::s(300)) == "300s");
  CHECK(format_time(Time::s(4 * 3600)) == "4h");
  CHECK(format_time(Time::ns(1234567)) == "1234567ns");
}

TEST_CASE("bandwidths parse in SI units and print back") {
  CHECK(parse_bandwidth("1Gbps") == 1'000'000'000u);
  CHECK(parse_bandwidth("1.5Gbps") == 1'500'000'000u);
  CHECK(parse_bandwidth("100Mbps") == 100'000'000u);
  CHECK(parse_bandwidth("64kbps") == 64'000u);
  CHECK(parse_bandwidth("0bps") == 0u);
  CHECK_FALSE(parse_bandwidth("1 Gbps"));
  CHECK_FALSE(parse_bandwidth("1Gb"));
  CHECK_FALSE(parse_bandwidth("Gbps"));
  CHECK_FALSE(parse_bandwidth("0.5bps"));
  CHECK_FALSE(parse_bandwidth("99999999999999999999Tbps"));
  CHECK(format_bandwidth(1'000'000'000) == "1Gbps");
  CHECK(format_bandwidth(1'500'000'000) == "1500Mbps");
  CHECK(format_bandwidth(0) == "0bps");
}

TEST_CASE("glob patterns match names with '*'") {
  CHECK(glob_match("client*", "client12"));
  CHECK(glob_match("*", "x"));
  CHECK(glob_match("a*b*c", "aXXbYc"));
  CHECK_FALSE(glob_match("client*", "server1"));
  CHECK_FALSE(glob_match("a*b", "ab-"));
}

TEST_CASE("an atomic file appears whole on commit and not at all otherwise") {
  fs::path dir = fs::temp_directory_path() / "nlbsim-atomic-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path target = dir / "out.txt";
  {
    AtomicFile f(target);
    REQUIRE(f.ok());
    f.write("half");
    CHECK_FALSE(fs::exists(target));  // nothing until commit
    CHECK(fs::exists(f.temp_path()));
  }  // abandoned: the temporary goes away
  CHECK_FALSE(fs::exists(target));
  CHECK(fs::is_empty(dir));

  CHECK(write_file_atomically(target, "whole\n").empty());
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  CHECK(line == "whole");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);

  CHECK(write_file_atomically(dir / "missing-dir" / "x.txt", "x").find("cannot write") == 0);
  CHECK(write_file_atomically(dir, "x").find("is a directory") != std::string::npos);
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  fs::remove_all(dir);
}
