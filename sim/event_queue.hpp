#pragma once
// The future event set: a 4-ary min-heap of small entries ordered by (time, sequence), over a
// pool of event records that are reused. Ties break by insertion order, never by address,
// so a run repeats exactly (DESIGN.md, "Determinism").
//
// Why 4-ary: half the depth of a binary heap, and the four children of a node share a cache
// line, so a pop touches fewer lines. Why positions are tracked: a cancel removes its entry
// at once, so timers that are re-armed on every packet (TCP's RTO, ARP's reachable timer)
// never leave dead entries behind to bloat the heap.

#include <cstdint>
#include <vector>

#include "sim/callback.hpp"
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
  EventId push(Time at, Callback fn);
  bool cancel(EventId id);
  bool pending(EventId id) const;
  // Time of a pending event; Time::max() when the id is stale.
  Time time_of(EventId id) const;
  bool reschedule(EventId id, Time at);

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  Time next_time() const { return heap_.front().at; }

  // Removes the earliest event and returns its callback (moved out) and time.
  Callback pop(Time& at);

 private:
  struct Entry {
    Time at;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Record {
    Callback fn;
    std::uint32_t heap_pos = 0;
    std::uint32_t generation = 0;
  };

  static bool before(const Entry& a, const Entry& b) {
    return a.at < b.at || (a.at == b.at && a.seq < b.seq);
  }
  void place(std::size_t pos, const Entry& e) {
    heap_[pos] = e;
    records_[e.slot].heap_pos = static_cast<std::uint32_t>(pos);
  }
  void sift_up(std::size_t pos, Entry e);
  void sift_down(std::size_t pos, Entry e);
  void remove_at(std::size_t pos);
  std::uint32_t take_slot();
  bool live(EventId id) const {
    return id.slot < records_.size() && records_[id.slot].generation == id.generation && records_[id.slot].fn;
  }

  std::vector<Entry> heap_;
  std::vector<Record> records_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace nlb::sim
