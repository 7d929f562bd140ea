// The balancer pair's heartbeat and connection-sync messages (models/wire/ha.*).

#include "models/wire/ha.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "models/wire/udp.hpp"
#include "tests/wire/tshark_util.hpp"
#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::for_each_truncation;
using nlb::wire::test::hex;
using nlb::wire::test::to_hex;

namespace {
// Active primary, priority 100, synchronized, reaching 2 of 3 targets, hearing its peer, seq 258.
const auto kHeartbeat =
    hex("4e 4c 42 48 01 01 00 14"
        "01 01 64 02 02 03 02 00"
        "00 00 01 02");

// Sequence 7, last message of a bulk transfer, two entries: an ESTABLISHED TCP connection
// 198.51.100.7:40000 -> 203.0.113.10:80 on server 10.2.0.11 seen 1 s ago, and a UDP flow.
const auto kSync =
    hex("4e 4c 42 48 01 02 00 40  00 00 00 07 00 02 03 00"
        "06 01 00 00 c6 33 64 07  9c 40 00 50 cb 00 71 0a  0a 02 00 0b 00 00 03 e8"
        "11 00 00 00 c6 33 64 08  13 88 00 35 cb 00 71 0a  0a 02 00 0c 00 00 00 00");

HaSyncEntry tcp_entry() {
  return {ha::kProtoTcp,         ConnState::Established,
          Ipv4(198, 51, 100, 7), 40000,
          Ipv4(203, 0, 113, 10), 80,
          Ipv4(10, 2, 0, 11),    1000};
}
HaSyncEntry udp_entry() {
  return {ha::kProtoUdp,         ConnState::None,
          Ipv4(198, 51, 100, 8), 5000,
          Ipv4(203, 0, 113, 10), 53,
          Ipv4(10, 2, 0, 12),    0};
}

// The field a truncation at `n` bytes must name: the first whose end is beyond n.
struct Expected {
  const char* name;
  std::size_t begin, end;
};
}  // namespace

TEST_CASE("heartbeat bytes parse into state, role, priority, sync status, reach and sequence") {
  auto h = HaHeartbeat::parse(kHeartbeat);
  REQUIRE(h.ok());
  CHECK(h->state == HaState::Active);
  CHECK(h->role == HaRole::Primary);
  CHECK(h->priority == 100);
  CHECK(h->sync == HaSyncStatus::Synchronized);
  CHECK(h->reach == 2);
  CHECK(h->reach_total == 3);
  CHECK_FALSE(h->takeover_request);
  CHECK(h->hears_peer);
  CHECK(h->sequence == 258);
  CHECK(ha_message_type(kHeartbeat).value() == HaMessageType::Heartbeat);
}

TEST_CASE("heartbeat built from values emits the same 20 bytes and round-trips") {
  HaHeartbeat h{HaState::Active, HaRole::Primary, 100, HaSyncStatus::Synchronized, 2, 3, false, true, 258};
  std::vector<std::byte> out(h.wire_len());
  h.emit(out);
  CHECK(to_hex(out) == to_hex(kHeartbeat));
  h.takeover_request = true;
  h.state = HaState::Standby;
  h.emit(out);
  CHECK(HaHeartbeat::parse(out).value() == h);
  CHECK(std::to_integer<int>(out[ha::field::heartbeat::flags.begin]) == 3);
}

TEST_CASE("a heartbeat cut at any length names the field that does not fit") {
  const Expected fields[] = {{"ha.magic", 0, 4},
                             {"ha.version", 4, 5},
                             {"ha.type", 5, 6},
                             {"ha.length", 6, 8},
                             {"ha.heartbeat.state", 8, 9},
                             {"ha.heartbeat.role", 9, 10},
                             {"ha.heartbeat.priority", 10, 11},
                             {"ha.heartbeat.sync", 11, 12},
                             {"ha.heartbeat.reach", 12, 13},
                             {"ha.heartbeat.reach_total", 13, 14},
                             {"ha.heartbeat.flags", 14, 15},
                             {"ha.heartbeat.reserved", 15, 16},
                             {"ha.heartbeat.sequence", 16, 20}};
  std::size_t tried = 0;
  for_each_truncation(kHeartbeat, [&](Bytes cut, std::size_t n) {
    CAPTURE(n);
    auto r = HaHeartbeat::parse(cut);
    REQUIRE_FALSE(r.ok());
    const auto* want = std::find_if(std::begin(fields), std::end(fields), [&](auto& f) { return n < f.end; });
    CHECK(r.error() == WireError{want->name, want->begin, "truncated"});
    ++tried;
  });
  CHECK(tried == 20);
}

TEST_CASE("sync bytes parse into a batch of connection entries") {
  auto s = HaSync::parse(kSync);
  REQUIRE(s.ok());
  CHECK(s->sequence == 7);
  CHECK(s->flags == (ha::kSyncBulk | ha::kSyncBulkEnd));
  REQUIRE(s->entries.size() == 2);
  CHECK(s->entries[0] == tcp_entry());
  CHECK(s->entries[1] == udp_entry());
  CHECK(ha_message_type(kSync).value() == HaMessageType::ConnSync);
}

TEST_CASE("sync view reads entries in place, without copying the batch") {
  auto v = HaSyncView::checked(kSync);
  REQUIRE(v.ok());
  CHECK(v->count() == 2);
  CHECK(v->bulk());
  CHECK(v->bulk_end());
  CHECK(v->entry(0) == tcp_entry());
  CHECK(v->entry(1).client_port == 5000);
  CHECK(to_string(v->entry(0).state) == "ESTABLISHED");
}

TEST_CASE("sync built from values emits the captured bytes, from a vector or a span") {
  HaSync s{7, ha::kSyncBulk | ha::kSyncBulkEnd, {tcp_entry(), udp_entry()}};
  std::vector<std::byte> out(s.wire_len());
  CHECK(out.size() == 64);
  s.emit(out);
  CHECK(to_hex(out) == to_hex(kSync));
  const HaSyncEntry batch[] = {tcp_entry(), udp_entry()};
  std::vector<std::byte> out2(HaSync::wire_len_for(2));
  HaSync::emit_batch(7, 3, batch, out2);
  CHECK(out2 == out);
  CHECK(HaSync::parse(out).value() == s);
}

TEST_CASE("a sync message cut at any length names the header field or the entry that does not fit") {
  const Expected fields[] = {{"ha.magic", 0, 4},          {"ha.version", 4, 5},
                             {"ha.type", 5, 6},           {"ha.length", 6, 8},
                             {"ha.sync.sequence", 8, 12}, {"ha.sync.count", 12, 14},
                             {"ha.sync.flags", 14, 15},   {"ha.sync.reserved", 15, 16},
                             {"ha.sync.entry", 16, 40},   {"ha.sync.entry", 40, 64}};
  std::size_t tried = 0;
  for_each_truncation(kSync, [&](Bytes cut, std::size_t n) {
    CAPTURE(n);
    auto r = HaSync::parse(cut);
    REQUIRE_FALSE(r.ok());
    const auto* want = std::find_if(std::begin(fields), std::end(fields), [&](auto& f) { return n < f.end; });
    CHECK(r.error() == WireError{want->name, want->begin, "truncated"});
    ++tried;
  });
  CHECK(tried == 64);
}

TEST_CASE("an empty sync message is valid: a bulk transfer of an empty table is just its end") {
  HaSync s{1, ha::kSyncBulk | ha::kSyncBulkEnd, {}};
  std::vector<std::byte> out(s.wire_len());
  s.emit(out);
  auto back = HaSync::parse(out);
  REQUIRE(back.ok());
  CHECK(back->entries.empty());
  CHECK(back->flags == 3);
}

TEST_CASE("a full batch of 60 entries fits one Ethernet MTU behind IPv4 and UDP") {
  CHECK(HaSync::wire_len_for(ha::kMaxSyncEntries) + 20 + 8 <= 1500);
  CHECK(HaSync::wire_len_for(ha::kMaxSyncEntries + 1) + 20 + 8 > 1500);
}

TEST_CASE("wrong magic, version, type, length or count are errors that name the field") {
  auto bad = kHeartbeat;
  bad[0] = std::byte{0x4f};
  CHECK(HaHeartbeat::parse(bad).error() == WireError{"ha.magic", 0, "not an nlbsim HA message (bad magic)"});
  bad = kHeartbeat;
  bad[4] = std::byte{2};
  CHECK(HaHeartbeat::parse(bad).error() == WireError{"ha.version", 4, "unsupported version"});
  bad = kHeartbeat;
  bad[5] = std::byte{9};
  CHECK(ha_message_type(bad).error() == WireError{"ha.type", 5, "unknown message type"});
  bad = kHeartbeat;
  bad[7] = std::byte{21};
  CHECK(HaHeartbeat::parse(bad).error() == WireError{"ha.length", 6, "length is not a heartbeat's 20 bytes"});
  CHECK(HaHeartbeat::parse(kSync).error() == WireError{"ha.type", 5, "not a heartbeat"});
  CHECK(HaSync::parse(kHeartbeat).error() == WireError{"ha.type", 5, "not a connection-sync message"});
  bad = kSync;
  bad[13] = std::byte{61};
  CHECK(HaSync::parse(bad).error() == WireError{"ha.sync.count", 12, "more than 60 entries"});
  bad = kSync;
  bad[13] = std::byte{1};
  CHECK(HaSync::parse(bad).error() == WireError{"ha.length", 6, "length does not match the entry count"});
  // A bad magic is reported even when the buffer is too short for the rest.
  CHECK(ha_message_type(hex("00 00 00 00 01")).error().field == std::string("ha.magic"));
}

TEST_CASE("bytes after the stated length are ignored") {
  auto padded = kHeartbeat;
  padded.resize(32, std::byte{0xee});
  REQUIRE(HaHeartbeat::parse(padded).ok());
  CHECK(HaHeartbeat::parse(padded)->sequence == 258);
}

TEST_CASE("unknown state, role and sync values are kept and print their number") {
  auto odd = kHeartbeat;
  odd[8] = std::byte{9};
  odd[9] = std::byte{7};
  odd[11] = std::byte{5};
  auto h = HaHeartbeat::parse(odd);
  REQUIRE(h.ok());
  CHECK(to_string(h->state) == "state=9");
  CHECK(to_string(h->role) == "role=7");
  CHECK(to_string(h->sync) == "sync=5");
  CHECK(to_string(ConnState{42}) == "state=42");
  CHECK(to_string(HaState::Standby) == "standby");
  CHECK(to_string(ConnState::SynRecv) == "SYN_RECV");
  CHECK(to_string(ConnState::SynAck) == "SYNACK");
}

TEST_CASE("heartbeat and sync datagrams on UDP 8849 dissect in Wireshark without a warning") {
  using namespace nlb::wire::test;
  if (!tshark_available()) {
    MESSAGE("tshark not found: Wireshark cross-check skipped");
    return;
  }
  std::vector<std::vector<std::byte>> frames;
  auto add = [&](Bytes payload) {
    const Ipv4 src(10, 1, 0, 11), dst(10, 1, 0, 12);
    auto b = FrameBuilder::ipv4(IpProto::Udp, src, dst, udp::kHeaderLen + payload.size());
    std::copy(payload.begin(), payload.end(), b.l4().begin() + udp::kHeaderLen);
    UdpHeader{ha::kUdpPort, ha::kUdpPort}.emit(b.l4(), src, dst, b.l4().subspan(udp::kHeaderLen));
    frames.push_back(b.captured());
  };
  add(kHeartbeat);
  std::vector<HaSyncEntry> full(ha::kMaxSyncEntries, tcp_entry());
  std::vector<std::byte> big(HaSync::wire_len_for(full.size()));
  HaSync::emit_batch(9, 0, full, big);
  add(big);
  const std::string path = std::string(NLBSIM_BINARY_DIR) + "/protocols_ha_wire.pcap";
  write_pcap(path, frames);
  const std::string out = tshark_dissect(path);
  INFO(out);
  CHECK(count_of(out, "Destination Port: 8849") == 2);
  CHECK(count_of(out, "Checksum Status: Good") >= 2);
  CHECK(count_of(out, "Malformed") == 0);
  CHECK(count_of(out, "Expert Info") == 0);
}
