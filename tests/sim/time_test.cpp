#include <doctest/doctest.h>

#include "sim/time.hpp"

using nlb::sim::parse_time;
using nlb::sim::Time;

TEST_CASE("time constructors are exact integer nanoseconds") {
  CHECK(Time::ms(3).nanos() == 3'000'000);
  CHECK(Time::us(5).nanos() == 5'000);
  CHECK(Time::s(2) + Time::ms(500) == Time::ms(2500));
  CHECK(Time::s(1) * 3 == Time::s(3));
  CHECK(Time::s(1) / 256 == Time::ns(3'906'250));
  CHECK(Time::min(1) == Time::s(60));
}

TEST_CASE("time prints as exact seconds") {
  CHECK(Time::ns(3'609'375'000).str() == "3.609375s");
  CHECK(Time::zero().str() == "0s");
  CHECK(Time::ms(-1500).str() == "-1.5s");
  CHECK(Time::ns(1).str() == "0.000000001s");
}

TEST_CASE("time text parses with units and exact fractions") {
  Time t;
  CHECK(parse_time("250ms", t));
  CHECK(t == Time::ms(250));
  CHECK(parse_time("1.5s", t));
  CHECK(t == Time::ms(1500));
  CHECK(parse_time("3.609375s", t));
  CHECK(t == Time::ns(3'609'375'000));
  CHECK(parse_time("2min", t));
  CHECK(t == Time::s(120));
  CHECK(parse_time("42", t));
  CHECK(t == Time::ns(42));
  CHECK(parse_time("1h", t));
  CHECK(t == Time::s(3600));
}

TEST_CASE("malformed time text is refused") {
  Time t;
  CHECK_FALSE(parse_time("", t));
  CHECK_FALSE(parse_time("ms", t));
  CHECK_FALSE(parse_time("1.2.3s", t));
  CHECK_FALSE(parse_time("abc", t));
  CHECK_FALSE(parse_time("1.0000000001s", t));
  CHECK_FALSE(parse_time("99999999999999h", t));
}
