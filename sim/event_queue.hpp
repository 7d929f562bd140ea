#pragma once
// The future event set: a 4-ary min-heap of 16-byte keys ordered by (time, sequence), over a
// pool of event records that are reused. Ties break by insertion order, never by address,
// so a run repeats exactly (DESIGN.md, "Determinism").
//
// Why 4-ary: half the depth of a binary heap, and the four children of a node are 64 bytes
// together, so a pop touches fewer lines. Why positions are tracked: a cancel removes its entry
// at once, so timers that are re-armed on every packet (TCP's RTO, ARP's reachable timer)
// never leave dead entries behind to bloat the heap.
//
// Why one 128-bit key per entry: [time : 64][sequence : 32][slot : 32] compares as one
// unsigned integer (two machine compares, no branches), and the slot rides along in the low
// bits without ever deciding an order, because sequences are unique. Sequences are 32 bits
// so that the entry stays 16 bytes; when they run out, the pending keys are renumbered in
// their order (renumber()), once per four billion schedules.

#include <cstdint>
#include <vector>

#include "sim/callback.hpp"
#include "sim/chunked.hpp"
#include "sim/time.hpp"

namespace nlb::sim {

// Names one scheduled event. Stale ids (fired, cancelled, slot reused) are recognised by
// their generation and ignored, so cancelling twice or too late is harmless.
struct EventId {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

class EventQueue {
 public:
  // `seq_limit` bounds the sequence numbers handed out before a renumbering; only tests lower it.
  explicit EventQueue(std::uint32_t seq_limit = UINT32_MAX) : seq_limit_(seq_limit) {}

  EventId push(Time at, Callback&& fn);
  bool cancel(EventId id);
  bool pending(EventId id) const { return live(id); }
  // Time of a pending event; Time::max() when the id is stale.
  Time time_of(EventId id) const { return live(id) ? key_time(heap_[slots_[id.slot].pos]) : Time::max(); }
  bool reschedule(EventId id, Time at);

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  Time next_time() const { return key_time(heap_.front()); }

  // Removes the earliest event and returns its callback (moved out) and time.
  Callback pop(Time& at);

 private:
  __extension__ typedef unsigned __int128 Key;  // GCC/Clang built-in, as in rng.cpp

  // What sifting and the id checks need of a slot, kept apart from the 48-byte callbacks: the
  // position writes made while sifting, and pending()/cancel()/reschedule() on a timer, stay
  // within this dense array, which still fits in cache when 100k timers' records do not.
  struct SlotState {
    std::uint32_t pos = kNoSlot;   // index of the slot's key in the heap; kNoSlot when free
    std::uint32_t generation = 0;  // bumped when the slot is freed: older ids go stale
  };
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;

  // Flipping the sign bit maps signed time onto unsigned order.
  static constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
  static Key make_key(Time at, std::uint32_t seq, std::uint32_t slot) {
    return (Key{static_cast<std::uint64_t>(at.nanos()) ^ kSignBit} << 64) | (Key{seq} << 32) | slot;
  }
  static Time key_time(Key k) {
    return Time::ns(static_cast<std::int64_t>(static_cast<std::uint64_t>(k >> 64) ^ kSignBit));
  }
  static std::uint32_t key_slot(Key k) { return static_cast<std::uint32_t>(k); }

  void place(std::size_t pos, Key k) {
    heap_[pos] = k;
    slots_[key_slot(k)].pos = static_cast<std::uint32_t>(pos);
  }
  std::size_t min_child(std::size_t first) const;
  void sift_up(std::size_t pos, Key k);
  void sift_down(std::size_t pos, Key k);
  void move_to(std::size_t pos, Key k);
  void remove_at(std::size_t pos);
  std::uint32_t next_seq();
  void renumber();
  std::uint32_t take_slot();
  void free_slot(std::uint32_t slot);
  bool live(EventId id) const {
    return id.slot < slots_.size() && slots_[id.slot].generation == id.generation &&
           slots_[id.slot].pos != kNoSlot;
  }

  std::vector<Key> heap_;
  std::vector<SlotState> slots_;
  // The callbacks by slot, in chunks: at two million pending events (the scale run) a vector
  // would copy itself and hold both copies while it grows. Free slots are reused last-freed
  // first, from a stack of their numbers (not a list through the records, which would take a
  // 48-byte Callback to 64 with alignment).
  ChunkedVector<Callback, 4096> fns_;
  std::vector<std::uint32_t> free_;
  std::uint32_t next_seq_ = 0;
  std::uint32_t seq_limit_;
};

}  // namespace nlb::sim
