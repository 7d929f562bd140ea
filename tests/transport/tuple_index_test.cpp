#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "models/transport/tuple_index.hpp"
#include "sim/rng.hpp"

using namespace nlb::transport;
using nlb::wire::Ipv4;

namespace {
FourTuple tuple_for(std::uint32_t k) {
  // Few distinct addresses and ports, so that hashes collide in small tables and runs form.
  return {{Ipv4(0x0a000000u | (k % 7)), static_cast<std::uint16_t>(32768 + k / 7)}, {Ipv4(0x0a000101u), 80}};
}
}  // namespace

TEST_CASE("the tuple index finds what it holds and forgets what it erased, across growth and runs") {
  TupleIndex index;
  std::vector<FourTuple> by_slot;            // slot -> tuple, as the stack's slots
  std::map<FourTuple, std::uint32_t> model;  // what the index should say
  auto tuple_of = [&](std::uint32_t slot) -> const FourTuple& { return by_slot[slot]; };
  nlb::sim::RngStream rng(7, "tuple-index-test");
  for (int step = 0; step < 20000; ++step) {
    const auto k = static_cast<std::uint32_t>(rng.next_u64() % 3000);
    const FourTuple t = tuple_for(k);
    auto it = model.find(t);
    if (it == model.end()) {
      const auto slot = static_cast<std::uint32_t>(by_slot.size());
      by_slot.push_back(t);
      index.insert(t, slot);
      model.emplace(t, slot);
    } else if (rng.next_u64() % 2 == 0) {
      index.erase(t, it->second);
      model.erase(it);
    }
    if (step % 997 == 0) {
      // Every tuple ever used is found exactly when the model holds it.
      for (std::uint32_t j = 0; j < 3000; ++j) {
        const FourTuple u = tuple_for(j);
        auto m = model.find(u);
        CHECK(index.find(u, tuple_of) == (m == model.end() ? TupleIndex::kNone : m->second));
      }
      CHECK(index.size() == model.size());
    }
  }
  CHECK(index.find(tuple_for(5000), tuple_of) == TupleIndex::kNone);
}
