#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>

#include "sim/callback.hpp"

using nlb::sim::Callback;

TEST_CASE("a callback of plain captures runs the same after being moved twice") {
  int hits = 0;
  int* target = &hits;
  Callback a = [target, add = 3] { *target += add; };
  Callback b = std::move(a);
  Callback c;
  c = std::move(b);
  CHECK_FALSE(a);
  CHECK_FALSE(b);
  REQUIRE(c);
  c();
  c();
  CHECK(hits == 6);
}

TEST_CASE("a callback owning a resource moves it and releases it exactly once") {
  auto owned = std::make_shared<std::string>("frame");
  std::weak_ptr<std::string> watch = owned;
  std::string seen;
  {
    Callback a = [p = std::move(owned), &seen] { seen = *p; };
    Callback b = std::move(a);
    CHECK(watch.use_count() == 1);
    b();
    CHECK(seen == "frame");
    CHECK_FALSE(watch.expired());
  }
  CHECK(watch.expired());
}

TEST_CASE("assigning over a callback destroys what it held") {
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  Callback a = [p = std::move(owned)] { (void)p; };
  a = Callback([] {});
  CHECK(watch.expired());
  a.reset();
  CHECK_FALSE(a);
}
