#pragma once
// One trace bus, many sinks (DESIGN.md). Models publish typed events; pcap writers, the
// JSON-lines trace, metrics and the GUI subscribe to the types they want. A publisher checks
// `wants<E>()` first, which is one load and compare, so an unobserved run pays next to nothing
// and builds no event at all.
//
// sim/ knows no event types: each layer defines its own plain structs and publishes them here.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace nlb::sim {

namespace detail {
std::size_t next_trace_type_index();
template <typename E>
std::size_t trace_type_index() {
  static const std::size_t index = next_trace_type_index();
  return index;
}
}  // namespace detail

class TraceBus {
 public:
  template <typename E>
  using Handler = std::function<void(const E&)>;

  template <typename E>
  void subscribe(Handler<E> handler) {
    auto& list = slot(detail::trace_type_index<E>());
    list.push_back([h = std::move(handler)](const void* e) { h(*static_cast<const E*>(e)); });
  }

  template <typename E>
  bool wants() const {
    std::size_t i = detail::trace_type_index<E>();
    return i < topics_.size() && !topics_[i].empty();
  }

  template <typename E>
  void publish(const E& event) const {
    std::size_t i = detail::trace_type_index<E>();
    if (i >= topics_.size()) return;
    for (const auto& h : topics_[i]) h(&event);
  }

  void clear() { topics_.clear(); }

 private:
  std::vector<std::function<void(const void*)>>& slot(std::size_t i) {
    if (topics_.size() <= i) topics_.resize(i + 1);
    return topics_[i];
  }
  std::vector<std::vector<std::function<void(const void*)>>> topics_;
};

}  // namespace nlb::sim
