#include "models/wire/ethernet.hpp"

#include <doctest/doctest.h>

#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
// Broadcast ARP frame header from 02:00:00:00:00:01.
const auto kFrame = hex("ff ff ff ff ff ff 02 00 00 00 00 01 08 06  00 01");
}  // namespace

TEST_CASE("ethernet header reads dst, src and ethertype from real bytes") {
  auto h = EthernetHeader::parse(kFrame);
  REQUIRE(h.ok());
  CHECK(h->dst == Mac::broadcast());
  CHECK(h->src == Mac::local(1));
  CHECK(h->ethertype == EtherType::Arp);
}

TEST_CASE("ethernet header emits the same bytes it was parsed from") {
  EthernetHeader h{Mac::broadcast(), Mac::local(1), EtherType::Arp};
  std::vector<std::byte> out(h.wire_len());
  h.emit(out);
  CHECK(std::ranges::equal(out, std::span(kFrame).first(14)));
  CHECK(EthernetHeader::parse(out).value() == h);
}

TEST_CASE("ethernet view exposes fields and the payload after byte 14") {
  auto v = EthernetView::checked(kFrame);
  REQUIRE(v.ok());
  CHECK(v->dst().is_broadcast());
  CHECK(v->src() == Mac::local(1));
  CHECK(v->ethertype() == EtherType::Arp);
  CHECK(v->payload().size() == 2);
}

TEST_CASE("unknown ethertypes are kept and printed in hex") {
  auto f = hex("ff ff ff ff ff ff 02 00 00 00 00 01 86 dd");
  auto h = EthernetHeader::parse(f);
  REQUIRE(h.ok());
  CHECK(static_cast<unsigned>(h->ethertype) == 0x86dd);
  CHECK(to_string(h->ethertype) == "0x86dd");
  CHECK(to_string(EtherType::Ipv4) == "IPv4");
  std::vector<std::byte> out(14);
  h->emit(out);
  CHECK(std::ranges::equal(out, f));
}

TEST_CASE("every truncated ethernet header is an error naming the missing field") {
  nlb::wire::test::for_each_truncation(std::span(kFrame).first(14), [](Bytes b, std::size_t n) {
    auto h = EthernetHeader::parse(b);
    REQUIRE_FALSE(h.ok());
    CHECK(std::string(h.error().what) == "truncated");
    if (n < 6)
      CHECK(h.error() == WireError{"eth.dst", 0, "truncated"});
    else if (n < 12)
      CHECK(h.error() == WireError{"eth.src", 6, "truncated"});
    else
      CHECK(h.error() == WireError{"eth.type", 12, "truncated"});
  });
}
