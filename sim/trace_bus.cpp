#include "sim/trace_bus.hpp"

#include <atomic>

namespace nlb::sim::detail {

// Indexes only name slots in a vector; their order never reaches any result.
std::size_t next_trace_type_index() {
  static std::atomic<std::size_t> counter{0};
  return counter++;
}

}  // namespace nlb::sim::detail
