#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/chunked.hpp"

using nlb::sim::ChunkedVector;
using nlb::sim::SlotPool;

TEST_CASE("a chunked vector keeps its elements' addresses while it grows past many chunks") {
  ChunkedVector<int, 4> v;
  std::vector<int*> where;
  for (int i = 0; i < 37; ++i) {
    v.emplace_back() = i * 10;
    where.push_back(&v[static_cast<std::size_t>(i)]);
  }
  CHECK(v.size() == 37);
  for (int i = 0; i < 37; ++i) {
    CHECK(&v[static_cast<std::size_t>(i)] == where[static_cast<std::size_t>(i)]);
    CHECK(v[static_cast<std::size_t>(i)] == i * 10);
  }
}

TEST_CASE("a slot pool reuses the last freed slot first and appends only when none is free") {
  SlotPool<std::string, 2> pool;
  CHECK(pool.emplace("a") == 0);
  CHECK(pool.emplace("b") == 1);
  CHECK(pool.emplace("c") == 2);
  pool.erase(0);
  pool.erase(2);
  CHECK_FALSE(pool.live(0));
  CHECK(pool.live(1));
  CHECK_FALSE(pool.live(2));
  CHECK_FALSE(pool.live(3));  // never used
  CHECK(pool.size() == 1);
  CHECK(pool.emplace("d") == 2);
  CHECK(pool.emplace("e") == 0);
  CHECK(pool.emplace("f") == 3);
  CHECK(pool.end() == 4);
  CHECK(pool[0] == "e");
  CHECK(pool[1] == "b");
  CHECK(pool[2] == "d");
  CHECK(pool[3] == "f");
}

TEST_CASE("a slot pool destroys what it erases and, when it goes, what still lives") {
  auto owned = std::make_shared<int>(7);
  {
    SlotPool<std::shared_ptr<int>, 4> pool;
    std::uint32_t a = pool.emplace(owned);
    pool.emplace(owned);
    pool.emplace(owned);
    CHECK(owned.use_count() == 4);
    pool.erase(a);
    CHECK(owned.use_count() == 3);
  }
  CHECK(owned.use_count() == 1);
}

TEST_CASE("an object in a slot pool stays where it is while the pool grows") {
  SlotPool<int, 3> pool;
  const std::uint32_t first = pool.emplace(42);
  int* at = &pool[first];
  for (int i = 0; i < 100; ++i) pool.emplace(i);
  CHECK(&pool[first] == at);
  CHECK(*at == 42);
}
