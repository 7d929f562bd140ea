#include "models/wire/describe.hpp"

#include <doctest/doctest.h>

#include <random>

#include "tests/wire/sample_frames.hpp"
#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using namespace nlb::wire::test;

namespace {

const Field* find(const std::vector<Layer>& layers, std::string_view layer, std::string_view field) {
  for (const auto& l : layers)
    if (l.name == layer)
      for (const auto& f : l.fields)
        if (f.name == field) return &f;
  return nullptr;
}

bool has_error(const std::vector<Layer>& layers) {
  for (const auto& l : layers)
    for (const auto& f : l.fields)
      if (f.name == "error") return true;
  return false;
}

}  // namespace

TEST_CASE("each sample frame is described in one tcpdump-style line") {
  const char* expect[] = {
      "ARP who-has 10.0.0.11 tell 10.0.0.1",
      "ARP reply 10.0.0.11 is-at 02:00:00:00:00:0b",
      "gratuitous ARP 10.0.0.20 is-at 02:00:00:00:00:14",
      "gratuitous ARP 10.0.0.20 is-at 02:00:00:00:00:14 (reply)",
      "ARP probe who-has 10.0.0.20",
      "ICMP 10.0.0.1 > 10.0.0.11 echo request id 1 seq 3 len 32",
      "ICMP 10.0.0.11 > 10.0.0.1 echo reply id 1 seq 3 len 32",
      "ICMP 10.0.0.1 > 198.51.100.7 time exceeded code 0 (for UDP 198.51.100.7 > 203.0.113.10)",
      "UDP 198.51.100.7:40001 > 203.0.113.10:5000 len 5",
      "UDP 198.51.100.7:40001 > 203.0.113.10:5000 len 1003",
      "UDP 198.51.100.7:40001 > 203.0.113.10:5000 len 0",
      "TCP 198.51.100.7:40000 > 203.0.113.10:80 [S] seq 1000 win 64240 len 0",
      "TCP 198.51.100.7:40000 > 203.0.113.10:80 [P.] seq 1001 ack 5001 win 502 len 27",
      "TCP 203.0.113.10:80 > 198.51.100.7:40000 [.] seq 5001 ack 1028 win 509 len 1400",
      "VRRPv3 vrid 1 prio 100 10.0.0.3 203.0.113.1",
      "VRRPv2 vrid 1 prio 100 10.0.0.3 203.0.113.1",
  };
  auto frames = sample_frames();
  REQUIRE(frames.size() == std::size(expect));
  for (std::size_t i = 0; i < frames.size(); ++i) CHECK(describe_frame(frames[i]) == expect[i]);
}

TEST_CASE("a frame with virtual payload is described and decoded with the virtual length counted") {
  TcpHeader h{
      .src_port = 80, .dst_port = 40000, .seq = 7, .ack = 9, .flags = {TcpFlags::kAck}, .window = 100};
  auto b = FrameBuilder::ipv4(IpProto::Tcp, kCluster, kClient, 20 + 1, 1399);
  b.l4()[20] = std::byte{'H'};
  h.emit(b.l4(), kCluster, kClient, b.l4().subspan(20), 1399);
  CHECK(describe_frame(b.bytes, 1399) ==
        "TCP 203.0.113.10:80 > 198.51.100.7:40000 [.] seq 7 ack 9 win 100 len 1400");
  auto layers = decode_frame(b.bytes, 1399);
  REQUIRE(layers.size() == 3);
  CHECK(find(layers, "TCP", "payload")->value == "1400 bytes (1399 virtual)");
  CHECK(find(layers, "TCP", "checksum")->value.ends_with("(correct)"));
  CHECK(find(layers, "IPv4", "total_length")->value == "1440");
  // Without the virtual length the IPv4 total length does not fit.
  CHECK(describe_frame(b.bytes).starts_with(
      "malformed IPv4: longer than packet in ipv4.total_length at byte 16"));
}

TEST_CASE("every sample frame decodes into layers with correct checksums and no error") {
  for (const auto& f : sample_frames()) {
    auto layers = decode_frame(f);
    CAPTURE(describe_frame(f));
    CHECK_FALSE(has_error(layers));
    CHECK(layers.front().name == "Ethernet");
    for (const auto& l : layers)
      for (const auto& fl : l.fields) {
        CHECK(fl.offset + fl.length <= f.size());
        if (fl.name == "checksum") CHECK(fl.value.find("incorrect") == std::string::npos);
      }
  }
}

TEST_CASE("decoded fields sit at their byte offsets in the frame") {
  auto frames = sample_frames();
  auto arp = decode_frame(frames[0]);
  REQUIRE(arp.size() == 2);
  CHECK(arp[1].name == "ARP");
  CHECK(find(arp, "ARP", "tpa")->value == "10.0.0.11");
  CHECK(find(arp, "ARP", "tpa")->offset == 14 + 24);
  CHECK(find(arp, "Ethernet", "padding")->value == "18 bytes");
  CHECK(find(arp, "Ethernet", "type")->value == "0x0806 (ARP)");
  auto syn = decode_frame(frames[11]);
  REQUIRE(syn.size() == 3);
  CHECK(find(syn, "TCP", "flags")->value == "0x02 [S]");
  CHECK(find(syn, "TCP", "flags")->offset == 14 + 20 + 13);
  CHECK(find(syn, "TCP", "options")->value == "mss 1460, sackOK, TS val 1 ecr 0, wscale 7");
  CHECK(find(syn, "IPv4", "ttl")->value == "64");
  auto vrrp = decode_frame(frames[14]);
  CHECK(find(vrrp, "VRRP", "max_advert_int")->value == "100 cs");
  CHECK(find(vrrp, "VRRP", "checksum")->value.ends_with("(correct)"));
  auto te = decode_frame(frames[7]);
  REQUIRE(te.size() == 4);
  CHECK(te[3].name == "Quoted IPv4");
  CHECK(find(te, "Quoted IPv4", "dst_port")->value == "5000");
}

TEST_CASE("corrupted checksums are shown with the value they should have") {
  auto f = sample_frames()[8];  // UDP "hello"
  f[14 + 20 + 8] ^= std::byte{1};
  CHECK(describe_frame(f) == "UDP 198.51.100.7:40001 > 203.0.113.10:5000 len 5 [bad checksum]");
  auto layers = decode_frame(f);
  auto c = find(layers, "UDP", "checksum");
  REQUIRE(c);
  CHECK(c->value.find("incorrect, should be 0x") != std::string::npos);
  auto ip = sample_frames()[8];
  ip[14 + 8] = std::byte{1};  // TTL changed, IPv4 checksum not updated
  CHECK(describe_frame(ip).ends_with("[bad IPv4 checksum]"));
}

TEST_CASE("an rfc 9568 vrrpv3 checksum is recognised rather than called bad") {
  auto f = vrrp_frame(sample_vrrp(3), Ipv4(10, 0, 0, 1), VrrpChecksumMode::NoPseudoHeader);
  CHECK(describe_frame(f) == "VRRPv3 vrid 1 prio 100 10.0.0.3 203.0.113.1 [checksum without pseudo-header]");
  auto layers = decode_frame(f);
  CHECK(find(layers, "VRRP", "checksum")->value.ends_with("(correct without pseudo-header, RFC 9568)"));
}

TEST_CASE("a non-ip ethertype is described by its type and length") {
  auto f = hex("33 33 00 00 00 01 02 00 00 00 00 01 86 dd 60 00 00 00");
  CHECK(describe_frame(f) == "Ethernet 02:00:00:00:00:01 > 33:33:00:00:00:01 type 0x86dd len 18");
  auto layers = decode_frame(f);
  REQUIRE(layers.size() == 1);
  CHECK(find(layers, "Ethernet", "payload")->value == "4 bytes");
}

TEST_CASE("every truncation of every sample frame is described and decoded without a crash") {
  for (const auto& f : sample_frames()) {
    for_each_truncation(f, [](Bytes b, std::size_t) {
      CHECK_FALSE(describe_frame(b).empty());
      auto layers = decode_frame(b);
      CHECK_FALSE(layers.empty());
      for (const auto& l : layers)
        for (const auto& fl : l.fields)
          CHECK(fl.offset + fl.length <= b.size() + (fl.name == "payload" ? 65535 : 0));
    });
  }
  CHECK(describe_frame({}) == "malformed Ethernet: truncated in eth.dst at byte 0");
  CHECK(decode_frame({}).front().fields.front().name == "error");
}

TEST_CASE("random bytes and random corruption never crash describe or decode") {
  std::mt19937 gen(11);  // fixed seed: the same inputs on every run
  auto frames = sample_frames();
  for (int round = 0; round < 3000; ++round) {
    auto f = frames[static_cast<std::size_t>(round) % frames.size()];
    for (int k = 0; k < 1 + round % 4; ++k) f[gen() % f.size()] = std::byte(gen() & 0xff);
    std::vector<std::byte> cut(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(gen() % (f.size() + 1)));
    auto virt = static_cast<std::uint32_t>(gen() % 3 == 0 ? gen() % 2000 : 0);
    CHECK_FALSE(describe_frame(cut, virt).empty());
    CHECK_FALSE(decode_frame(cut, virt).empty());
  }
}

TEST_CASE("frames are classified into the trace's kinds") {
  const char* expect[] = {"arp", "arp", "garp", "garp", "arp",          "icmp", "icmp", "icmp",
                          "udp", "udp", "udp",  "tcp",  "http-request", "tcp",  "vrrp", "vrrp"};
  auto frames = sample_frames();
  REQUIRE(frames.size() == std::size(expect));
  for (std::size_t i = 0; i < frames.size(); ++i) CHECK(std::string(frame_kind(frames[i])) == expect[i]);
  TcpHeader h{.src_port = 80, .dst_port = 40000, .flags = {TcpFlags::kAck}};
  std::string_view status = "HTTP/1.1 200 OK\r\n";
  CHECK(std::string(frame_kind(tcp_frame(h, status, 0, kCluster, kClient))) == "http-response");
  CHECK(std::string(frame_kind(hex("ff ff"))) == "other");
}
