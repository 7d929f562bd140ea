#include "models/wire/tcp.hpp"

#include <doctest/doctest.h>

#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using nlb::wire::test::hex;

namespace {
// smoltcp's TCP test vector (src/wire/tcp.rs): 192.168.1.1:48896 -> 192.168.1.2:80,
// seq 0x01234567, ack 0x89abcdef, data offset 6, flags URG ACK RST FIN (0x35), window 0x0123,
// checksum 0x01b6, urgent 0x0201, options "window scale 12, NOP", payload aa 00 00 ff.
const auto kSegment =
    hex("bf 00 00 50 01 23 45 67 89 ab cd ef 60 35 01 23 01 b6 02 01"
        "03 03 0c 01 aa 00 00 ff");
const Ipv4 kSrc(192, 168, 1, 1);
const Ipv4 kDst(192, 168, 1, 2);

// A Linux-style SYN: 198.51.100.7:40000 -> 203.0.113.10:80, seq 1000, window 64240,
// MSS 1460, SACK-permitted, timestamps 1/0, NOP, window scale 7; checksum 0x4650 as tshark 4.0
// computed it for this segment (tshark_test.cpp, docs/wire-formats.md).
const auto kSyn =
    hex("9c 40 00 50 00 00 03 e8 00 00 00 00 a0 02 fa f0 46 50 00 00"
        "02 04 05 b4 04 02 08 0a 00 00 00 01 00 00 00 00 01 03 03 07");
}  // namespace

TEST_CASE("tcp segment parses into ports, numbers, flags, window and options") {
  auto h = TcpHeader::parse(kSegment, kSrc, kDst);
  REQUIRE(h.ok());
  CHECK(h->src_port == 48896);
  CHECK(h->dst_port == 80);
  CHECK(h->seq == 0x01234567);
  CHECK(h->ack == 0x89abcdef);
  CHECK(h->header_len() == 24);
  CHECK(h->flags.bits == 0x35);
  CHECK(h->flags.fin());
  CHECK(h->flags.rst());
  CHECK(h->flags.ack());
  CHECK(h->flags.urg());
  CHECK_FALSE(h->flags.syn());
  CHECK(h->window == 0x0123);
  CHECK(h->checksum == 0x01b6);
  CHECK(h->urgent == 0x0201);
  CHECK(h->options().window_scale == 12);
  CHECK_FALSE(h->options().mss.has_value());
  CHECK(nlb::wire::test::to_hex(h->payload(kSegment)) == "aa 00 00 ff");
}

TEST_CASE("tcp header emitted with its payload reproduces the vector's checksum") {
  auto h = TcpHeader::parse(kSegment).value();
  std::vector<std::byte> out(kSegment.size());
  std::copy(kSegment.begin() + 24, kSegment.end(), out.begin() + 24);
  h.checksum = 0;
  h.emit(out, kSrc, kDst, std::span(out).subspan(24));
  CHECK(std::ranges::equal(out, kSegment));
  // Plain emit writes the parsed value back byte for byte, raw options included.
  std::vector<std::byte> again(24);
  TcpHeader::parse(kSegment)->emit(again);
  CHECK(std::ranges::equal(again, std::span(kSegment).first(24)));
}

TEST_CASE("tcp options are encoded in linux's syn layout and decoded back") {
  TcpHeader syn{.src_port = 40000, .dst_port = 80, .seq = 1000, .flags = {TcpFlags::kSyn}, .window = 64240};
  syn.set_options(
      {.mss = 1460, .window_scale = 7, .sack_permitted = true, .timestamps = TcpTimestamps{1, 0}});
  std::vector<std::byte> out(syn.wire_len());
  syn.emit(out, Ipv4(198, 51, 100, 7), Ipv4(203, 0, 113, 10), {});
  CHECK(nlb::wire::test::to_hex(out) == nlb::wire::test::to_hex(kSyn));
  auto back = TcpHeader::parse(out, Ipv4(198, 51, 100, 7), Ipv4(203, 0, 113, 10));
  REQUIRE(back.ok());
  CHECK(
      back->options() ==
      TcpOptions{.mss = 1460, .window_scale = 7, .sack_permitted = true, .timestamps = TcpTimestamps{1, 0}});
  CHECK(back->flags.str() == "S");
}

TEST_CASE("every combination of decoded options encodes to a 4-byte multiple that decodes the same") {
  for (int m = 0; m < 16; ++m) {
    TcpOptions o;
    if (m & 1) o.mss = 536;
    if (m & 2) o.window_scale = 14;
    if (m & 4) o.sack_permitted = true;
    if (m & 8) o.timestamps = TcpTimestamps{0xdeadbeef, 42};
    OptionBytes raw = o.encode();
    CHECK(raw.size() % 4 == 0);
    auto back = TcpOptions::parse(raw.bytes());
    REQUIRE(back.ok());
    CHECK(back.value() == o);
  }
}

TEST_CASE("tcp flags print as tcpdump does") {
  CHECK(TcpFlags{TcpFlags::kSyn}.str() == "S");
  CHECK(TcpFlags{TcpFlags::kSyn | TcpFlags::kAck}.str() == "S.");
  CHECK(TcpFlags{TcpFlags::kPsh | TcpFlags::kAck}.str() == "P.");
  CHECK(TcpFlags{TcpFlags::kFin | TcpFlags::kAck}.str() == "F.");
  CHECK(TcpFlags{TcpFlags::kAck}.str() == ".");
  CHECK(TcpFlags{TcpFlags::kRst}.str() == "R");
  CHECK(TcpFlags{}.str() == "none");
}

TEST_CASE("unknown and sack options are skipped by their length") {
  // Kind 5 (SACK, 10 bytes) and kind 99 (4 bytes), then MSS.
  auto raw = hex("05 0a 00 00 00 01 00 00 00 02  63 04 ff ff  02 04 05 dc  00 00");
  auto o = TcpOptions::parse(raw);
  REQUIRE(o.ok());
  CHECK(o->mss == 1500);
}

TEST_CASE("malformed tcp option lengths are reported with the length byte's offset") {
  CHECK(TcpOptions::parse(hex("01 01 63 00")).error() == WireError{"tcp.option", 23, "bad option length"});
  CHECK(TcpOptions::parse(hex("01 01 01 63")).error() ==
        WireError{"tcp.option", 23, "option length missing"});
  CHECK(TcpOptions::parse(hex("02 08 05 b4")).error() ==
        WireError{"tcp.option.mss", 21, "option longer than header"});
  CHECK(TcpOptions::parse(hex("02 03 05 01")).error() ==
        WireError{"tcp.option.mss", 21, "bad option length"});
  CHECK(TcpOptions::parse(hex("03 04 07 00")).error() ==
        WireError{"tcp.option.window_scale", 21, "bad option length"});
  // Through the header: a malformed option makes the whole segment an error.
  auto b = kSegment;
  b[21] = std::byte{9};
  CHECK(TcpHeader::parse(b).error() == WireError{"tcp.option.window_scale", 21, "option longer than header"});
}

TEST_CASE("tcp data offset below 5 or beyond the buffer is an error at byte 12 or 20") {
  auto b = kSegment;
  b[12] = std::byte{0x40};
  CHECK(TcpHeader::parse(b).error() == WireError{"tcp.data_offset", 12, "header length below 20"});
  b[12] = std::byte{0xf0};
  CHECK(TcpHeader::parse(b).error() == WireError{"tcp.options", 20, "truncated"});
}

TEST_CASE("corrupted tcp segments fail the checksum") {
  auto b = kSegment;
  b[27] = std::byte{0xfe};
  CHECK(TcpHeader::parse(b, kSrc, kDst).error() == WireError{"tcp.checksum", 16, "bad checksum"});
}

TEST_CASE("tcp checksum over virtual payload equals the checksum over stored zeros") {
  TcpHeader h{
      .src_port = 80, .dst_port = 40000, .seq = 1, .ack = 2, .flags = {TcpFlags::kAck}, .window = 1000};
  std::vector<std::byte> full(20 + 1461, std::byte{0});  // odd length: the last word is padded
  full[20] = std::byte{'H'};
  h.emit(full, kSrc, kDst, std::span(full).subspan(20));
  std::vector<std::byte> part(full.begin(), full.begin() + 21);
  h.emit(part, kSrc, kDst, std::span(part).subspan(20), 1460);
  CHECK(get16(part, 16) == get16(full, 16));
  CHECK(TcpHeader::parse(part, kSrc, kDst, 1460).ok());
  CHECK_FALSE(TcpHeader::parse(part, kSrc, kDst, 1459).ok());
}

TEST_CASE("every truncated tcp segment header is an error") {
  nlb::wire::test::for_each_truncation(std::span(kSegment).first(24), [](Bytes b, std::size_t n) {
    auto h = TcpHeader::parse(b);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().offset <= n);
  });
}

TEST_CASE("tcp view reads ports, numbers, flags and splits options from payload in place") {
  auto v = TcpView::checked(kSegment);
  REQUIRE(v.ok());
  CHECK(v->src_port() == 48896);
  CHECK(v->dst_port() == 80);
  CHECK(v->seq() == 0x01234567);
  CHECK(v->ack() == 0x89abcdef);
  CHECK(v->header_len() == 24);
  CHECK(v->flags().bits == 0x35);
  CHECK(v->window() == 0x0123);
  CHECK(v->checksum() == 0x01b6);
  CHECK(v->urgent() == 0x0201);
  CHECK(nlb::wire::test::to_hex(v->options()) == "03 03 0c 01");
  CHECK(nlb::wire::test::to_hex(v->payload()) == "aa 00 00 ff");
  // The view does not look inside the options; the value does.
  auto bad = kSegment;
  bad[21] = std::byte{9};
  CHECK(TcpView::checked(bad).ok());
  CHECK_FALSE(TcpHeader::parse(bad).ok());
}
