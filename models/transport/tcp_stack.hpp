#pragma once
// A host's TCP: the connections keyed by 4-tuple, the listeners, RSTs for segments that belong
// to no connection, and the connections' timers. Sans-IO like the connections: it takes `now`
// and inbound segments, sends through a TcpIo, and tells when it next needs the clock
// (poll_at). TcpDriver (tcp_driver.hpp) binds it to a Simulation.
//
// The seed's failover without connection-table sync depends on one rule here: a server that
// does not know a connection answers its segments with RST (RFC 9293 3.10.7.1), so the
// client's connection ends Reset, visibly.

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/transport/endpoint.hpp"
#include "models/transport/tcp_connection.hpp"
#include "models/transport/tuple_index.hpp"
#include "sim/chunked.hpp"
#include "sim/rng.hpp"
#include "sim/trace_bus.hpp"

namespace nlb::transport {

class TcpIo {
 public:
  virtual ~TcpIo() = default;
  // Send one segment from src to dst; the payload's real bytes are valid during the call only.
  virtual void send_segment(wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) = 0;
  // The application queued work outside a stack call: call poll(now) soon.
  virtual void wake() {}
  // The source address for a connection to dst opened from an unspecified address (the
  // route's source, as Linux picks it); unspecified: no route.
  virtual wire::Ipv4 source_for(wire::Ipv4 /*dst*/) { return wire::Ipv4::any(); }
};

class TcpListener {
 public:
  virtual ~TcpListener() = default;
  // A passive connection reached ESTABLISHED: return its observer, or nullptr to refuse it
  // (the connection is then reset).
  virtual TcpObserver* on_accept(TcpConnection& conn) = 0;
};

struct TcpStackCounters {
  std::uint64_t segments_in = 0;
  std::uint64_t segments_out = 0;
  std::uint64_t active_opens = 0;
  std::uint64_t passive_opens = 0;
  std::uint64_t resets_sent_unknown = 0;  // RSTs answering segments of no known connection
  std::uint64_t completed = 0;
  std::uint64_t reset = 0;
  std::uint64_t timed_out = 0;
};

// Trace events (published only when someone subscribed).
struct TcpOpenedEvent {
  sim::Time at;
  std::uint32_t node;
  std::uint64_t conn;
  FourTuple tuple;
  bool passive;
};
struct TcpClosedEvent {
  sim::Time at;
  std::uint32_t node;
  std::uint64_t conn;
  FourTuple tuple;
  TcpOutcome outcome;
  bool passive;
  bool was_established;
  bool reset_by_peer;
  TcpCounters counters;
};
// A connection's state as seen at the end of a step (a step may pass through several, e.g.
// SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT on one segment: reported as one change).
struct TcpStateEvent {
  sim::Time at;
  std::uint32_t node;
  std::uint64_t conn;
  FourTuple tuple;
  TcpState from;
  TcpState to;
};
// A RST answering a segment for which no connection exists.
struct TcpResetUnknownEvent {
  sim::Time at;
  std::uint32_t node;
  FourTuple tuple;  // as this host sees it: local = the segment's destination
};

class TcpStack final : private TcpConnectionOwner {
 public:
  // `isn` is the named stream the secret of the initial sequence numbers is drawn from.
  TcpStack(const TcpConfig& cfg, sim::RngStream& isn, TcpIo& io);
  ~TcpStack() override;
  TcpStack(const TcpStack&) = delete;
  TcpStack& operator=(const TcpStack&) = delete;

  // Accept connections to `local`; an unspecified address listens on every local address.
  bool listen(Endpoint local, TcpListener& listener);
  void unlisten(Endpoint local);
  // Active open from `local` (port 0: an ephemeral port; address 0.0.0.0: TcpIo::source_for)
  // to `remote`. The SYN leaves at the next poll. nullptr if no source address or no local
  // port is free.
  TcpConnection* connect(sim::Time now, Endpoint local, Endpoint remote, TcpObserver& observer);

  void on_segment(sim::Time now, wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg);
  void poll(sim::Time now);
  // When poll() next has timer work; Time::max() when none. May be early, never late.
  sim::Time poll_at() const { return heap_.empty() ? sim::Time::max() : heap_.front().at; }

  // The host crashed: every connection is forgotten without a segment; observers hear Reset.
  void crash(sim::Time now);

  const TcpConnection* find(const FourTuple& tuple) const;
  std::size_t connection_count() const { return by_tuple_.size(); }
  // Every connection, in a deterministic order (the order of their slots).
  template <typename F>
  void for_each_connection(F&& f) const {
    for (std::uint32_t s = 0; s < conns_.end(); ++s) {
      if (conns_.live(s)) f(conns_[s]);
    }
  }
  const TcpStackCounters& counters() const { return counters_; }
  using TcpConnectionOwner::config;
  void set_trace(sim::TraceBus* trace, std::uint32_t node) {
    trace_ = trace;
    node_ = node;
  }

 private:
  struct TimerEntry {
    sim::Time at;
    std::uint32_t slot;
    std::uint32_t gen;
    bool operator>(const TimerEntry& o) const {
      if (at != o.at) return at > o.at;
      if (slot != o.slot) return slot > o.slot;
      return gen > o.gen;
    }
  };
  class Sink;

  void touch(TcpConnection& conn) override;
  TcpConnection& add(TcpConnection conn);
  void remove(std::uint32_t slot);
  void flush(sim::Time now);
  void deliver_events(sim::Time now, TcpConnection& conn);
  void note_state(sim::Time now, TcpConnection& conn);
  void schedule(TcpConnection& conn);
  void send_reset_for(sim::Time now, wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg);
  // The listener a passive connection is born under, and the one that accepts it: looked up
  // again then rather than kept in each connection (8 bytes in each of a million).
  TcpListener* find_listener(Endpoint local) const;
  static bool awaits_accept(const TcpConnection& c) { return c.passive_open() && !c.observer; }
  std::uint16_t ephemeral_port(Endpoint local, Endpoint remote);
  SeqNum initial_seq(sim::Time now, const FourTuple& tuple) const;
  std::uint32_t lookup(const FourTuple& t) const {
    return by_tuple_.find(t, [this](std::uint32_t slot) { return conns_[slot].tuple(); });
  }

  std::uint64_t isn_secret_;
  TcpIo* io_;
  // Spare storage for the connections' stream buffers; declared before the connections, which
  // give theirs back when they are destroyed.
  StreamBuffer::Pool buffers_;
  // The connections by slot, in chunks of 8 (no malloc header or pointer per connection; a
  // client's stack holds ~100 in the scale run, so larger chunks would be mostly empty), and
  // each slot's generation, bumped when its connection goes, which makes timer entries stale.
  sim::SlotPool<TcpConnection, 8> conns_;
  std::vector<std::uint32_t> gens_;
  TupleIndex by_tuple_;  // 4-tuple -> slot
  std::map<Endpoint, TcpListener*> listeners_;
  std::vector<TimerEntry> heap_;  // min-heap by (at, slot, gen); stale entries are skipped
  std::vector<std::uint32_t> dirty_;
  std::vector<std::uint32_t> dead_;
  bool in_flush_ = false;
  std::uint64_t next_id_ = 1;
  std::uint16_t next_port_ = 0;
  TcpStackCounters counters_;
  sim::TraceBus* trace_ = nullptr;
  std::uint32_t node_ = 0;
};

}  // namespace nlb::transport
