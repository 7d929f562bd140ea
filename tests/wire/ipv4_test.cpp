#include "models/wire/ipv4.hpp"

#include <doctest/doctest.h>

#include <random>

#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
// The classic header of the IPv4 checksum example (UDP, 192.168.0.1 -> 192.168.0.199,
// total length 115, checksum 0xb861). Only the header is stored: 95 payload bytes are virtual.
const auto kHeader = hex("45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7");
constexpr std::uint32_t kVirtual = 0x73 - 20;
}  // namespace

TEST_CASE("classic ipv4 header parses into its fields and checksum 0xb861") {
  auto h = Ipv4Header::parse(kHeader, kVirtual);
  REQUIRE(h.ok());
  CHECK(h->dscp == 0);
  CHECK(h->ecn == 0);
  CHECK(h->total_length == 115);
  CHECK(h->ident == 0);
  CHECK(h->dont_fragment);
  CHECK_FALSE(h->more_fragments);
  CHECK(h->fragment_offset == 0);
  CHECK(h->ttl == 64);
  CHECK(h->protocol == IpProto::Udp);
  CHECK(h->checksum == 0xb861);
  CHECK(h->src == Ipv4(192, 168, 0, 1));
  CHECK(h->dst == Ipv4(192, 168, 0, 199));
  CHECK(h->header_len() == 20);
  CHECK(h->payload_len() == 95);
}

TEST_CASE("ipv4 header built from values emits the classic bytes with a computed checksum") {
  Ipv4Header h{.total_length = 115,
               .dont_fragment = true,
               .ttl = 64,
               .protocol = IpProto::Udp,
               .src = Ipv4(192, 168, 0, 1),
               .dst = Ipv4(192, 168, 0, 199)};
  std::vector<std::byte> out(h.wire_len());
  h.emit(out);
  CHECK(std::ranges::equal(out, kHeader));
  auto back = Ipv4Header::parse(out, kVirtual);
  REQUIRE(back.ok());
  h.checksum = 0xb861;
  CHECK(back.value() == h);
}

TEST_CASE("ipv4 view reads the fields and splits real from virtual payload") {
  auto v = Ipv4View::checked(kHeader, kVirtual);
  REQUIRE(v.ok());
  CHECK(v->version() == 4);
  CHECK(v->header_len() == 20);
  CHECK(v->total_length() == 115);
  CHECK(v->ttl() == 64);
  CHECK(v->protocol() == IpProto::Udp);
  CHECK(v->src() == Ipv4(192, 168, 0, 1));
  CHECK(v->checksum_ok());
  CHECK(v->payload().empty());
  CHECK(v->payload_virtual_len() == 95);
}

TEST_CASE("ipv4 payload stops at total_length and ignores ethernet padding") {
  // 20-byte header + 8 bytes of payload, then 18 bytes of padding up to a 60-byte frame.
  Ipv4Header h{.protocol = IpProto::Udp, .src = Ipv4(10, 0, 0, 1), .dst = Ipv4(10, 0, 0, 2)};
  h.set_payload_len(8);
  std::vector<std::byte> pkt(46, std::byte{0});
  h.emit(pkt);
  pkt[20] = std::byte{0xaa};
  auto v = Ipv4View::checked(pkt);
  REQUIRE(v.ok());
  CHECK(v->payload().size() == 8);
  CHECK(v->payload()[0] == std::byte{0xaa});
  CHECK(v->payload_virtual_len() == 0);
}

TEST_CASE("ipv4 options are kept as raw bytes and counted in the header length") {
  Ipv4Header h{.ttl = 1, .protocol = IpProto{2}, .src = Ipv4(10, 0, 0, 1), .dst = Ipv4(224, 0, 0, 22)};
  auto router_alert = hex("94 04 00 00");  // RFC 2113
  REQUIRE(h.options.assign(router_alert));
  h.set_payload_len(8);
  std::vector<std::byte> pkt(32, std::byte{0});
  h.emit(pkt);
  CHECK(std::to_integer<int>(pkt[0]) == 0x46);
  auto back = Ipv4Header::parse(pkt);
  REQUIRE(back.ok());
  CHECK(back->header_len() == 24);
  CHECK(std::ranges::equal(back->options.bytes(), router_alert));
  CHECK(to_string(back->protocol) == "proto=2");
  CHECK_FALSE(h.options.assign(hex("01 02 03")));  // not a multiple of 4
}

TEST_CASE("a corrupted ipv4 header is reported as a bad checksum at byte 10") {
  auto b = kHeader;
  b[8] = std::byte{0x3f};  // TTL changed without the checksum
  CHECK(Ipv4Header::parse(b, kVirtual).error() == WireError{"ipv4.checksum", 10, "bad checksum"});
  b = kHeader;
  b[11] = std::byte{0x62};
  CHECK(Ipv4Header::parse(b, kVirtual).error() == WireError{"ipv4.checksum", 10, "bad checksum"});
}

TEST_CASE("ipv4 version, header length and total length errors name the field and offset") {
  auto with = [](std::size_t at, std::uint8_t v) {
    auto b = kHeader;
    b[at] = std::byte{v};
    return Ipv4Header::parse(b, kVirtual).error();
  };
  CHECK(with(0, 0x65) == WireError{"ipv4.version", 0, "unsupported version"});
  CHECK(with(0, 0x44) == WireError{"ipv4.ihl", 0, "header length below 20"});
  CHECK(with(0, 0x46) == WireError{"ipv4.options", 20, "truncated"});  // IHL 6, only 20 bytes
  CHECK(with(3, 0x10) == WireError{"ipv4.total_length", 2, "shorter than header"});
  // total_length must fit in the real bytes plus the virtual ones.
  CHECK(Ipv4Header::parse(kHeader).error() == WireError{"ipv4.total_length", 2, "longer than packet"});
  CHECK(Ipv4Header::parse(kHeader, kVirtual - 1).error() ==
        WireError{"ipv4.total_length", 2, "longer than packet"});
}

TEST_CASE("every truncated ipv4 header is an error, never a read past the end") {
  nlb::wire::test::for_each_truncation(kHeader, [](Bytes b, std::size_t n) {
    auto h = Ipv4Header::parse(b, kVirtual);
    REQUIRE_FALSE(h.ok());
    CHECK(std::string(h.error().what) == "truncated");
    CHECK(h.error().offset <= n);
  });
}

TEST_CASE("a quoted header is parsed without its datagram and without checksum check") {
  auto b = kHeader;
  b[10] = std::byte{0};  // checksum not verified in a quote
  auto q = Ipv4Header::parse_quoted(b);
  REQUIRE(q.ok());
  CHECK(q->total_length == 115);
  CHECK(q->dst == Ipv4(192, 168, 0, 199));
  CHECK_FALSE(Ipv4Header::parse_quoted(std::span(kHeader).first(19)).ok());
}

TEST_CASE("rfc 1624 incremental update gives 0x0000 on the RFC's own example") {
  // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555, m' = 0x3285 -> eqn. 3 yields 0x0000.
  CHECK(checksum_update(0xdd2f, 0x5555, 0x3285) == 0x0000);
}

TEST_CASE("ttl decrement in place matches a full checksum recompute for every ttl") {
  std::mt19937 gen(7);  // fixed seed: the same headers on every run
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::byte> h(20);
    for (auto& x : h) x = std::byte(gen() & 0xff);
    h[0] = std::byte{0x45};
    h[8] = std::byte(1 + round % 255);  // every TTL from 1 to 255
    put16(h, 10, 0);
    put16(h, 10, internet_checksum(h));
    std::uint8_t ttl = get8(h, 8);
    CHECK(decrement_ttl_in_place(h) == ttl - 1);
    CHECK(get8(h, 8) == ttl - 1);
    CHECK(internet_checksum(h) == 0);  // still verifies
    auto full = h;
    put16(full, 10, 0);
    CHECK(get16(h, 10) == internet_checksum(full));
  }
}

TEST_CASE("pseudo-header sum covers addresses, protocol and length") {
  // 192.168.0.1 -> 192.168.0.199, UDP, length 95: summed by hand.
  std::uint32_t expect = 0xc0a8 + 0x0001 + 0xc0a8 + 0x00c7 + 17 + 95;
  CHECK(pseudo_header_sum(Ipv4(192, 168, 0, 1), Ipv4(192, 168, 0, 199), IpProto::Udp, 95) == expect);
}
