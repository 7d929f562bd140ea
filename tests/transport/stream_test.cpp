#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "models/transport/reassembly.hpp"
#include "models/transport/seq.hpp"
#include "models/transport/stream_buffer.hpp"

using namespace nlb::transport;

static std::string text(nlb::wire::Bytes b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST_CASE("sequence numbers compare across the 2^32 wrap") {
  SeqNum a(0xfffffff0u);
  SeqNum b = a + 0x20;  // wrapped to 0x10
  CHECK(b.value() == 0x10u);
  CHECK(a < b);
  CHECK(b > a);
  CHECK(b - a == 0x20);
  CHECK(a - b == -0x20);
  CHECK(distance(a, b) == 0x20u);
  CHECK(max(a, b) == b);
  CHECK(min(a, b) == a);
  CHECK(a <= a);
  CHECK_FALSE(a < a);
}

TEST_CASE("a stream buffer keeps real and virtual runs in order and slices them as segments") {
  StreamBuffer buf;
  buf.append_real(as_bytes("GET / HTTP/1.1\r\n\r\n"));
  buf.append_virtual(1000);
  buf.append_real(as_bytes("NEXT"));
  CHECK(buf.size() == 18 + 1000 + 4);
  CHECK(text(buf.real_prefix()) == "GET / HTTP/1.1\r\n\r\n");

  // A slice takes the real tail, then virtual bytes, and stops before the next real run.
  Payload p = buf.slice(10, 5000);
  CHECK(text(p.real) == "/1.1\r\n\r\n");
  CHECK(p.virtual_len == 1000);
  Payload q = buf.slice(18 + 1000, 100);
  CHECK(text(q.real) == "NEXT");
  CHECK(q.virtual_len == 0);
  // Starting inside the virtual run gives only virtual bytes.
  Payload v = buf.slice(500, 100000);
  CHECK(v.real.empty());
  CHECK(v.virtual_len == 518);
  // max_len limits it.
  CHECK(buf.slice(0, 5).size() == 5);
  CHECK(buf.slice(0, 20).virtual_len == 2);

  CHECK(buf.consume(18) == 18);
  CHECK(buf.real_prefix().empty());
  CHECK(buf.virtual_prefix() == 1000);
  CHECK(buf.consume(1002) == 1002);
  CHECK(text(buf.real_prefix()) == "XT");
  CHECK(buf.consume(100) == 2);
  CHECK(buf.empty());
}

TEST_CASE("a stream buffer merges adjacent runs of one kind") {
  StreamBuffer buf;
  buf.append_real(as_bytes("ab"));
  buf.append_real(as_bytes("cd"));
  buf.append_virtual(3);
  buf.append_virtual(4);
  CHECK(text(buf.real_prefix()) == "abcd");
  Payload p = buf.slice(0, 100);
  CHECK(p.real.size() == 4);
  CHECK(p.virtual_len == 7);
}

TEST_CASE("payload trimming drops real bytes before virtual ones") {
  StreamBuffer buf;
  buf.append_real(as_bytes("hello"));
  buf.append_virtual(10);
  Payload p = buf.slice(0, 100);
  CHECK(p.drop_front(2).real.size() == 3);
  CHECK(p.drop_front(2).virtual_len == 10);
  CHECK(p.drop_front(7).real.empty());
  CHECK(p.drop_front(7).virtual_len == 8);
  CHECK(p.prefix(3).size() == 3);
  CHECK(p.prefix(3).virtual_len == 0);
  CHECK(p.prefix(8).virtual_len == 3);
  CHECK(p.drop_front(100).empty());
}

TEST_CASE("reassembly holds out-of-order pieces and releases them once the hole is filled") {
  Reassembly ooo;
  StreamBuffer out;
  SeqNum rcv_nxt(1000);
  CHECK(ooo.insert(SeqNum(1010), {as_bytes("klmno"), 0}, false));
  CHECK(ooo.insert(SeqNum(1005), {as_bytes("fghij"), 0}, false));
  CHECK_FALSE(ooo.pop_ready(rcv_nxt, out));
  CHECK(rcv_nxt == SeqNum(1000));
  out.append_real(as_bytes("abcde"));
  rcv_nxt = SeqNum(1005);
  CHECK_FALSE(ooo.pop_ready(rcv_nxt, out));
  CHECK(rcv_nxt == SeqNum(1015));
  CHECK(text(out.real_prefix()) == "abcdefghijklmno");
  CHECK(ooo.empty());
}

TEST_CASE("reassembly trims overlapping pieces and keeps a FIN at the end") {
  Reassembly ooo;
  StreamBuffer out;
  CHECK(ooo.insert(SeqNum(10), {as_bytes("cdef"), 0}, false));  // 10..14
  CHECK(ooo.insert(SeqNum(12), {as_bytes("efgh"), 0}, true));   // 12..16 + FIN, trimmed to 14..16
  CHECK(ooo.insert(SeqNum(10), {as_bytes("cd"), 0}, false));    // duplicate
  CHECK(ooo.pieces() == 2);
  CHECK(ooo.bytes() == 6);
  CHECK(ooo.insert(SeqNum(9), {as_bytes("bcdefgh"), 0}, true));  // covers all: replaces both
  CHECK(ooo.pieces() == 1);
  SeqNum rcv_nxt(8);
  out.append_real(as_bytes("a"));
  rcv_nxt = SeqNum(9);
  CHECK(ooo.pop_ready(rcv_nxt, out));
  CHECK(rcv_nxt == SeqNum(16));
  CHECK(text(out.real_prefix()) == "abcdefgh");
}

TEST_CASE("reassembly works across the sequence wrap and with virtual payload") {
  Reassembly ooo;
  StreamBuffer out;
  SeqNum base(0xfffffffau);
  CHECK(ooo.insert(base + 10, {{}, 100}, false));
  SeqNum rcv_nxt = base;
  out.append_virtual(10);
  rcv_nxt = base + 10;
  ooo.pop_ready(rcv_nxt, out);
  CHECK(rcv_nxt == base + 110);
  CHECK(out.size() == 110);
}

TEST_CASE("reassembly refuses pieces beyond its capacity") {
  Reassembly ooo;
  CHECK(ooo.insert(SeqNum(10), {as_bytes("a"), 0}, false, 2));
  CHECK(ooo.insert(SeqNum(20), {as_bytes("b"), 0}, false, 2));
  CHECK_FALSE(ooo.insert(SeqNum(30), {as_bytes("c"), 0}, false, 2));
}
