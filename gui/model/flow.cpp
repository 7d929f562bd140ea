#include "gui/model/flow.hpp"

#include <algorithm>

namespace nlb::gui {

Hop hop_of(const TraceModel& m, std::size_t tx) {
  Hop h;
  h.tx = tx;
  h.sent = m.event(tx).t;
  h.arrived = h.sent;
  h.rx = m.deliveries(tx);
  for (auto i : h.rx) h.arrived = std::max(h.arrived, m.event(i).t);
  return h;
}

bool FlowOptions::shows(std::size_t event) const {
  return !visible || std::binary_search(visible->begin(), visible->end(), static_cast<std::uint32_t>(event));
}

namespace {

bool is_tx(const EventRecord& e) { return e.type == EventType::Frame && e.dir == Dir::Tx; }

void add_trail(FlowSnapshot& s, const TraceModel& m, std::size_t pos, std::int64_t t, const FlowOptions& o) {
  std::size_t stop = pos > o.scan_limit ? pos - o.scan_limit : 0;
  for (std::size_t i = pos; i-- > stop && static_cast<int>(s.trail.size()) < o.trail_length;) {
    const EventRecord& e = m.event(i);
    if (t - e.t > o.window_ns) break;
    if (!is_tx(e) || (s.current_hop && s.current_hop->tx == i)) continue;
    if ((!o.background && is_background(e.kind)) || !o.shows(i)) continue;
    s.trail.push_back(hop_of(m, i));
  }
}

void add_in_flight(FlowSnapshot& s, const TraceModel& m, std::size_t pos, std::int64_t t,
                   const FlowOptions& o) {
  // Real LAN crossings take microseconds; the look-back is the display minimum plus a margin.
  std::int64_t reach = o.min_flight_ns + 1'000'000'000;
  std::size_t stop = pos > o.scan_limit ? pos - o.scan_limit : 0;
  for (std::size_t i = pos; i-- > stop && s.in_flight.size() < o.max_in_flight;) {
    const EventRecord& e = m.event(i);
    if (t - e.t > reach) break;
    if (!is_tx(e) || !o.shows(i)) continue;
    // Its copies are looked for only when it is still travelling: a million-event trace
    // has thousands of sends in the look-back.
    std::int64_t arrived = e.t + static_cast<std::int64_t>(m.frame(e).delay_ns);
    if (t <= std::max(arrived, e.t + o.min_flight_ns)) s.in_flight.push_back(hop_of(m, i));
  }
}

void add_drops(FlowSnapshot& s, const TraceModel& m, std::size_t pos, std::int64_t t, const FlowOptions& o) {
  std::size_t stop = pos > o.scan_limit ? pos - o.scan_limit : 0;
  for (std::size_t i = pos; i-- > stop;) {
    const EventRecord& e = m.event(i);
    if (t - e.t > o.window_ns) break;
    // Background frames dropped are hidden with their hops: every VRRP advertisement is
    // dropped ("filtered") by each host on its LAN that runs no VRRP.
    if (e.type != EventType::Frame || e.dir != Dir::Drop || !o.shows(i)) continue;
    if (o.background || !is_background(e.kind)) s.drops.push_back(static_cast<std::uint32_t>(i));
  }
}

}  // namespace

FlowSnapshot flow_at(const TraceModel& m, std::size_t pos, std::int64_t t, const FlowOptions& o) {
  FlowSnapshot s;
  pos = std::min(pos, m.size());
  if (pos > 0) {
    s.current = pos - 1;
    if (auto tx = m.sender_of(pos - 1)) {
      s.current_hop = hop_of(m, *tx);
      s.trail.push_back(*s.current_hop);
    }
  }
  add_trail(s, m, pos, t, o);
  add_in_flight(s, m, pos, t, o);
  add_drops(s, m, pos, t, o);
  return s;
}

}  // namespace nlb::gui
