#pragma once
// A TcpStack's index from 4-tuple to connection slot: open addressing with linear probing over
// 8-byte entries (the slot and 32 bits of the tuple's hash), at most half full. It stores no
// tuple: a probe whose hash bits match asks the caller for the slot's tuple. At a million
// connections this is ~16-32 bytes per connection where std::unordered_map took ~60 (a node
// with its malloc header, and a bucket). Lookup only, never iterated, so no order can leak
// into a run.

#include <cstdint>
#include <vector>

#include "models/transport/endpoint.hpp"

namespace nlb::transport {

class TupleIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  // The slot holding `t`, or kNone. tuple_of(slot) gives the tuple of an indexed slot.
  template <typename TupleOf>
  std::uint32_t find(const FourTuple& t, TupleOf&& tuple_of) const {
    if (entries_.empty()) return kNone;
    const std::uint32_t h = hash(t);
    for (std::size_t i = h & mask(); entries_[i].slot != kNone; i = (i + 1) & mask()) {
      if (entries_[i].hash == h && tuple_of(entries_[i].slot) == t) return entries_[i].slot;
    }
    return kNone;
  }
  // Indexes `slot` under `t`, which must not be indexed yet.
  void insert(const FourTuple& t, std::uint32_t slot);
  // Removes the entry for `t` (held by `slot`); nothing if it is not there.
  void erase(const FourTuple& t, std::uint32_t slot);
  std::size_t size() const { return size_; }

 private:
  struct Entry {
    std::uint32_t slot = kNone;
    std::uint32_t hash = 0;
  };
  static std::uint32_t hash(const FourTuple& t) { return static_cast<std::uint32_t>(FourTupleHash{}(t)); }
  std::size_t mask() const { return entries_.size() - 1; }
  void place(Entry e);
  void grow();

  std::vector<Entry> entries_;  // a power of two long, or empty
  std::size_t size_ = 0;
};

}  // namespace nlb::transport
