#include "models/protocols/conn_table.hpp"

#include <algorithm>
#include <bit>
#include <cassert>

namespace nlb::protocols {

static_assert(sizeof(ConnTable::Entry) == 32, "the entry is sized for a million connections (issue #8)");

namespace {

constexpr std::size_t kStates = wire::kConnStateCount;

// IPVS ip_vs_proto_tcp.c, tcp_states[] INPUT-ONLY rows (the balancer never sees the
// server's replies in direct routing). Columns in ConnState order: NONE, ESTABLISHED,
// SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK.
using S = ConnState;
constexpr S kOnSyn[kStates] = {S::SynRecv, S::Established, S::Established, S::SynRecv, S::SynRecv, S::SynRecv,
                               S::SynRecv, S::SynRecv,     S::SynRecv,     S::SynRecv, S::SynRecv};
constexpr S kOnFin[kStates] = {S::Close, S::FinWait,   S::SynSent, S::TimeWait, S::FinWait, S::TimeWait,
                               S::Close, S::CloseWait, S::LastAck, S::Listen,   S::TimeWait};
constexpr S kOnAck[kStates] = {S::Close,   S::Established, S::SynSent,    S::Established,
                               S::FinWait, S::TimeWait,    S::Close,      S::CloseWait,
                               S::Close,   S::Listen,      S::Established};
constexpr S kOnRst[kStates] = {S::Close, S::Close, S::Close,   S::SynRecv, S::Close, S::Close,
                               S::Close, S::Close, S::LastAck, S::Listen,  S::Close};

std::uint32_t to_ms(Time t) { return static_cast<std::uint32_t>(t.nanos() / 1'000'000); }

}  // namespace

ConnState tcp_input_only_next(ConnState s, wire::TcpFlags f) {
  const auto i = static_cast<std::size_t>(s);
  if (i >= kStates) return ConnState::Close;
  // IPVS tcp_state_idx(): RST, then SYN, then FIN, then ACK; a segment with none of them
  // leaves the transition at its default, CLOSE.
  if (f.rst()) return kOnRst[i];
  if (f.syn()) return kOnSyn[i];
  if (f.fin()) return kOnFin[i];
  if (f.ack()) return kOnAck[i];
  return ConnState::Close;
}

Time ConnTimeouts::of(std::uint8_t protocol, ConnState s) const {
  if (protocol != wire::ha::kProtoTcp) return udp;
  switch (s) {
    case S::None:
      return none;
    case S::Established:
      return established;
    case S::SynSent:
      return syn_sent;
    case S::SynRecv:
      return syn_recv;
    case S::FinWait:
      return fin_wait;
    case S::TimeWait:
      return time_wait;
    case S::Close:
      return close;
    case S::CloseWait:
      return close_wait;
    case S::LastAck:
      return last_ack;
    case S::Listen:
      return listen;
    case S::SynAck:
      return synack;
  }
  return close;
}

std::string ConnTableConfig::check() const {
  if (wheel_tick < Time::ms(1) || wheel_tick % Time::ms(1) != Time::zero())
    return "wheel_tick: a whole number of milliseconds";
  if (wheel_slots < 64 || !std::has_single_bit(wheel_slots))
    return "wheel_slots: a power of two, at least 64";
  if (sync.trigger == SyncTrigger::Ipvs && sync.period > 0 && sync.threshold >= sync.period)
    return "sync.threshold: must be below sync.period (IPVS sync_threshold)";
  const ConnTimeouts& t = timeouts;
  for (Time x : {t.none, t.established, t.syn_sent, t.syn_recv, t.fin_wait, t.time_wait, t.close,
                 t.close_wait, t.last_ack, t.listen, t.synack, t.udp})
    if (x <= Time::zero()) return "timeouts: every timeout must be positive";
  return {};
}

// ---- construction ----------------------------------------------------------------------------

ConnTable::ConnTable(ConnTableConfig config, std::span<const wire::Ipv4> servers)
    : cfg_(config), servers_(servers.begin(), servers.end()), server_conns_(servers.size()) {
  assert(cfg_.check().empty());
  assert(servers_.size() < kNoServer);
  tick_ms_ = cfg_.wheel_tick / Time::ms(1);
  wheel_.assign(cfg_.wheel_slots, kNil);
  wheel_bits_.assign((cfg_.wheel_slots + 63) / 64, 0);
  pool_.reserve(cfg_.expected_connections);
  std::size_t cap = 16;
  while (cap * 3 < cfg_.expected_connections * 4) cap *= 2;
  index_.assign(cap, kNil);
}

ServerId ConnTable::server_id(wire::Ipv4 ip) const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i] == ip) return static_cast<ServerId>(i);
  return kNoServer;
}

void ConnTable::clear() {
  pool_.clear();
  free_ = kNil;
  std::fill(index_.begin(), index_.end(), kNil);
  std::fill(wheel_.begin(), wheel_.end(), kNil);
  std::fill(wheel_bits_.begin(), wheel_bits_.end(), 0);
  for (auto& s : server_conns_) s.active = s.inactive = 0;
  size_ = 0;
}

std::size_t ConnTable::memory_bytes() const {
  return pool_.capacity() * sizeof(Entry) + index_.capacity() * sizeof(std::uint32_t) +
         wheel_.capacity() * sizeof(std::uint32_t) + wheel_bits_.capacity() * sizeof(std::uint64_t) +
         servers_.capacity() * sizeof(wire::Ipv4) + server_conns_.capacity() * sizeof(ServerConns);
}

// ---- index: open addressing, linear probing, backward-shift deletion --------------------------

std::uint64_t ConnTable::hash(const ConnKey& k) {
  // splitmix64's finalizer over the packed 5-tuple: fixed, so runs repeat on every build.
  std::uint64_t x = (std::uint64_t{k.client_ip.value()} << 32) | k.cluster_ip.value();
  x ^= (std::uint64_t{k.client_port} << 40) | (std::uint64_t{k.cluster_port} << 24) | k.protocol;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

bool ConnTable::matches(const Entry& e, const ConnKey& k) {
  return e.client_ip == k.client_ip.value() && e.client_port == k.client_port &&
         e.cluster_ip == k.cluster_ip.value() && e.cluster_port == k.cluster_port && e.protocol == k.protocol;
}

ConnKey ConnTable::key_of(const Entry& e) {
  return ConnKey{e.protocol, wire::Ipv4(e.client_ip), e.client_port, wire::Ipv4(e.cluster_ip),
                 e.cluster_port};
}

std::size_t ConnTable::find_slot(const ConnKey& k) const {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = hash(k) & mask;; i = (i + 1) & mask)
    if (index_[i] == kNil || matches(pool_[index_[i]], k)) return i;
}

std::optional<ConnId> ConnTable::find(const ConnKey& key) const {
  const std::uint32_t id = index_[find_slot(key)];
  if (id == kNil) return std::nullopt;
  return id;
}

void ConnTable::grow_index() {
  std::vector<std::uint32_t> old(index_.size() * 2, kNil);
  old.swap(index_);
  for (std::uint32_t id : old)
    if (id != kNil) index_[find_slot(key_of(pool_[id]))] = id;
}

void ConnTable::index_insert(ConnId id) {
  if ((size_ + 1) * 4 > index_.size() * 3) grow_index();
  index_[find_slot(key_of(pool_[id]))] = id;
}

void ConnTable::index_erase(const ConnKey& k) {
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = find_slot(k);
  assert(index_[hole] != kNil);
  index_[hole] = kNil;
  // Shift back every following entry of the probe run that may sit in the hole.
  for (std::size_t i = (hole + 1) & mask; index_[i] != kNil; i = (i + 1) & mask) {
    const std::size_t home = hash(key_of(pool_[index_[i]])) & mask;
    const bool movable = ((i - home) & mask) >= ((i - hole) & mask);
    if (movable) {
      index_[hole] = index_[i];
      index_[i] = kNil;
      hole = i;
    }
  }
}

// ---- pool ------------------------------------------------------------------------------------

ConnId ConnTable::allocate() {
  if (free_ != kNil) {
    const ConnId id = free_;
    free_ = pool_[id].next;
    return id;
  }
  assert(pool_.size() < kHeadTag);
  pool_.push_back(Entry{});
  return static_cast<ConnId>(pool_.size() - 1);
}

void ConnTable::release(ConnId id) {
  Entry& e = pool_[id];
  e.flags = 0;
  e.next = free_;
  free_ = id;
}

void ConnTable::count(ServerId s, const Entry& e, int delta) {
  if (s >= server_conns_.size()) return;
  auto& c = server_conns_[s];
  // IPVS: a connection is active while ESTABLISHED, inactive otherwise (UDP always).
  if (e.flags & kCountedActive)
    c.active = static_cast<std::uint32_t>(static_cast<std::int64_t>(c.active) + delta);
  else
    c.inactive = static_cast<std::uint32_t>(static_cast<std::int64_t>(c.inactive) + delta);
}

void ConnTable::set_state(Entry& e, ConnState to) {
  count(e.server, e, -1);
  e.state = static_cast<std::uint8_t>(to);
  const bool active = e.protocol == wire::ha::kProtoTcp && to == ConnState::Established;
  e.flags = static_cast<std::uint8_t>(active ? (e.flags | kCountedActive) : (e.flags & ~kCountedActive));
  count(e.server, e, +1);
}

// IPVS ip_vs_sync_conn_needed() with sync_refresh_period 0 (its default).
bool ConnTable::sync_needed(Entry& e, bool changed) {
  const SyncRule& r = cfg_.sync;
  switch (r.trigger) {
    case SyncTrigger::Off:
      return false;
    case SyncTrigger::NewConnection:
      if (!changed) return false;
      e.synced_state = e.state;
      return true;
    case SyncTrigger::Ipvs:
      break;
  }
  const auto s = static_cast<ConnState>(e.state);
  if (e.protocol == wire::ha::kProtoTcp) {
    const bool syncable =
        s == S::Established || s == S::FinWait || s == S::Close || s == S::CloseWait || s == S::TimeWait;
    if (!syncable) return false;
    if (e.state != e.synced_state && s != S::Established) {
      e.synced_state = e.state;  // a move to a closing state is sent at once
      return true;
    }
  }
  // `packets` holds in_pkts modulo the period (saturating when the period is 0), so one
  // comparison is IPVS's `pkts % sync_period == sync_threshold` (or `pkts == threshold`).
  if (e.packets != r.threshold) return false;
  e.synced_state = e.state;
  return true;
}

// ---- packets ---------------------------------------------------------------------------------

ConnTable::Update ConnTable::insert(Time now, const ConnKey& key, ServerId server, wire::TcpFlags flags) {
  assert(!find(key));
  const ConnId id = allocate();
  Entry& e = pool_[id];
  e = Entry{key.client_ip.value(),
            key.cluster_ip.value(),
            key.client_port,
            key.cluster_port,
            to_ms(now),
            server,
            0,
            key.protocol,
            static_cast<std::uint8_t>(ConnState::None),
            static_cast<std::uint8_t>(ConnState::None),
            kInUse,
            kNil,
            kNil};
  count(server, e, +1);
  if (server < server_conns_.size()) ++server_conns_[server].created;
  ++size_;
  ++counters_.inserted;
  index_insert(id);
  // The first packet moves the new connection out of NONE like any other.
  Update u = on_packet(now, id, flags);
  u.created = true;
  u.from = ConnState::None;
  if (cfg_.sync.trigger == SyncTrigger::NewConnection) u.sync = true;
  if (e.next == kNil && e.prev == kNil) wheel_link(id, expiry_tick(e));  // UDP: no state change linked it
  return u;
}

ConnTable::Update ConnTable::on_packet(Time now, ConnId id, wire::TcpFlags flags) {
  Entry& e = pool_[id];
  Update u;
  u.id = id;
  u.server = e.server;
  u.from = static_cast<ConnState>(e.state);
  e.last_seen_ms = to_ms(now);
  const std::uint16_t period = cfg_.sync.period;
  e.packets = period > 0 ? static_cast<std::uint16_t>((e.packets + 1) % period)
                         : static_cast<std::uint16_t>(e.packets == 0xffff ? 0xffff : e.packets + 1);
  ConnState to = u.from;
  if (e.protocol == wire::ha::kProtoTcp) to = tcp_input_only_next(u.from, flags);
  u.to = to;
  const bool changed = to != u.from;
  if (changed) {
    // The deadline may move earlier (900 s -> 10 s on a RST): move the entry in the wheel.
    // Without a change it only moves later, which the lazy wheel handles when it gets there.
    set_state(e, to);
    if (e.next != kNil || e.prev != kNil) wheel_unlink(id);
    wheel_link(id, expiry_tick(e));
  }
  u.sync = sync_needed(e, changed);
  return u;
}

bool ConnTable::apply_sync(Time now, const wire::HaSyncEntry& x) {
  const ServerId server = server_id(x.server_ip);
  if (server == kNoServer) {
    ++counters_.sync_unknown_server;
    return false;
  }
  ++counters_.sync_applied;
  const ConnKey key{x.protocol, x.client_ip, x.client_port, x.cluster_ip, x.cluster_port};
  const Time seen = now - Time::ms(x.age_ms);
  const std::uint32_t seen_ms = to_ms(seen < Time::zero() ? Time::zero() : seen);
  ConnId id;
  if (auto found = find(key)) {
    id = *found;
    Entry& e = pool_[id];
    if (e.server != server) {
      count(e.server, e, -1);
      e.server = server;
      count(e.server, e, +1);
    }
    if (seen_ms > e.last_seen_ms) e.last_seen_ms = seen_ms;
  } else {
    id = allocate();
    pool_[id] = Entry{x.client_ip.value(),
                      x.cluster_ip.value(),
                      x.client_port,
                      x.cluster_port,
                      seen_ms,
                      server,
                      0,
                      x.protocol,
                      static_cast<std::uint8_t>(ConnState::None),
                      static_cast<std::uint8_t>(x.state),
                      kInUse,
                      kNil,
                      kNil};
    count(server, pool_[id], +1);
    ++server_conns_[server].created;
    ++size_;
    index_insert(id);
  }
  Entry& e = pool_[id];
  set_state(e, x.protocol == wire::ha::kProtoTcp ? x.state : ConnState::None);
  e.synced_state = e.state;  // what the active balancer last sent: do not echo it back
  if (e.next != kNil || e.prev != kNil) wheel_unlink(id);
  wheel_link(id, expiry_tick(e));
  return true;
}

wire::HaSyncEntry ConnTable::sync_entry(ConnId id, Time now) const {
  const Entry& e = pool_[id];
  const std::int64_t age = std::int64_t{to_ms(now)} - e.last_seen_ms;
  return wire::HaSyncEntry{e.protocol,
                           static_cast<ConnState>(e.state),
                           wire::Ipv4(e.client_ip),
                           e.client_port,
                           wire::Ipv4(e.cluster_ip),
                           e.cluster_port,
                           servers_[e.server],
                           static_cast<std::uint32_t>(age < 0 ? 0 : age)};
}

Conn ConnTable::conn(ConnId id) const {
  const Entry& e = pool_[id];
  return Conn{key_of(e), e.server, static_cast<ConnState>(e.state), Time::ms(e.last_seen_ms)};
}

// ---- expiry: a lazy timer wheel --------------------------------------------------------------
//
// An entry sits in the slot of the tick at or after its deadline as it was when it was last
// linked. Packets only push the deadline later, so they leave the entry where it is; when its
// slot comes round, the entry is expired if due and otherwise relinked at its new deadline.
// A packet therefore costs O(1), and each entry is visited about once per timeout.

std::int64_t ConnTable::expiry_tick(const Entry& e) const {
  const std::int64_t deadline_ms =
      std::int64_t{e.last_seen_ms} +
      cfg_.timeouts.of(e.protocol, static_cast<ConnState>(e.state)) / Time::ms(1);
  return (deadline_ms + tick_ms_ - 1) / tick_ms_;
}

void ConnTable::wheel_link(ConnId id, std::int64_t tick) {
  if (tick <= wheel_done_) tick = wheel_done_ + 1;  // due already: the next tick expires it
  const std::size_t slot = static_cast<std::size_t>(tick) & (wheel_.size() - 1);
  Entry& e = pool_[id];
  e.prev = kHeadTag | static_cast<std::uint32_t>(slot);
  e.next = wheel_[slot];
  if (e.next != kNil) pool_[e.next].prev = id;
  wheel_[slot] = id;
  wheel_bits_[slot / 64] |= std::uint64_t{1} << (slot % 64);
}

void ConnTable::wheel_unlink(ConnId id) {
  Entry& e = pool_[id];
  if (e.prev & kHeadTag) {
    const std::size_t slot = e.prev & ~kHeadTag;
    wheel_[slot] = e.next;
    if (e.next == kNil) wheel_bits_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
  } else {
    pool_[e.prev].next = e.next;
  }
  if (e.next != kNil) pool_[e.next].prev = e.prev;
  e.next = e.prev = kNil;
}

void ConnTable::process_slot(std::size_t slot, std::int64_t tick, void* ctx,
                             void (*on_expired)(void*, const Conn&)) {
  std::uint32_t id = wheel_[slot];
  wheel_[slot] = kNil;
  wheel_bits_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
  while (id != kNil) {
    Entry& e = pool_[id];
    const std::uint32_t next = e.next;
    e.next = e.prev = kNil;
    const std::int64_t due = expiry_tick(e);
    if (due <= tick) {
      on_expired(ctx, conn(id));
      count(e.server, e, -1);
      index_erase(key_of(e));
      release(id);
      --size_;
      ++counters_.expired;
    } else {
      wheel_link(id, due);
    }
    id = next;
  }
}

std::size_t ConnTable::expire_impl(Time now, void* ctx, void (*on_expired)(void*, const Conn&)) {
  const std::int64_t now_tick = (now / Time::ms(1)) / tick_ms_;
  if (now_tick <= wheel_done_) return 0;
  const std::uint64_t before = counters_.expired;
  const auto slots = static_cast<std::int64_t>(wheel_.size());
  // Past one lap every slot has been seen once; the skipped ticks hold nothing else.
  std::int64_t from = std::max(wheel_done_ + 1, now_tick - slots + 1);
  for (std::int64_t t = from; t <= now_tick; ++t) {
    wheel_done_ = t;
    const std::size_t slot = static_cast<std::size_t>(t) & (wheel_.size() - 1);
    if (wheel_[slot] != kNil) process_slot(slot, t, ctx, on_expired);
  }
  return static_cast<std::size_t>(counters_.expired - before);
}

Time ConnTable::next_deadline() const {
  if (size_ == 0) return Time::max();
  const std::size_t n = wheel_.size();
  const std::size_t start = static_cast<std::size_t>(wheel_done_ + 1) & (n - 1);
  // Scan the bitmap a word at a time from the slot after the last tick processed; going
  // round once (plus the start word again) finds the nearest non-empty slot.
  for (std::size_t scanned = 0; scanned < n + 64;) {
    const std::size_t pos = (start + scanned) & (n - 1);
    const std::uint64_t bits = wheel_bits_[pos / 64] >> (pos % 64);
    if (bits != 0) {
      const std::size_t slot = pos + static_cast<std::size_t>(std::countr_zero(bits));
      const auto ahead = static_cast<std::int64_t>((slot - start) & (n - 1));
      return Time::ms((wheel_done_ + 1 + ahead) * tick_ms_);
    }
    scanned += 64 - pos % 64;
  }
  return Time::ms((wheel_done_ + 1) * tick_ms_);  // unreachable: every live entry is in the wheel
}

}  // namespace nlb::protocols
