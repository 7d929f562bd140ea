#pragma once
// What the topology view draws at a replay position: the recent hops of frames (a trail of
// arrows, newest first), the frames in flight (animated dots while playing), and the recent
// drops (red marks with their reasons). Computed from the events near the position only, so
// it costs the same with a million events as with a hundred.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

// Background traffic is left out of the trail unless asked for: it repeats every second and
// would hide the flow being followed. ICMP is the balancers' reach-target pings (seed,
// "reachability") and the advisors'; a trace of ping itself shows it with the option on.
inline bool is_background(FrameKind k) {
  return k == FrameKind::Vrrp || k == FrameKind::Heartbeat || k == FrameKind::Sync || k == FrameKind::Icmp;
}

// One frame sent on a LAN and where its copies went.
struct Hop {
  std::size_t tx = 0;             // event index of the send
  std::vector<std::uint32_t> rx;  // receptions and drops of the same frame on that LAN
  std::int64_t sent = 0;
  std::int64_t arrived = 0;  // the last reception or drop (sent if none)
};

struct FlowOptions {
  int trail_length = 6;                    // hops kept in the trail
  std::int64_t window_ns = 2'000'000'000;  // how far back the trail and drops reach
  std::int64_t min_flight_ns = 0;          // a frame is drawn moving for at least this long
  bool background = false;                 // VRRP, heartbeat, sync, ICMP hops and drops too
  std::size_t scan_limit = 20'000;         // events looked at, at most, going back
  std::size_t max_in_flight = 200;
  // The event list's filtered rows (sorted event indices): when set, the trail, the frames in
  // flight and the drops are those the list shows, so that filtering the list on one
  // connection draws that connection's path alone. The current event's hop is drawn anyway.
  const std::vector<std::uint32_t>* visible = nullptr;
  bool shows(std::size_t event) const;
};

struct FlowSnapshot {
  std::optional<std::size_t> current;  // the last event that happened
  std::optional<Hop> current_hop;      // the hop that event belongs to, if a frame
  std::vector<Hop> trail;              // newest first, the current hop included
  std::vector<Hop> in_flight;          // sent at or before t, still travelling at t
  std::vector<std::uint32_t> drops;    // drop events within the window, newest first
};

Hop hop_of(const TraceModel& m, std::size_t tx);
FlowSnapshot flow_at(const TraceModel& m, std::size_t pos, std::int64_t t, const FlowOptions& o);

}  // namespace nlb::gui
