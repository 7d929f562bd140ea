#pragma once
// What a sans-IO protocol machine hands back to the node that runs it (STYLE.md: handlers
// *return* what they would send, smoltcp's way). A machine never touches a NIC, a timer or the
// trace bus: each call returns a short list of actions, in the order the node must carry them
// out, and `next_deadline()` tells the node when to call `poll(now)` again. That keeps every
// RFC rule testable as a plain function of (state, now, input).
//
// The list lives inline (no allocation on the per-event path); N is the most actions any one
// call of its machine can produce, checked by an assert.

#include <array>
#include <cassert>
#include <cstddef>
#include <utility>
#include <variant>

namespace nlb::protocols {

template <typename Action, std::size_t N>
class ActionList {
 public:
  void push(Action a) {
    assert(size_ < N && "ActionList capacity too small for this machine");
    items_[size_++] = std::move(a);
  }
  void append(const ActionList& other) {
    for (const auto& a : other) push(a);
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Action& operator[](std::size_t i) const { return items_[i]; }
  const Action* begin() const { return items_.data(); }
  const Action* end() const { return items_.data() + size_; }

  // The first action of kind A, or nullptr.
  template <typename A>
  const A* find() const {
    for (const auto& a : *this)
      if (const A* p = std::get_if<A>(&a)) return p;
    return nullptr;
  }
  template <typename A>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& a : *this) n += std::holds_alternative<A>(a) ? 1 : 0;
    return n;
  }
  // Position of the first action of kind A (size() when absent): tests check the order.
  template <typename A>
  std::size_t index_of() const {
    for (std::size_t i = 0; i < size_; ++i)
      if (std::holds_alternative<A>(items_[i])) return i;
    return size_;
  }

 private:
  std::array<Action, N> items_{};
  std::size_t size_ = 0;
};

}  // namespace nlb::protocols
