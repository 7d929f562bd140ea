#include "sim/event_queue.hpp"

#include <cassert>

namespace nlb::sim {

std::uint32_t EventQueue::take_slot() {
  if (!free_slots_.empty()) {
    std::uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  records_.emplace_back();
  return static_cast<std::uint32_t>(records_.size() - 1);
}

EventId EventQueue::push(Time at, Callback fn) {
  assert(fn && "scheduling an empty callback");
  std::uint32_t slot = take_slot();
  Record& r = records_[slot];
  r.fn = std::move(fn);
  heap_.emplace_back();
  sift_up(heap_.size() - 1, Entry{at, next_seq_++, slot});
  return EventId{slot, r.generation};
}

void EventQueue::sift_up(std::size_t pos, Entry e) {
  while (pos > 0) {
    std::size_t parent = (pos - 1) / 4;
    if (!before(e, heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, e);
}

void EventQueue::sift_down(std::size_t pos, Entry e) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t first = pos * 4 + 1;
    if (first >= n) break;
    std::size_t last = first + 4 < n ? first + 4 : n;
    std::size_t best = first;
    for (std::size_t c = first + 1; c < last; ++c)
      if (before(heap_[c], heap_[best])) best = c;
    if (!before(heap_[best], e)) break;
    place(pos, heap_[best]);
    pos = best;
  }
  place(pos, e);
}

void EventQueue::remove_at(std::size_t pos) {
  Entry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;
  if (pos > 0 && before(last, heap_[(pos - 1) / 4]))
    sift_up(pos, last);
  else
    sift_down(pos, last);
}

Callback EventQueue::pop(Time& at) {
  assert(!heap_.empty());
  Entry top = heap_.front();
  at = top.at;
  remove_at(0);
  Record& r = records_[top.slot];
  Callback fn = std::move(r.fn);
  r.fn.reset();
  ++r.generation;
  free_slots_.push_back(top.slot);
  return fn;
}

bool EventQueue::cancel(EventId id) {
  if (!live(id)) return false;
  Record& r = records_[id.slot];
  remove_at(r.heap_pos);
  r.fn.reset();
  ++r.generation;
  free_slots_.push_back(id.slot);
  return true;
}

bool EventQueue::pending(EventId id) const { return live(id); }

Time EventQueue::time_of(EventId id) const {
  return live(id) ? heap_[records_[id.slot].heap_pos].at : Time::max();
}

bool EventQueue::reschedule(EventId id, Time at) {
  if (!live(id)) return false;
  std::size_t pos = records_[id.slot].heap_pos;
  // A rescheduled event queues behind events already set for the same time, as if new.
  Entry e{at, next_seq_++, id.slot};
  if (pos > 0 && before(e, heap_[(pos - 1) / 4]))
    sift_up(pos, e);
  else
    sift_down(pos, e);
  return true;
}

}  // namespace nlb::sim
