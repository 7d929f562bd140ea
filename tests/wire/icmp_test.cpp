#include "models/wire/icmp.hpp"

#include <doctest/doctest.h>

#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
// Echo request id 1 seq 3 with 8 data bytes "abcdefgh"; checksum computed by hand:
// 0x0800 + 0x0001 + 0x0003 + 0x6162 + 0x6364 + 0x6566 + 0x6768 = 0x19998 -> 0x9999 -> ~ = 0x6666.
const auto kEcho = hex("08 00 66 66 00 01 00 03 61 62 63 64 65 66 67 68");
}  // namespace

TEST_CASE("icmp echo request parses into type, id, seq with a verified checksum") {
  auto m = Icmp::parse(kEcho);
  REQUIRE(m.ok());
  CHECK(m->type == IcmpType::EchoRequest);
  CHECK(m->code == 0);
  CHECK(m->checksum == 0x6666);
  CHECK(m->ident() == 1);
  CHECK(m->seq() == 3);
  CHECK(m->is_echo());
  CHECK_FALSE(m->is_error());
}

TEST_CASE("icmp echo request emitted with its data gives the same bytes") {
  std::vector<std::byte> out(kEcho.size());
  std::copy(kEcho.begin() + 8, kEcho.end(), out.begin() + 8);
  Icmp::echo_request(1, 3).emit(out, std::span(out).subspan(8));
  CHECK(std::ranges::equal(out, kEcho));
  std::vector<std::byte> again(8);
  Icmp::parse(kEcho)->emit(again);
  CHECK(std::ranges::equal(again, std::span(kEcho).first(8)));
}

TEST_CASE("icmp echo reply mirrors the request's id and seq") {
  std::vector<std::byte> out(kEcho.size());
  std::copy(kEcho.begin() + 8, kEcho.end(), out.begin() + 8);
  Icmp::echo_reply(1, 3).emit(out, std::span(out).subspan(8));
  auto r = Icmp::parse(out);
  REQUIRE(r.ok());
  CHECK(r->type == IcmpType::EchoReply);
  CHECK(r->checksum == 0x6666 + 0x0800);  // only the type word changed
  CHECK(to_string(r->type) == "echo reply");
}

TEST_CASE("time exceeded quotes the offending ipv4 header and 8 bytes") {
  auto quoted = hex("45 00 00 73 00 00 40 00 01 11 f7 61 c0 a8 00 01 c0 a8 00 c7  bf 00 00 35 00 5f 00 00");
  std::vector<std::byte> msg(8 + quoted.size());
  std::copy(quoted.begin(), quoted.end(), msg.begin() + 8);
  Icmp::time_exceeded().emit(msg, std::span(msg).subspan(8));
  auto m = Icmp::parse(msg);
  REQUIRE(m.ok());
  CHECK(m->is_error());
  CHECK(m->type == IcmpType::TimeExceeded);
  auto q = Icmp::quoted_header(msg);
  REQUIRE(q.ok());
  CHECK(q->ttl == 1);
  CHECK(q->dst == Ipv4(192, 168, 0, 199));
  CHECK(q->total_length == 115);  // of the original datagram, not of the quote
  // A quote cut inside the header is an error whose offset counts from the ICMP message.
  auto err = Icmp::quoted_header(std::span(msg).first(8 + 12)).error();
  CHECK(err == WireError{"ipv4.src", 8 + 12, "truncated"});
}

TEST_CASE("unknown icmp types are kept and printed") {
  auto b = hex("0d 00 f2 ff 00 00 00 00");  // timestamp request (13), checksum fixed
  auto m = Icmp::parse(b);
  REQUIRE(m.ok());
  CHECK(to_string(m->type) == "type=13");
}

TEST_CASE("corrupted icmp data is a bad checksum at byte 2") {
  auto b = kEcho;
  b[15] = std::byte{'x'};
  CHECK(Icmp::parse(b).error() == WireError{"icmp.checksum", 2, "bad checksum"});
}

TEST_CASE("every truncated icmp message is an error") {
  nlb::wire::test::for_each_truncation(kEcho, [](Bytes b, std::size_t n) {
    auto m = Icmp::parse(b);
    REQUIRE_FALSE(m.ok());  // short ones truncated, longer ones fail the checksum
    CHECK(m.error().offset <= n);
  });
}
