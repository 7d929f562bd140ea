#include "models/wire/vrrp.hpp"

#include <doctest/doctest.h>

#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
const Ipv4 kSrc(10, 0, 0, 1);
// VRRPv3 from 10.0.0.1 to 224.0.0.18: VRID 1, priority 100, one address 10.0.0.3, max advert
// interval 100 cs. Checksum by hand, with the IPv4 pseudo-header (keepalived, Wireshark):
// 0x3101 + 0x6401 + 0x0064 + 0x0a00 + 0x0003 + 0x0a00 + 0x0001 + 0xe000 + 0x0012 + 112 + 12
// = 0x189f8 -> 0x89f9 -> ~ = 0x7606. Without it (RFC 9568): ~0x9f69 = 0x6096.
const auto kV3 = hex("31 01 64 01 00 64 76 06 0a 00 00 03");
// VRRPv2 (RFC 3768): VRID 51, priority 100, one address 192.168.1.1, no auth, advert 1 s;
// checksum over the message only: ~(0x2133 + 0x6401 + 0x0001 + 0xc0a8 + 0x0101) = 0xb920.
const auto kV2 = hex("21 33 64 01 00 01 b9 20 c0 a8 01 01 00 00 00 00 00 00 00 00");
}  // namespace

TEST_CASE("vrrpv3 advertisement parses into vrid, priority, interval and addresses") {
  auto v = Vrrp::parse(kV3, kSrc, vrrp::kMulticastGroup);
  REQUIRE(v.ok());
  CHECK(v->version == 3);
  CHECK(v->type == VrrpType::Advertisement);
  CHECK(v->vrid == 1);
  CHECK(v->priority == 100);
  CHECK(v->max_advert_interval_cs == 100);
  CHECK(v->advert_interval_cs() == 100);
  CHECK(v->checksum == 0x7606);
  REQUIRE(v->addresses.size() == 1);
  CHECK(v->addresses[0] == Ipv4(10, 0, 0, 3));
}

TEST_CASE("vrrpv3 advertisement built from values emits the same bytes with the pseudo-header checksum") {
  Vrrp v{.vrid = 1, .priority = 100};
  v.addresses.push_back(Ipv4(10, 0, 0, 3));
  std::vector<std::byte> out(v.wire_len());
  v.emit(out, kSrc, vrrp::kMulticastGroup);
  CHECK(nlb::wire::test::to_hex(out) == nlb::wire::test::to_hex(kV3));
  auto back = Vrrp::parse(out, kSrc, vrrp::kMulticastGroup);
  REQUIRE(back.ok());
  v.checksum = 0x7606;
  CHECK(back.value() == v);
  std::vector<std::byte> again(v.wire_len());
  back->emit(again);
  CHECK(std::ranges::equal(again, kV3));
}

TEST_CASE("vrrpv3 checksum without pseudo-header follows RFC 9568 and is a different value") {
  Vrrp v{.vrid = 1, .priority = 100};
  v.addresses.push_back(Ipv4(10, 0, 0, 3));
  std::vector<std::byte> out(v.wire_len());
  v.emit(out, kSrc, vrrp::kMulticastGroup, VrrpChecksumMode::NoPseudoHeader);
  CHECK(get16(out, 6) == 0x6096);
  CHECK(Vrrp::parse(out, kSrc, vrrp::kMulticastGroup, VrrpChecksumMode::NoPseudoHeader).ok());
  // Each mode rejects the other's checksum.
  CHECK(Vrrp::parse(out, kSrc, vrrp::kMulticastGroup).error() ==
        WireError{"vrrp.checksum", 6, "bad checksum"});
  CHECK_FALSE(Vrrp::parse(kV3, kSrc, vrrp::kMulticastGroup, VrrpChecksumMode::NoPseudoHeader).ok());
  // The pseudo-header makes the source address matter.
  CHECK_FALSE(Vrrp::parse(kV3, Ipv4(10, 0, 0, 2), vrrp::kMulticastGroup).ok());
}

TEST_CASE("vrrpv2 advertisement parses, with auth type, seconds and auth data") {
  auto v = Vrrp::parse(kV2, Ipv4(192, 168, 1, 2), vrrp::kMulticastGroup);
  REQUIRE(v.ok());
  CHECK(v->version == 2);
  CHECK(v->vrid == 51);
  CHECK(v->priority == 100);
  CHECK(v->auth_type == 0);
  CHECK(v->advert_interval_s == 1);
  CHECK(v->advert_interval_cs() == 100);
  CHECK(v->checksum == 0xb920);
  CHECK(v->addresses[0] == Ipv4(192, 168, 1, 1));
  CHECK(v->wire_len() == 20);
}

TEST_CASE("vrrpv2 checksum covers the message only, whatever the addresses") {
  Vrrp v{.version = 2, .vrid = 51, .priority = 100};
  v.addresses.push_back(Ipv4(192, 168, 1, 1));
  std::vector<std::byte> out(v.wire_len());
  v.emit(out, Ipv4(1, 2, 3, 4), Ipv4(5, 6, 7, 8));
  CHECK(std::ranges::equal(out, kV2));
  CHECK(Vrrp::parse(out, Ipv4(9, 9, 9, 9), vrrp::kMulticastGroup).ok());
  auto auth = kV2;
  auth[19] = std::byte{1};  // auth data is covered too
  CHECK(Vrrp::parse(auth, kSrc, vrrp::kMulticastGroup).error() ==
        WireError{"vrrp.checksum", 6, "bad checksum"});
}

TEST_CASE("vrrp with many addresses and the 12-bit interval round-trips") {
  Vrrp v{.vrid = 200, .priority = 254, .max_advert_interval_cs = 4095};
  for (std::uint32_t i = 0; i < vrrp::kMaxAddresses; ++i) CHECK(v.addresses.push_back(Ipv4(0x0a000000 + i)));
  CHECK_FALSE(v.addresses.push_back(Ipv4(1, 1, 1, 1)));
  std::vector<std::byte> out(v.wire_len());
  CHECK(out.size() == 8 + 4 * 255);
  v.emit(out, kSrc, vrrp::kMulticastGroup);
  auto back = Vrrp::parse(out, kSrc, vrrp::kMulticastGroup);
  REQUIRE(back.ok());
  CHECK(back->max_advert_interval_cs == 4095);
  CHECK(back->addresses.size() == 255);
  CHECK(back->addresses[254] == Ipv4(10, 0, 0, 254));
}

TEST_CASE("unknown vrrp types are kept and printed, unknown versions rejected") {
  auto b = kV3;
  b[0] = std::byte{0x32};
  auto v = Vrrp::parse(b);
  REQUIRE(v.ok());
  CHECK(to_string(v->type) == "type=2");
  b[0] = std::byte{0x41};
  CHECK(Vrrp::parse(b).error() == WireError{"vrrp.version", 0, "unsupported version"});
}

TEST_CASE("a count larger than the message is an error at the first missing address") {
  auto b = kV3;
  b[3] = std::byte{3};
  CHECK(Vrrp::parse(b).error() == WireError{"vrrp.addresses", 12, "truncated"});
  auto c = kV2;
  c[3] = std::byte{3};  // 3 addresses fit in the 12 bytes, but the auth data does not
  CHECK(Vrrp::parse(c).error() == WireError{"vrrp.auth_data", 20, "truncated"});
}

TEST_CASE("every truncated vrrp message is an error") {
  for (const auto* full : {&kV3, &kV2}) {
    nlb::wire::test::for_each_truncation(*full, [](Bytes b, std::size_t n) {
      auto v = Vrrp::parse(b, kSrc, vrrp::kMulticastGroup);
      REQUIRE_FALSE(v.ok());
      CHECK(std::string(v.error().what) == "truncated");
      CHECK(v.error().offset <= n);
    });
  }
}

TEST_CASE("vrrp constants say how the carrying ipv4 packet looks") {
  CHECK(vrrp::kMulticastGroup == Ipv4(224, 0, 0, 18));
  CHECK(static_cast<unsigned>(vrrp::kIpProto) == 112);
  CHECK(vrrp::kTtl == 255);
}
