#pragma once
// The balancer's connection table: which server each client connection was given, so that
// every later datagram of the connection goes to the same server (the seed, "High
// Availability": "The newly active Network Load Balancer still knows where to send all
// datagrams that it receives"). Modelled on Linux IPVS in direct-routing mode: the balancer
// sees only the client's packets, so the TCP state follows IPVS's INPUT-ONLY table
// (ip_vs_proto_tcp.c) and each state has IPVS's timeout.
//
// Built for a million connections (issue #8): a 32-byte entry in one pool, an open-addressing
// index of 4-byte slots, and expiry by a timer wheel whose buckets are checked lazily, so a
// packet costs O(1) and no operation scans the table. docs/protocols.md gives the measured
// bytes per entry.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "models/wire/addr.hpp"
#include "models/wire/ha.hpp"
#include "models/wire/tcp.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

using sim::Time;
using wire::ConnState;

// Index of a server in the balancer's configured server list (also the dispatcher's index).
using ServerId = std::uint16_t;
inline constexpr ServerId kNoServer = 0xffff;
// Handle of a table entry; stable while the entry lives.
using ConnId = std::uint32_t;
inline constexpr ConnId kNoConn = 0xffffffffu;

struct ConnKey {
  std::uint8_t protocol = wire::ha::kProtoTcp;
  wire::Ipv4 client_ip;
  std::uint16_t client_port = 0;
  wire::Ipv4 cluster_ip;
  std::uint16_t cluster_port = 0;
  bool operator==(const ConnKey&) const = default;
};

// IPVS's TCP timeouts (ip_vs_proto_tcp.c tcp_timeouts[]) and UDP's (ip_vs_proto_udp.c).
struct ConnTimeouts {
  Time none = Time::s(2);
  Time established = Time::s(900);
  Time syn_sent = Time::s(120);
  Time syn_recv = Time::s(60);
  Time fin_wait = Time::s(120);
  Time time_wait = Time::s(120);
  Time close = Time::s(10);
  Time close_wait = Time::s(60);
  Time last_ack = Time::s(30);
  Time listen = Time::s(120);
  Time synack = Time::s(120);
  Time udp = Time::s(300);
  Time of(std::uint8_t protocol, ConnState s) const;
};

// When a connection is sent to the standby (IPVS ip_vs_sync_conn_needed()).
enum class SyncTrigger : std::uint8_t {
  Off,            // never (the standby learns nothing: connections break on failover)
  NewConnection,  // when created and on every state change
  Ipvs,           // IPVS: TCP in ESTABLISHED/FIN_WAIT/CLOSE/CLOSE_WAIT/TIME_WAIT only; at once on a
                  // change to a non-ESTABLISHED one; else when in_pkts % sync_period == sync_threshold
};
struct SyncRule {
  SyncTrigger trigger = SyncTrigger::Ipvs;
  std::uint16_t threshold = 3;  // IPVS sync_threshold
  std::uint16_t period = 50;    // IPVS sync_period; 0 = only when in_pkts == threshold
};

struct ConnTableConfig {
  ConnTimeouts timeouts;
  SyncRule sync;
  Time wheel_tick = Time::ms(100);  // expiry granularity: an entry expires at the first tick >= its deadline
  std::size_t wheel_slots = 16384;  // power of two; 16384 x 100 ms covers ESTABLISHED's 900 s
  std::size_t expected_connections = 0;  // reserve up front (no growth on the packet path)

  std::string check() const;
};

// IPVS's INPUT-ONLY transition: what the balancer learns from one client packet.
ConnState tcp_input_only_next(ConnState s, wire::TcpFlags flags);

// An entry as the outside sees it.
struct Conn {
  ConnKey key;
  ServerId server = kNoServer;
  ConnState state = ConnState::None;
  Time last_seen;
};

// Per server: IPVS's activeconns (ESTABLISHED) and inactconns (every other state, and UDP),
// and how many connections it was ever given (the manager's "new connections").
struct ServerConns {
  std::uint32_t active = 0;
  std::uint32_t inactive = 0;
  std::uint64_t created = 0;
};

struct ConnTableCounters {
  std::uint64_t inserted = 0;
  std::uint64_t expired = 0;
  std::uint64_t sync_applied = 0;         // entries created or refreshed from the active peer
  std::uint64_t sync_unknown_server = 0;  // entries naming a server we do not have
};

class ConnTable {
 public:
  ConnTable(ConnTableConfig config, std::span<const wire::Ipv4> servers);

  // What one datagram did to its connection.
  struct Update {
    ConnId id = kNoConn;
    ServerId server = kNoServer;
    ConnState from = ConnState::None;
    ConnState to = ConnState::None;
    bool created = false;
    bool sync = false;  // the sync rule says: send this entry to the standby now
  };

  std::optional<ConnId> find(const ConnKey& key) const;
  // A datagram of a known connection (TCP flags are ignored for UDP).
  Update on_packet(Time now, ConnId id, wire::TcpFlags flags);
  // A datagram of a new connection, given to `server` by the dispatcher.
  Update insert(Time now, const ConnKey& key, ServerId server, wire::TcpFlags flags);
  // The standby side: create or refresh an entry from the active peer's sync message.
  // Returns false (and counts it) when the entry names a server we do not know.
  bool apply_sync(Time now, const wire::HaSyncEntry& e);
  // The entry as a sync record (age = now - last seen).
  wire::HaSyncEntry sync_entry(ConnId id, Time now) const;

  // Removes every entry whose timeout has passed at `now`, calling on_expired(const Conn&)
  // for each, in a deterministic order.
  template <typename F>
  std::size_t expire(Time now, F&& on_expired);
  std::size_t expire(Time now) {
    return expire(now, [](const Conn&) {});
  }
  // When expire() next has something to do (a wheel tick with entries); Time::max() if empty.
  Time next_deadline() const;
  void clear();

  std::size_t size() const { return size_; }
  Conn conn(ConnId id) const;
  // Entries in pool order, for bulk sync: ids in [0, id_bound()) that are in use.
  ConnId id_bound() const { return static_cast<ConnId>(pool_.size()); }
  bool in_use(ConnId id) const { return id < pool_.size() && (pool_[id].flags & kInUse) != 0; }

  std::size_t server_count() const { return servers_.size(); }
  wire::Ipv4 server_ip(ServerId s) const { return servers_[s]; }
  ServerId server_id(wire::Ipv4 ip) const;
  const ServerConns& server_conns(ServerId s) const { return server_conns_[s]; }
  std::span<const ServerConns> all_server_conns() const { return server_conns_; }

  const ConnTableConfig& config() const { return cfg_; }
  const ConnTableCounters& counters() const { return counters_; }
  // Heap bytes held by the table (pool, index, wheel), for the memory figure of issue #8.
  std::size_t memory_bytes() const;

  // The 32-byte entry. Times are milliseconds since simulated time 0, which bounds a run
  // with live connections to 49.7 simulated days.
  struct Entry {
    std::uint32_t client_ip;
    std::uint32_t cluster_ip;
    std::uint16_t client_port;
    std::uint16_t cluster_port;
    std::uint32_t last_seen_ms;
    ServerId server;
    std::uint16_t packets;  // incoming packets, modulo the sync period
    std::uint8_t protocol;
    std::uint8_t state;
    std::uint8_t synced_state;  // the state last sent to the standby (IPVS old_state)
    std::uint8_t flags;
    std::uint32_t next;  // wheel list (or free list)
    std::uint32_t prev;  // wheel list; kHeadTag | slot for the first entry of a slot
  };

 private:
  static constexpr std::uint8_t kInUse = 0x01;
  static constexpr std::uint8_t kCountedActive = 0x02;
  static constexpr std::uint32_t kNil = 0xffffffffu;
  static constexpr std::uint32_t kHeadTag = 0x80000000u;

  static std::uint64_t hash(const ConnKey& k);
  static bool matches(const Entry& e, const ConnKey& k);
  static ConnKey key_of(const Entry& e);
  std::uint32_t& slot_for(const ConnKey& k);  // the index slot holding k, or the empty one
  std::size_t find_slot(const ConnKey& k) const;
  void index_insert(ConnId id);
  void index_erase(const ConnKey& k);
  void grow_index();

  ConnId allocate();
  void release(ConnId id);
  void count(ServerId s, const Entry& e, int delta);
  void set_state(Entry& e, ConnState to);
  bool sync_needed(Entry& e, bool changed);

  std::int64_t expiry_tick(const Entry& e) const;
  void wheel_link(ConnId id, std::int64_t tick);
  void wheel_unlink(ConnId id);
  void process_slot(std::size_t slot, std::int64_t tick, void* ctx, void (*on_expired)(void*, const Conn&));
  std::size_t expire_impl(Time now, void* ctx, void (*on_expired)(void*, const Conn&));

  ConnTableConfig cfg_;
  std::vector<wire::Ipv4> servers_;
  std::vector<ServerConns> server_conns_;
  std::vector<Entry> pool_;
  std::uint32_t free_ = kNil;
  std::vector<std::uint32_t> index_;  // ConnId or kNil
  std::size_t size_ = 0;
  std::vector<std::uint32_t> wheel_;       // slot -> first ConnId
  std::vector<std::uint64_t> wheel_bits_;  // non-empty slots
  std::int64_t wheel_done_ = -1;           // last tick processed
  std::int64_t tick_ms_ = 100;
  ConnTableCounters counters_;
};

template <typename F>
std::size_t ConnTable::expire(Time now, F&& on_expired) {
  using Fn = std::remove_reference_t<F>;
  return expire_impl(now, &on_expired, [](void* ctx, const Conn& c) { (*static_cast<Fn*>(ctx))(c); });
}

}  // namespace nlb::protocols
