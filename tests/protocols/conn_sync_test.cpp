#include "models/protocols/conn_sync.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace nlb::protocols;
using nlb::sim::Time;
using nlb::wire::ConnState;
using nlb::wire::HaSyncEntry;
using nlb::wire::HaSyncStatus;
using nlb::wire::HaSyncView;
using nlb::wire::Ipv4;
using nlb::wire::TcpFlags;
namespace ha = nlb::wire::ha;

namespace {
const Ipv4 kVip(203, 0, 113, 10);
const std::vector<Ipv4> kServers = {Ipv4(10, 2, 0, 11), Ipv4(10, 2, 0, 12)};

ConnKey key(std::uint32_t n) {
  return ConnKey{ha::kProtoTcp, Ipv4(0xc6330000u + n), static_cast<std::uint16_t>(1024 + n % 60000), kVip,
                 80};
}

HaSyncEntry entry(std::uint32_t n) {
  return HaSyncEntry{ha::kProtoTcp,
                     ConnState::Established,
                     Ipv4(0xc6330000u + n),
                     static_cast<std::uint16_t>(1024 + n),
                     kVip,
                     80,
                     kServers[n % 2],
                     0};
}

// What the sender emitted: a copy of each message's bytes and when.
struct Wire {
  std::vector<std::pair<Time, std::vector<std::byte>>> messages;
  auto sink(Time now) {
    return [this, now](nlb::wire::Bytes m, std::span<const HaSyncEntry>) {
      messages.emplace_back(now, std::vector<std::byte>(m.begin(), m.end()));
    };
  }
  HaSyncView view(std::size_t i) const { return HaSyncView::checked(messages[i].second).value(); }
};

// Polls the sender at each of its deadlines up to `end`.
void run(ConnSyncSender& s, const ConnTable& t, Wire& w, Time end) {
  for (Time next = s.next_deadline(); next <= end; next = s.next_deadline()) s.poll(next, t, w.sink(next));
}
}  // namespace

TEST_CASE("a partial sync batch leaves 2 s after its first entry, as IPVS's flush time says") {
  ConnTable t(ConnTableConfig{}, kServers);
  ConnSyncSender s(ConnSyncConfig{});
  Wire w;
  s.queue(Time::s(1), entry(1));
  s.queue(Time::ms(1500), entry(2));
  CHECK(s.next_deadline() == Time::s(3));
  CHECK(s.poll(Time::ms(2999), t, w.sink(Time::ms(2999))) == 0);
  run(s, t, w, Time::s(10));
  REQUIRE(w.messages.size() == 1);
  CHECK(w.messages[0].first == Time::s(3));
  auto v = w.view(0);
  CHECK(v.count() == 2);
  CHECK_FALSE(v.bulk());
  CHECK(v.entry(1) == entry(2));
  CHECK(s.next_deadline() == Time::max());
}

TEST_CASE("a full batch of 60 entries leaves at once") {
  ConnTable t(ConnTableConfig{}, kServers);
  ConnSyncSender s(ConnSyncConfig{});
  Wire w;
  for (std::uint32_t n = 0; n < 61; ++n) s.queue(Time::s(1), entry(n));
  CHECK(s.next_deadline() == Time::s(1));
  run(s, t, w, Time::s(1));
  // The 61st rides along in a second message of the same flush.
  REQUIRE(w.messages.size() == 2);
  CHECK(w.view(0).count() == 60);
  CHECK(w.view(1).count() == 1);
  CHECK(w.view(1).sequence() == w.view(0).sequence() + 1);
  CHECK(s.counters().entries == 61);
}

TEST_CASE("with flush_delay 0 the entries of one instant leave together in one message") {
  ConnTable t(ConnTableConfig{}, kServers);
  ConnSyncConfig cfg;
  cfg.flush_delay = Time::zero();
  ConnSyncSender s(cfg);
  Wire w;
  s.queue(Time::s(1), entry(1));
  s.queue(Time::s(1), entry(2));
  run(s, t, w, Time::s(1));
  s.queue(Time::s(2), entry(3));
  run(s, t, w, Time::s(5));
  REQUIRE(w.messages.size() == 2);
  CHECK(w.view(0).count() == 2);
  CHECK(w.messages[1].first == Time::s(2));
}

TEST_CASE("a bulk transfer sends the whole table, paced, and its last message says bulk end") {
  ConnTable active(ConnTableConfig{}, kServers);
  for (std::uint32_t n = 0; n < 2000; ++n)
    active.insert(Time::s(1), key(n), static_cast<ServerId>(n % 2), TcpFlags{2});
  ConnSyncSender s(ConnSyncConfig{});
  Wire w;
  s.start_bulk(Time::s(5));
  CHECK(s.bulk_in_progress());
  run(s, active, w, Time::s(6));
  CHECK_FALSE(s.bulk_in_progress());
  // 2000 entries = 34 messages of up to 60, 16 per 10 ms tick: at 5 s, 5.01 s and 5.02 s.
  REQUIRE(w.messages.size() == 34);
  CHECK(w.messages[15].first == Time::s(5));
  CHECK(w.messages[16].first == Time::s(5) + Time::ms(10));
  CHECK(w.messages[33].first == Time::s(5) + Time::ms(20));
  std::size_t entries = 0;
  for (std::size_t i = 0; i < w.messages.size(); ++i) {
    auto v = w.view(i);
    CHECK(v.bulk());
    CHECK(v.bulk_end() == (i == 33));
    entries += v.count();
  }
  CHECK(entries == 2000);

  // The standby applies them and reports Synchronizing, then Synchronized.
  ConnTable standby(ConnTableConfig{}, kServers);
  ConnSyncReceiver r;
  std::vector<HaSyncStatus> statuses;
  for (std::size_t i = 0; i < w.messages.size(); ++i) {
    auto res = r.on_message(w.messages[i].first, w.view(i), standby);
    if (res.status) statuses.push_back(*res.status);
  }
  CHECK(statuses == std::vector<HaSyncStatus>{HaSyncStatus::Synchronizing, HaSyncStatus::Synchronized});
  CHECK(standby.size() == 2000);
  for (std::uint32_t n = 0; n < 2000; n += 97) {
    auto id = standby.find(key(n));
    REQUIRE(id);
    CHECK(standby.conn(*id).server == n % 2);
    CHECK(standby.conn(*id).state == ConnState::SynRecv);
  }
}

TEST_CASE("after a takeover the new active balancer sends existing connections to the same servers") {
  // The active balancer syncs as IPVS does; the standby applies every message.
  ConnTable a(ConnTableConfig{}, kServers);
  ConnTable b(ConnTableConfig{}, kServers);
  ConnSyncConfig cfg;
  cfg.flush_delay = Time::zero();
  ConnSyncSender s(cfg);
  ConnSyncReceiver r;
  Wire w;
  for (std::uint32_t n = 0; n < 100; ++n) {
    const Time t0 = Time::ms(n);
    auto u = a.insert(t0, key(n), static_cast<ServerId>((n * 7) % 2), TcpFlags{TcpFlags::kSyn});
    for (auto f : {TcpFlags{TcpFlags::kAck}, TcpFlags{TcpFlags::kPsh | TcpFlags::kAck}}) {
      auto p = a.on_packet(t0, u.id, f);
      if (p.sync) s.queue(t0, a.sync_entry(u.id, t0));
    }
    run(s, a, w, t0);
  }
  for (std::size_t i = 0; i < w.messages.size(); ++i) r.on_message(w.messages[i].first, w.view(i), b);
  CHECK(b.size() == 100);  // each reached ESTABLISHED and its 3rd packet
  for (std::uint32_t n = 0; n < 100; ++n) {
    auto id = b.find(key(n));
    REQUIRE(id);
    CHECK(b.conn(*id).server == (n * 7) % 2);
  }
  CHECK(b.server_conns(0).active + b.server_conns(1).active == 100);
  CHECK(r.status() == HaSyncStatus::NotSynchronized);  // incremental sync is not a bulk transfer
}

TEST_CASE("a bulk transfer that loses a message leaves the standby not synchronized") {
  ConnTable active(ConnTableConfig{}, kServers);
  for (std::uint32_t n = 0; n < 200; ++n) active.insert(Time::s(1), key(n), 0, TcpFlags{2});
  ConnSyncSender s(ConnSyncConfig{});
  Wire w;
  s.start_bulk(Time::s(2));
  run(s, active, w, Time::s(3));
  REQUIRE(w.messages.size() == 4);
  ConnTable standby(ConnTableConfig{}, kServers);
  ConnSyncReceiver r;
  std::vector<HaSyncStatus> statuses;
  for (std::size_t i : {0, 1, 3}) {
    auto res = r.on_message(Time::s(2), w.view(i), standby);
    if (res.status) statuses.push_back(*res.status);
  }
  CHECK(statuses == std::vector<HaSyncStatus>{HaSyncStatus::Synchronizing, HaSyncStatus::NotSynchronized});
  CHECK(r.counters().sequence_gaps == 1);
  CHECK(standby.size() == 140);
}

TEST_CASE("the bulk transfer of an empty table is one empty message that ends it") {
  ConnTable empty(ConnTableConfig{}, kServers);
  ConnSyncSender s(ConnSyncConfig{});
  Wire w;
  s.start_bulk(Time::s(1));
  run(s, empty, w, Time::s(2));
  REQUIRE(w.messages.size() == 1);
  CHECK(w.view(0).count() == 0);
  CHECK(w.view(0).bulk_end());
  ConnTable standby(ConnTableConfig{}, kServers);
  ConnSyncReceiver r;
  CHECK(r.on_message(Time::s(1), w.view(0), standby).status == HaSyncStatus::Synchronized);
}

TEST_CASE("cancel drops pending entries and an unfinished bulk transfer") {
  ConnTable t(ConnTableConfig{}, kServers);
  for (std::uint32_t n = 0; n < 2000; ++n) t.insert(Time::s(1), key(n), 0, TcpFlags{2});
  ConnSyncSender s(ConnSyncConfig{});
  Wire w;
  s.queue(Time::s(1), entry(1));
  s.start_bulk(Time::s(1));
  s.poll(Time::s(1), t, w.sink(Time::s(1)));
  CHECK(s.bulk_in_progress());
  s.cancel();
  CHECK(s.next_deadline() == Time::max());
  CHECK_FALSE(s.bulk_in_progress());
  CHECK(s.pending() == 0);
}

TEST_CASE("sync configuration errors name the field") {
  ConnSyncConfig c;
  CHECK(c.check().empty());
  c.max_entries = 61;
  CHECK(c.check().rfind("max_entries:", 0) == 0);
  c = {};
  c.bulk_tick = Time::zero();
  CHECK(c.check().rfind("bulk_tick:", 0) == 0);
}
