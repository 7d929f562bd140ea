#include "models/wire/arp.hpp"

#include <doctest/doctest.h>

#include "models/wire/ethernet.hpp"
#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
// "Who has 10.0.0.11? Tell 10.0.0.1" from 02:00:00:00:00:01, then the 18 bytes of padding
// that make the frame 60 bytes long (tshark dissects it so: see docs/wire-formats.md).
const auto kRequest =
    hex("00 01 08 00 06 04 00 01  02 00 00 00 00 01 0a 00 00 01"
        "00 00 00 00 00 00 0a 00 00 0b"
        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
const Ipv4 kA(10, 0, 0, 1);
const Ipv4 kB(10, 0, 0, 11);
}  // namespace

TEST_CASE("arp request bytes parse into op, sender and target, padding ignored") {
  auto a = Arp::parse(kRequest);
  REQUIRE(a.ok());
  CHECK(a->op == ArpOp::Request);
  CHECK(a->sha == Mac::local(1));
  CHECK(a->spa == kA);
  CHECK(a->tha == Mac::zero());
  CHECK(a->tpa == kB);
  CHECK_FALSE(a->is_gratuitous());
  CHECK_FALSE(a->is_probe());
}

TEST_CASE("arp request built from values emits the captured 28 bytes") {
  Arp a = Arp::request(Mac::local(1), kA, kB);
  std::vector<std::byte> out(a.wire_len());
  a.emit(out);
  CHECK(std::ranges::equal(out, std::span(kRequest).first(28)));
  CHECK(Arp::parse(out).value() == a);
}

TEST_CASE("arp view reads every field in place") {
  auto v = ArpView::checked(kRequest);
  REQUIRE(v.ok());
  CHECK(v->htype() == 1);
  CHECK(v->ptype() == 0x0800);
  CHECK(v->hlen() == 6);
  CHECK(v->plen() == 4);
  CHECK(v->oper() == ArpOp::Request);
  CHECK(v->sha() == Mac::local(1));
  CHECK(v->spa() == kA);
  CHECK(v->tha() == Mac::zero());
  CHECK(v->tpa() == kB);
}

TEST_CASE("arp reply round-trips and is not gratuitous") {
  Arp r = Arp::reply(Mac::local(11), kB, Mac::local(1), kA);
  std::vector<std::byte> out(28);
  r.emit(out);
  CHECK(nlb::wire::test::to_hex(out) ==
        "00 01 08 00 06 04 00 02 02 00 00 00 00 0b 0a 00 00 0b 02 00 00 00 00 01 0a 00 00 01");
  auto back = Arp::parse(out);
  REQUIRE(back.ok());
  CHECK(back.value() == r);
  CHECK_FALSE(back->is_gratuitous());
}

TEST_CASE("gratuitous request is an RFC 5227 announcement: spa = tpa, tha zero") {
  Arp g = Arp::gratuitous_request(Mac::local(20), Ipv4(10, 0, 0, 20));
  CHECK(g.op == ArpOp::Request);
  CHECK(g.spa == g.tpa);
  CHECK(g.tha == Mac::zero());
  CHECK(g.is_gratuitous());
  CHECK(g.is_announcement());
  CHECK_FALSE(g.is_probe());
}

TEST_CASE("gratuitous reply follows RFC 5944 4.6: spa = tpa and tha = sha") {
  Arp g = Arp::gratuitous_reply(Mac::local(20), Ipv4(10, 0, 0, 20));
  CHECK(g.op == ArpOp::Reply);
  CHECK(g.spa == g.tpa);
  CHECK(g.tha == g.sha);
  CHECK(g.is_gratuitous());
  CHECK_FALSE(g.is_announcement());
}

TEST_CASE("probe has sender address 0.0.0.0 and is not an announcement") {
  Arp p = Arp::probe(Mac::local(20), Ipv4(10, 0, 0, 20));
  CHECK(p.is_probe());
  CHECK(p.spa.is_unspecified());
  CHECK(p.tha == Mac::zero());
  CHECK_FALSE(p.is_gratuitous());
  CHECK_FALSE(p.is_announcement());
}

TEST_CASE("unknown arp operations are kept and print as op=N") {
  auto b = kRequest;
  b[7] = std::byte{7};
  auto a = Arp::parse(b);
  REQUIRE(a.ok());
  CHECK(static_cast<unsigned>(a->op) == 7);
  CHECK(to_string(a->op) == "op=7");
  CHECK(to_string(ArpOp::Reply) == "reply");
}

TEST_CASE("arp for other hardware, protocols or address sizes is rejected naming the field") {
  auto bad = [](std::size_t at, std::uint8_t v) {
    auto b = kRequest;
    b[at] = std::byte{v};
    return Arp::parse(b).error();
  };
  CHECK(bad(1, 6) == WireError{"arp.htype", 0, "unsupported hardware type"});
  CHECK(bad(2, 0x86) == WireError{"arp.ptype", 2, "unsupported protocol type"});
  CHECK(bad(4, 8) == WireError{"arp.hlen", 4, "hardware address length is not 6"});
  CHECK(bad(5, 16) == WireError{"arp.plen", 5, "protocol address length is not 4"});
}

TEST_CASE("every truncated arp packet is an error at the first missing field") {
  nlb::wire::test::for_each_truncation(std::span(kRequest).first(28), [](Bytes b, std::size_t n) {
    auto a = Arp::parse(b);
    REQUIRE_FALSE(a.ok());
    CHECK(std::string(a.error().what) == "truncated");
    CHECK(a.error().offset <= n);
    CHECK(a.error().offset + 6 > n);  // the named field starts at most 6 bytes before the cut
  });
}
