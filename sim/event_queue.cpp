#include "sim/event_queue.hpp"

#include <algorithm>
#include <cassert>

namespace nlb::sim {

std::uint32_t EventQueue::take_slot() {
  if (!free_.empty()) {
    std::uint32_t s = free_.back();
    free_.pop_back();
    return s;
  }
  fns_.emplace_back();
  slots_.emplace_back();
  return static_cast<std::uint32_t>(fns_.size() - 1);
}

void EventQueue::free_slot(std::uint32_t slot) {
  SlotState& st = slots_[slot];
  st.pos = kNoSlot;
  ++st.generation;
  free_.push_back(slot);
}

std::uint32_t EventQueue::next_seq() {
  if (next_seq_ >= seq_limit_) renumber();
  return next_seq_++;
}

// Gives the pending keys the sequences 0..n-1 in their present order. A sorted array is a
// valid heap, and no two keys change their relative order, so every later tie still breaks
// by insertion order.
void EventQueue::renumber() {
  std::sort(heap_.begin(), heap_.end());
  for (std::size_t i = 0; i < heap_.size(); ++i)
    place(i, make_key(key_time(heap_[i]), static_cast<std::uint32_t>(i), key_slot(heap_[i])));
  next_seq_ = static_cast<std::uint32_t>(heap_.size());
}

EventId EventQueue::push(Time at, Callback&& fn) {
  assert(fn && "scheduling an empty callback");
  std::uint32_t slot = take_slot();
  fns_[slot] = std::move(fn);
  Key k = make_key(at, next_seq(), slot);
  heap_.emplace_back();
  sift_up(heap_.size() - 1, k);
  return EventId{slot, slots_[slot].generation};
}

// The smallest of the children starting at `first`. A full node is decided by two independent
// compares and a third, which the compiler turns into conditional moves: the keys are random,
// so branches here would mispredict half the time.
inline std::size_t EventQueue::min_child(std::size_t first) const {
  const Key* h = heap_.data();
  const std::size_t n = heap_.size();
  if (first + 4 <= n) [[likely]] {
    std::size_t a = first + (h[first + 1] < h[first]);
    std::size_t b = first + 2 + (h[first + 3] < h[first + 2]);
    return h[b] < h[a] ? b : a;
  }
  std::size_t best = first;
  for (std::size_t c = first + 1; c < n; ++c)
    if (h[c] < h[best]) best = c;
  return best;
}

void EventQueue::sift_up(std::size_t pos, Key k) {
  while (pos > 0) {
    std::size_t parent = (pos - 1) / 4;
    if (!(k < heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, k);
}

void EventQueue::sift_down(std::size_t pos, Key k) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t first = pos * 4 + 1;
    if (first >= n) break;
    std::size_t best = min_child(first);
    if (!(heap_[best] < k)) break;
    place(pos, heap_[best]);
    pos = best;
  }
  place(pos, k);
}

// Puts `k` at `pos` (whose old key is gone) and restores the heap around it.
void EventQueue::move_to(std::size_t pos, Key k) {
  if (pos > 0 && k < heap_[(pos - 1) / 4])
    sift_up(pos, k);
  else
    sift_down(pos, k);
}

void EventQueue::remove_at(std::size_t pos) {
  Key last = heap_.back();
  heap_.pop_back();
  if (pos < heap_.size()) move_to(pos, last);
}

Callback EventQueue::pop(Time& at) {
  assert(!heap_.empty());
  Key top = heap_.front();
  at = key_time(top);
  remove_at(0);
  std::uint32_t slot = key_slot(top);
  Callback fn = std::move(fns_[slot]);
  free_slot(slot);
  return fn;
}

bool EventQueue::cancel(EventId id) {
  if (!live(id)) return false;
  remove_at(slots_[id.slot].pos);
  fns_[id.slot].reset();
  free_slot(id.slot);
  return true;
}

bool EventQueue::reschedule(EventId id, Time at) {
  if (!live(id)) return false;
  // A rescheduled event queues behind events already set for the same time, as if new.
  // (The sequence is taken first: a renumbering moves keys.)
  Key k = make_key(at, next_seq(), id.slot);
  move_to(slots_[id.slot].pos, k);
  return true;
}

}  // namespace nlb::sim
