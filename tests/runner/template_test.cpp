// The generator expression language.
#include <doctest/doctest.h>

#include <vector>

#include "runner/template_expr.hpp"

using namespace nlb::runner;

namespace {

Json eval(const char* text, std::int64_t i = 5) {
  std::vector<TemplateVar> vars{{"i", i}};
  TemplateResult r = expand_template(text, vars);
  INFO(r.error);
  REQUIRE(r.error.empty());
  return r.value;
}

std::string error_of(const char* text) {
  std::vector<TemplateVar> vars{{"i", 5}};
  return expand_template(text, vars).error;
}

}  // namespace

TEST_CASE("integer arithmetic follows precedence and parentheses") {
  CHECK(eval("{i}") == 5);
  CHECK(eval("{1 + i * 2}") == 11);
  CHECK(eval("{(1 + i) * 2}") == 12);
  CHECK(eval("{i / 2}") == 2);
  CHECK(eval("{i % 3}") == 2);
  CHECK(eval("{-i + 1}") == -4);
  CHECK(eval("{i - 10}") == -5);
}

TEST_CASE("text around expressions makes a string, with zero padding on request") {
  CHECK(eval("srv{i}") == "srv5");
  CHECK(eval("srv{i:03}") == "srv005");
  CHECK(eval("{i:02}") == "05");  // padded: text, not a number
  CHECK(eval("a{i}b{i+1}") == "a5b6");
  CHECK(eval("{{literal}} {i}") == "{literal} 5");
}

TEST_CASE("dotted quads are addresses that add and subtract across octets") {
  CHECK(eval("{10.0.2.250 + i}") == "10.0.2.255");
  CHECK(eval("{10.0.2.250 + i + 1}") == "10.0.3.0");
  CHECK(eval("{10.0.3.0 - i}/24") == "10.0.2.251/24");
  CHECK(eval("{10.0.3.0 - 10.0.2.0}") == 256);
}

TEST_CASE("bad expressions say what is wrong") {
  CHECK(error_of("{i +}").find("ends too early") != std::string::npos);
  CHECK(error_of("{j}").find("unknown variable \"j\"") != std::string::npos);
  CHECK(error_of("{i / 0}").find("division by zero") != std::string::npos);
  CHECK(error_of("{255.255.255.255 + 1}").find("address out of range") != std::string::npos);
  CHECK(error_of("{10.0.0.1 * 2}").find("addresses only add and subtract") != std::string::npos);
  CHECK(error_of("{1.2.3}").find("neither a number nor") != std::string::npos);
  CHECK(error_of("{i").find("unclosed") != std::string::npos);
  CHECK(error_of("i}").find("unmatched") != std::string::npos);
  CHECK(error_of("{i:x}").find("bad format") != std::string::npos);
  CHECK(error_of("{99999999999999999999}").find("too large") != std::string::npos);
  CHECK(error_of("{(i}").find("missing ')'") != std::string::npos);
}
