#include "models/wire/udp.hpp"

#include <doctest/doctest.h>

#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
// smoltcp's UDP test vector (src/wire/udp.rs): 192.168.1.1:48896 -> 192.168.1.2:53, length 12,
// checksum 0x124d, payload aa 00 00 ff. An independent implementation's checksum.
const auto kDatagram = hex("bf 00 00 35 00 0c 12 4d aa 00 00 ff");
const Ipv4 kSrc(192, 168, 1, 1);
const Ipv4 kDst(192, 168, 1, 2);
}  // namespace

TEST_CASE("udp datagram parses into ports, length and a verified checksum") {
  auto h = UdpHeader::parse(kDatagram, kSrc, kDst);
  REQUIRE(h.ok());
  CHECK(h->src_port == 48896);
  CHECK(h->dst_port == 53);
  CHECK(h->length == 12);
  CHECK(h->checksum == 0x124d);
  CHECK(h->payload_len() == 4);
  CHECK(nlb::wire::test::to_hex(h->payload(kDatagram)) == "aa 00 00 ff");
}

TEST_CASE("udp header emitted with its payload reproduces the vector's checksum") {
  std::vector<std::byte> out(12);
  auto payload = hex("aa 00 00 ff");
  std::copy(payload.begin(), payload.end(), out.begin() + 8);
  UdpHeader{.src_port = 48896, .dst_port = 53}.emit(out, kSrc, kDst, std::span(out).subspan(8));
  CHECK(std::ranges::equal(out, kDatagram));
  // And the plain emit re-writes a parsed header byte for byte.
  std::vector<std::byte> again(8);
  UdpHeader::parse(kDatagram)->emit(again);
  CHECK(std::ranges::equal(again, std::span(kDatagram).first(8)));
}

TEST_CASE("udp checksum over virtual zero bytes equals the checksum over stored zeros") {
  // 100 payload bytes: 3 stored ("abc") and 97 virtual, against the same datagram all stored.
  std::vector<std::byte> full(8 + 100, std::byte{0});
  full[8] = std::byte{'a'};
  full[9] = std::byte{'b'};
  full[10] = std::byte{'c'};
  UdpHeader h{.src_port = 1234, .dst_port = 80};
  h.emit(full, kSrc, kDst, std::span(full).subspan(8));
  std::vector<std::byte> part(full.begin(), full.begin() + 11);
  h.emit(part, kSrc, kDst, std::span(part).subspan(8), 97);
  CHECK(std::ranges::equal(std::span(part).first(8), std::span(full).first(8)));
  CHECK(get16(part, 4) == 108);
  auto back = UdpHeader::parse(part, kSrc, kDst, 97);
  REQUIRE(back.ok());
  CHECK(back->payload(part).size() == 3);
  CHECK_FALSE(UdpHeader::parse(part, kSrc, kDst, 96).ok());  // length no longer fits
}

TEST_CASE("udp checksum of zero is sent as 0xffff and zero on receive means none") {
  // Find a source port whose checksum computes to 0: the emitted field must then be 0xffff.
  bool found = false;
  for (std::uint32_t port = 0; port < 65536 && !found; ++port) {
    std::vector<std::byte> d(8);
    UdpHeader{.src_port = static_cast<std::uint16_t>(port), .dst_port = 53}.emit(d, kSrc, kDst, {});
    if (get16(d, 6) == 0xffff) {
      found = true;
      CHECK(UdpHeader::parse(d, kSrc, kDst).ok());  // 0xffff verifies like 0x0000 would
    }
    CHECK(get16(d, 6) != 0);
  }
  CHECK(found);
  auto none = kDatagram;
  none[6] = none[7] = std::byte{0};
  CHECK(UdpHeader::parse(none, kSrc, kDst).ok());
}

TEST_CASE("corrupted udp datagrams and wrong addresses fail the checksum") {
  auto b = kDatagram;
  b[9] = std::byte{1};
  CHECK(UdpHeader::parse(b, kSrc, kDst).error() == WireError{"udp.checksum", 6, "bad checksum"});
  CHECK(UdpHeader::parse(kDatagram, kSrc, Ipv4(192, 168, 1, 3)).error() ==
        WireError{"udp.checksum", 6, "bad checksum"});
}

TEST_CASE("udp length outside header..buffer is an error at byte 4") {
  auto b = kDatagram;
  b[5] = std::byte{7};
  CHECK(UdpHeader::parse(b).error() == WireError{"udp.length", 4, "shorter than header"});
  b[5] = std::byte{13};
  CHECK(UdpHeader::parse(b).error() == WireError{"udp.length", 4, "longer than datagram"});
  CHECK(UdpHeader::parse(b, 1).ok());  // one virtual byte makes it fit
}

TEST_CASE("every truncated udp datagram is an error") {
  nlb::wire::test::for_each_truncation(kDatagram, [](Bytes b, std::size_t n) {
    auto h = UdpHeader::parse(b, kSrc, kDst);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().offset <= n);
  });
}

TEST_CASE("udp view reads the fields in place and stops the payload at length") {
  auto padded = kDatagram;
  padded.resize(20, std::byte{0});  // Ethernet padding after the datagram
  auto v = UdpView::checked(padded);
  REQUIRE(v.ok());
  CHECK(v->src_port() == 48896);
  CHECK(v->dst_port() == 53);
  CHECK(v->length() == 12);
  CHECK(v->checksum() == 0x124d);
  CHECK(nlb::wire::test::to_hex(v->payload()) == "aa 00 00 ff");
  CHECK_FALSE(UdpView::checked(std::span(kDatagram).first(7)).ok());
}
