#include "models/protocols/conn_table.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace nlb::protocols;
using nlb::sim::Time;
using nlb::wire::ConnState;
using nlb::wire::Ipv4;
using nlb::wire::TcpFlags;
namespace ha = nlb::wire::ha;

namespace {
const Ipv4 kVip(203, 0, 113, 10);
const std::vector<Ipv4> kServers = {Ipv4(10, 2, 0, 11), Ipv4(10, 2, 0, 12), Ipv4(10, 2, 0, 13)};

constexpr TcpFlags kSyn{TcpFlags::kSyn};
constexpr TcpFlags kAck{TcpFlags::kAck};
constexpr TcpFlags kPshAck{TcpFlags::kPsh | TcpFlags::kAck};
constexpr TcpFlags kFinAck{TcpFlags::kFin | TcpFlags::kAck};
constexpr TcpFlags kRst{TcpFlags::kRst};
constexpr TcpFlags kNone{0};

ConnKey tcp(std::uint32_t n) {
  return ConnKey{ha::kProtoTcp,
                 Ipv4(198, 51, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)),
                 static_cast<std::uint16_t>(40000 + n % 20000), kVip, 80};
}
ConnKey udp(std::uint32_t n) {
  ConnKey k = tcp(n);
  k.protocol = ha::kProtoUdp;
  k.cluster_port = 53;
  return k;
}

ConnTable table(ConnTableConfig cfg = {}) { return ConnTable(cfg, kServers); }

// SYN at t, ACK at t + 1 ms: an ESTABLISHED connection on `server`.
ConnId established(ConnTable& t, const ConnKey& k, ServerId server, Time at) {
  auto u = t.insert(at, k, server, kSyn);
  t.on_packet(at + Time::ms(1), u.id, kAck);
  return u.id;
}
}  // namespace

TEST_CASE("the balancer follows IPVS's INPUT-ONLY TCP transitions from the client's packets alone") {
  using S = ConnState;
  CHECK(tcp_input_only_next(S::None, kSyn) == S::SynRecv);
  CHECK(tcp_input_only_next(S::SynRecv, kAck) == S::Established);
  CHECK(tcp_input_only_next(S::Established, kPshAck) == S::Established);
  CHECK(tcp_input_only_next(S::Established, kFinAck) == S::FinWait);  // FIN wins over ACK
  CHECK(tcp_input_only_next(S::FinWait, kAck) == S::FinWait);
  CHECK(tcp_input_only_next(S::Established, kRst) == S::Close);
  CHECK(tcp_input_only_next(S::SynRecv, kRst) == S::SynRecv);  // IPVS keeps a half-open one
  CHECK(tcp_input_only_next(S::SynRecv, kFinAck) == S::TimeWait);
  CHECK(tcp_input_only_next(S::None, kAck) == S::Close);          // mid-stream packet of an unknown one
  CHECK(tcp_input_only_next(S::Established, kNone) == S::Close);  // no flag: IPVS's default
  CHECK(tcp_input_only_next(S::Close, kSyn) == S::SynRecv);       // port reuse
  CHECK(tcp_input_only_next(S::Established, TcpFlags{TcpFlags::kSyn | TcpFlags::kRst}) == S::Close);
}

TEST_CASE("every datagram of a connection goes to the server chosen for its first one") {
  ConnTable t = table();
  auto u = t.insert(Time::s(1), tcp(1), 2, kSyn);
  CHECK(u.created);
  CHECK(u.server == 2);
  CHECK(u.from == ConnState::None);
  CHECK(u.to == ConnState::SynRecv);
  auto id = t.find(tcp(1));
  REQUIRE(id);
  CHECK(*id == u.id);
  for (auto f : {kAck, kPshAck, kPshAck, kFinAck}) CHECK(t.on_packet(Time::s(2), *id, f).server == 2);
  CHECK_FALSE(t.find(tcp(2)));
  ConnKey other_port = tcp(1);
  other_port.cluster_port = 443;
  CHECK_FALSE(t.find(other_port));
  CHECK(t.conn(*id).state == ConnState::FinWait);
  CHECK(t.conn(*id).key == tcp(1));
}

TEST_CASE(
    "active and inactive counts follow IPVS: ESTABLISHED is active, every other state and UDP inactive") {
  ConnTable t = table();
  auto a = t.insert(Time::zero(), tcp(1), 0, kSyn);
  CHECK(t.server_conns(0).inactive == 1);
  CHECK(t.server_conns(0).active == 0);
  t.on_packet(Time::ms(1), a.id, kAck);
  CHECK(t.server_conns(0).active == 1);
  CHECK(t.server_conns(0).inactive == 0);
  t.on_packet(Time::ms(2), a.id, kFinAck);
  CHECK(t.server_conns(0).active == 0);
  CHECK(t.server_conns(0).inactive == 1);
  t.insert(Time::zero(), udp(2), 0, kNone);
  CHECK(t.server_conns(0).inactive == 2);
  CHECK(t.server_conns(0).created == 2);
  CHECK(t.server_conns(1).created == 0);
  t.expire(Time::s(1000));
  CHECK(t.server_conns(0).inactive == 0);
  CHECK(t.server_conns(0).created == 2);  // a running total
}

TEST_CASE("an established connection expires 900 s after its last packet") {
  ConnTable t = table();
  auto id = established(t, tcp(1), 0, Time::zero());
  t.on_packet(Time::s(100), id, kPshAck);
  CHECK(t.expire(Time::s(999) + Time::ms(900)) == 0);
  CHECK(t.size() == 1);
  CHECK(t.next_deadline() == Time::s(1000));
  std::vector<Conn> gone;
  CHECK(t.expire(Time::s(1000), [&](const Conn& c) { gone.push_back(c); }) == 1);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].key == tcp(1));
  CHECK(gone[0].state == ConnState::Established);
  CHECK(gone[0].last_seen == Time::s(100));
  CHECK(t.size() == 0);
  CHECK_FALSE(t.find(tcp(1)));
  CHECK(t.next_deadline() == Time::max());
}

TEST_CASE("a RST moves the deadline earlier: the CLOSE entry expires 10 s later, not 900 s") {
  ConnTable t = table();
  auto id = established(t, tcp(1), 0, Time::zero());
  t.on_packet(Time::s(50), id, kRst);
  CHECK(t.next_deadline() == Time::s(60));
  CHECK(t.expire(Time::s(59) + Time::ms(900)) == 0);
  CHECK(t.expire(Time::s(60)) == 1);
}

TEST_CASE("half-open, closing and UDP entries expire after IPVS's timeouts") {
  ConnTable t = table();
  t.insert(Time::zero(), tcp(1), 0, kSyn);  // SYN_RECV 60 s
  auto fw = established(t, tcp(2), 1, Time::zero());
  t.on_packet(Time::s(1), fw, kFinAck);      // FIN_WAIT 120 s
  t.insert(Time::zero(), udp(3), 2, kNone);  // UDP 300 s
  std::vector<std::pair<Time, ConnKey>> gone;
  for (Time now = Time::zero(); now <= Time::s(400); now = now + Time::ms(100))
    t.expire(now, [&](const Conn& c) { gone.emplace_back(now, c.key); });
  REQUIRE(gone.size() == 3);
  CHECK(gone[0] == std::pair{Time::s(60), tcp(1)});
  CHECK(gone[1] == std::pair{Time::s(121), tcp(2)});
  CHECK(gone[2] == std::pair{Time::s(300), udp(3)});
}

TEST_CASE("packets keep a connection alive: the lazy wheel relinks it instead of expiring it") {
  ConnTable t = table();
  auto id = established(t, tcp(1), 0, Time::zero());
  Time now = Time::zero();
  for (int i = 1; i <= 20; ++i) {
    now = Time::s(100) * i;
    t.expire(now);
    REQUIRE(t.size() == 1);
    t.on_packet(now, id, kPshAck);
  }
  CHECK(t.expire(now + Time::s(899)) == 0);
  CHECK(t.expire(now + Time::s(900)) == 1);
}

TEST_CASE("timeouts longer than the wheel's horizon still expire on time") {
  ConnTableConfig cfg;
  cfg.wheel_slots = 64;  // 6.4 s of wheel for a 900 s timeout
  ConnTable t = table(cfg);
  established(t, tcp(1), 0, Time::zero());
  Time expired_at = Time::max();
  for (Time now = Time::zero(); now <= Time::s(1000) && expired_at == Time::max();) {
    now = std::min(t.next_deadline(), Time::s(1000));
    if (t.expire(now) == 1) expired_at = now;
  }
  CHECK(expired_at == Time::ms(900'001) + Time::ms(99));  // last packet 1 ms; next 100 ms tick
}

TEST_CASE("expiring many entries keeps every other one findable (backward-shift deletion)") {
  ConnTable t = table();
  std::vector<ConnId> ids;
  for (std::uint32_t n = 0; n < 5000; ++n) {
    // Every third one gets a RST (CLOSE, 10 s); the others stay ESTABLISHED.
    auto id = established(t, tcp(n), static_cast<ServerId>(n % 3), Time::zero());
    if (n % 3 == 0) t.on_packet(Time::ms(2), id, kRst);
  }
  CHECK(t.size() == 5000);
  std::size_t n_expired = t.expire(Time::s(11));
  CHECK(n_expired == 1667);
  CHECK(t.size() == 3333);
  for (std::uint32_t n = 0; n < 5000; ++n) {
    auto id = t.find(tcp(n));
    CHECK(id.has_value() == (n % 3 != 0));
    if (id) CHECK(t.conn(*id).server == n % 3);
  }
  // Freed entries are reused.
  const auto bound = t.id_bound();
  for (std::uint32_t n = 5000; n < 5000 + 1667; ++n) t.insert(Time::s(12), tcp(n), 0, kSyn);
  CHECK(t.id_bound() == bound);
}

TEST_CASE("IPVS sync rule: an established connection is synced at its 3rd packet and every 50th after") {
  ConnTable t = table();
  std::vector<int> synced_at;
  auto u = t.insert(Time::zero(), tcp(1), 0, kSyn);
  int pkts = 1;
  if (u.sync) synced_at.push_back(pkts);
  for (pkts = 2; pkts <= 110; ++pkts)
    if (t.on_packet(Time::ms(pkts), u.id, pkts == 2 ? kAck : kPshAck).sync) synced_at.push_back(pkts);
  CHECK(synced_at == std::vector<int>{3, 53, 103});
}

TEST_CASE("IPVS sync rule: a move to a closing state is synced at once, SYN_RECV never") {
  ConnTableConfig cfg;
  cfg.sync.threshold = 4;  // so that the FIN below is not also the threshold packet
  ConnTable t = table(cfg);
  auto u = t.insert(Time::zero(), tcp(1), 0, kSyn);
  std::vector<bool> synced{u.sync};
  for (auto f : {kSyn, kAck, kPshAck, kFinAck, kAck})
    synced.push_back(t.on_packet(Time::ms(1), u.id, f).sync);
  // SYN, SYN again (SYN_RECV: never), ACK (ESTABLISHED: waits for the 4th packet), data (4th),
  // FIN (FIN_WAIT: at once), ACK.
  CHECK(synced == std::vector<bool>{false, false, false, true, true, false});
}

TEST_CASE("the NewConnection trigger syncs a connection when created and on each state change; Off never") {
  ConnTableConfig cfg;
  cfg.sync.trigger = SyncTrigger::NewConnection;
  ConnTable t = table(cfg);
  auto u = t.insert(Time::zero(), tcp(1), 0, kSyn);
  CHECK(u.sync);
  CHECK(t.on_packet(Time::ms(1), u.id, kAck).sync);
  CHECK_FALSE(t.on_packet(Time::ms(2), u.id, kPshAck).sync);
  CHECK(t.on_packet(Time::ms(3), u.id, kFinAck).sync);
  CHECK(t.insert(Time::zero(), udp(2), 1, kNone).sync);
  cfg.sync.trigger = SyncTrigger::Off;
  ConnTable off = table(cfg);
  auto v = off.insert(Time::zero(), tcp(1), 0, kSyn);
  CHECK_FALSE(v.sync);
  for (int i = 0; i < 60; ++i) CHECK_FALSE(off.on_packet(Time::ms(i), v.id, kAck).sync);
}

TEST_CASE("a synced entry on the standby keeps its server, state and age") {
  ConnTable active = table();
  auto id = established(active, tcp(7), 2, Time::s(10));
  const auto rec = active.sync_entry(id, Time::s(12));
  CHECK(rec.server_ip == kServers[2]);
  CHECK(rec.state == ConnState::Established);
  CHECK(rec.age_ms == 1999);  // last packet at 10.001 s
  ConnTable standby = table();
  CHECK(standby.apply_sync(Time::s(12) + Time::ms(1), rec));
  auto sid = standby.find(tcp(7));
  REQUIRE(sid);
  const Conn c = standby.conn(*sid);
  CHECK(c.server == 2);
  CHECK(c.state == ConnState::Established);
  CHECK(c.last_seen == Time::ms(10'002));
  CHECK(standby.server_conns(2).active == 1);
  // The standby's copy expires as the original would (plus the message's age rounding).
  CHECK(standby.next_deadline() == Time::ms(910'100));
  // A later record updates the same entry rather than adding one.
  auto later = rec;
  later.state = ConnState::FinWait;
  later.age_ms = 0;
  CHECK(standby.apply_sync(Time::s(20), later));
  CHECK(standby.size() == 1);
  CHECK(standby.conn(*sid).state == ConnState::FinWait);
  CHECK(standby.server_conns(2).active == 0);
  CHECK(standby.server_conns(2).inactive == 1);
  CHECK(standby.counters().sync_applied == 2);
}

TEST_CASE("a synced entry naming an unknown server is refused and counted") {
  ConnTable standby = table();
  nlb::wire::HaSyncEntry rec{
      ha::kProtoTcp, ConnState::Established, Ipv4(198, 51, 100, 7), 40000, kVip, 80, Ipv4(10, 2, 0, 99), 0};
  CHECK_FALSE(standby.apply_sync(Time::s(1), rec));
  CHECK(standby.size() == 0);
  CHECK(standby.counters().sync_unknown_server == 1);
}

TEST_CASE("a million connections take less than 100 bytes each") {
  ConnTable t = table();
  const std::uint32_t n = 1'000'000;
  for (std::uint32_t i = 0; i < n; ++i) {
    ConnKey k{ha::kProtoTcp, Ipv4(0x0a000000u + i), static_cast<std::uint16_t>(1024 + i % 60000), kVip, 80};
    t.insert(Time::ms(i / 1000), k, static_cast<ServerId>(i % 3), kSyn);
  }
  CHECK(t.size() == n);
  const double per_entry = double(t.memory_bytes()) / n;
  MESSAGE("connection table: " << t.memory_bytes() << " bytes for " << n << " entries = " << per_entry
                               << " bytes/entry");
  CHECK(per_entry < 100.0);
  ConnKey probe{ha::kProtoTcp, Ipv4(0x0a000000u + 777'777),
                static_cast<std::uint16_t>(1024 + 777'777 % 60000), kVip, 80};
  REQUIRE(t.find(probe));
  CHECK(t.conn(*t.find(probe)).server == 777'777 % 3);
  // All half-open: they leave together 60 s after their SYNs.
  CHECK(t.expire(Time::s(1061)) == n);
  CHECK(t.size() == 0);
}

TEST_CASE("connection table configuration errors name the field") {
  ConnTableConfig c;
  CHECK(c.check().empty());
  c.wheel_slots = 1000;
  CHECK(c.check().rfind("wheel_slots:", 0) == 0);
  c = {};
  c.sync.threshold = 50;
  CHECK(c.check().rfind("sync.threshold:", 0) == 0);
  c = {};
  c.timeouts.close = Time::zero();
  CHECK(c.check().rfind("timeouts:", 0) == 0);
  c = {};
  c.wheel_tick = Time::us(1500);
  CHECK(c.check().rfind("wheel_tick:", 0) == 0);
}
