#pragma once
// Which events the event list shows. The result is a vector of event indices in time order,
// so a table over a million events stores 4 bytes per visible row and formats text lazily.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

// One bit per frame kind, then one per non-frame event type.
enum class Category : std::uint8_t {
  // frames: 0 .. kFrameKindCount-1 in FrameKind order
  State = kFrameKindCount,
  Addr,
  ArpTable,
  Conn,
  Weights,
  Fault,
  Request,
  MacTable,  // a switch's MAC table
  Peer,      // a balancer hearing its peer or not, split brains
  Unknown,   // and the end line
  Count
};
using CategoryMask = std::uint32_t;
inline constexpr CategoryMask kAllCategories = (1u << static_cast<int>(Category::Count)) - 1;
inline constexpr CategoryMask kAllFrames = (1u << kFrameKindCount) - 1;
constexpr CategoryMask bit(FrameKind k) { return 1u << static_cast<int>(k); }
constexpr CategoryMask bit(Category c) { return 1u << static_cast<int>(c); }
CategoryMask category_bit(const EventRecord& e);

// A connection: "198.51.100.10:40001", or just an address "198.51.100.10", or a port ":80".
struct Endpoint {
  std::uint32_t ip = 0;    // 0 = any
  std::uint16_t port = 0;  // 0 = any
  bool valid = false;
};
Endpoint parse_endpoint(const std::string& text);
// Several endpoints separated by commas or spaces: "198.51.100.14:32768, 192.168.10.10" follows
// one client connection and the ARP for the NLBS address it needed. Empty when any is invalid.
std::vector<Endpoint> parse_endpoints(const std::string& text);

struct EventFilter {
  int node = -1;  // header position, -1 = every node
  CategoryMask categories = kAllCategories;
  bool drops_only = false;
  bool hide_rx = false;  // show where frames are sent and dropped, not every copy received
  std::string
      connection;    // Endpoint texts (any of them); frames match on their IPv4/TCP/UDP or ARP addresses
  std::string text;  // case-insensitive substring of the summary

  bool matches(const TraceModel& m, std::size_t i) const;
};

// Event indices that pass, in time order. Pre-parses the connection once.
std::vector<std::uint32_t> apply_filter(const TraceModel& m, const EventFilter& f);

// The first event at or after `from` whose "node: summary" contains `text` (any case), e.g.
// "fw1: update 192.168.10.10": how scripts pick the moment of a screenshot.
std::optional<std::size_t> find_event(const TraceModel& m, std::size_t from, const std::string& text);

}  // namespace nlb::gui
