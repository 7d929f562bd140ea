// Two bare TcpConnections driven by hand: no stack, no simulation, no network. What the state
// machine does is a function of the segments and times it is given.

#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "models/transport/tcp_connection.hpp"

using namespace nlb::transport;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace {

struct Capture : TcpSegmentSink {
  std::deque<TcpSegment> segs;
  std::deque<std::vector<std::byte>> bytes;
  void emit(const TcpSegment& seg) override {
    bytes.emplace_back(seg.payload.real.begin(), seg.payload.real.end());
    segs.push_back(seg);
    segs.back().payload.real = bytes.back();
  }
  TcpSegment pop() {
    TcpSegment s = segs.front();
    segs.pop_front();
    return s;
  }
};

const FourTuple kClient{{Ipv4(10, 0, 0, 1), 40000}, {Ipv4(10, 0, 0, 2), 80}};

// Moves segments both ways, 1 ms per hop, until nothing is left; returns the time.
Time shuttle(TcpConnection& a, TcpConnection& b, Time now, Capture& from_a, Capture& from_b) {
  for (int round = 0; round < 100000; ++round) {
    a.dispatch(now, from_a);
    b.dispatch(now, from_b);
    if (from_a.segs.empty() && from_b.segs.empty()) return now;
    now += Time::ms(1);
    while (!from_a.segs.empty()) b.on_segment(now, from_a.pop());
    while (!from_b.segs.empty()) a.on_segment(now, from_b.pop());
    b.consume(b.received().size());
    a.consume(a.received().size());
  }
  FAIL("segments never stopped");
  return now;
}

struct Opened {
  TcpConnectionOwner owner{TcpConfig{}};  // no stack: a connection alone with the test
  Capture ca, cb;
  TcpConnection a;
  TcpConnection b;
  Time now;
  Opened(SeqNum iss_a, SeqNum iss_b)
      : a(TcpConnection::active(owner, 1, kClient, iss_a)), b(make_b(iss_b)), now(Time::ms(1)) {
    now = shuttle(a, b, now, ca, cb);
  }
  TcpConnection make_b(SeqNum iss_b) {
    a.dispatch(Time::zero(), ca);
    return TcpConnection::passive(owner, 2, kClient.reversed(), iss_b, ca.pop());
  }
};

}  // namespace

TEST_CASE("a transfer across the 2^32 sequence wrap is delivered whole") {
  Opened o(SeqNum(0xffffff00u), SeqNum(0xfffffff0u));
  REQUIRE(o.a.state() == TcpState::Established);
  REQUIRE(o.b.state() == TcpState::Established);
  o.a.send_virtual(100000);
  o.b.send_virtual(50000);
  std::uint64_t got_b = 0, got_a = 0;
  o.now = shuttle(o.a, o.b, o.now, o.ca, o.cb);
  got_b = o.b.counters().bytes_received;
  got_a = o.a.counters().bytes_received;
  CHECK(got_b == 100000);
  CHECK(got_a == 50000);
  // Both send sequences wrapped past zero.
  CHECK(o.a.snd_una() == SeqNum(0xffffff00u) + 1 + 100000);
  CHECK(o.a.snd_una().value() < 0xffffff00u);
  CHECK(o.b.rcv_nxt() == o.a.snd_una());
  CHECK(o.a.counters().retransmissions == 0);
}

TEST_CASE("an in-window RST with the wrong sequence number gets a challenge ACK (RFC 5961)") {
  Opened o(SeqNum(1000), SeqNum(5000));
  TcpSegment rst;
  rst.src_port = 80;
  rst.dst_port = 40000;
  rst.flags = tcp_flag::rst;
  rst.seq = o.a.rcv_nxt() + 100;
  o.a.on_segment(o.now, rst);
  CHECK(o.a.state() == TcpState::Established);
  o.a.dispatch(o.now, o.ca);
  REQUIRE(o.ca.segs.size() == 1);
  CHECK(o.ca.segs[0].flags == tcp_flag::ack);
  CHECK(o.ca.segs[0].ack == o.a.rcv_nxt());
  o.ca.segs.clear();

  rst.seq = o.a.rcv_nxt();
  o.a.on_segment(o.now, rst);
  CHECK(o.a.state() == TcpState::Closed);
  CHECK(o.a.outcome() == TcpOutcome::Reset);
  CHECK(o.a.reset_by_peer());
  CHECK((o.a.take_events() & TcpConnection::kTerminated) != 0);
}

TEST_CASE("a SYN on an established connection gets a challenge ACK, not a reset") {
  Opened o(SeqNum(1000), SeqNum(5000));
  TcpSegment syn;
  syn.src_port = 80;
  syn.dst_port = 40000;
  syn.flags = tcp_flag::syn;
  syn.seq = o.a.rcv_nxt();
  o.a.on_segment(o.now, syn);
  CHECK(o.a.state() == TcpState::Established);
  o.a.dispatch(o.now, o.ca);
  REQUIRE(o.ca.segs.size() == 1);
  CHECK(o.ca.segs[0].flags == tcp_flag::ack);
}

TEST_CASE("a segment outside the receive window is answered with an ACK and dropped") {
  Opened o(SeqNum(1000), SeqNum(5000));
  TcpSegment seg;
  seg.src_port = 80;
  seg.dst_port = 40000;
  seg.flags = tcp_flag::ack;
  seg.ack = o.a.snd_nxt();
  seg.seq = o.a.rcv_nxt() + 70000;  // beyond the 65535-byte window
  std::byte data[10]{};
  seg.payload.real = data;
  o.a.on_segment(o.now, seg);
  CHECK(o.a.received().empty());
  o.a.dispatch(o.now, o.ca);
  REQUIRE(o.ca.segs.size() == 1);
  CHECK(o.ca.segs[0].ack == o.a.rcv_nxt());
}

TEST_CASE("a SYN-ACK with a wrong acknowledgment is answered with RST") {
  TcpConnectionOwner owner{TcpConfig{}};
  TcpConnection a = TcpConnection::active(owner, 1, kClient, SeqNum(1000));
  Capture ca;
  a.dispatch(Time::zero(), ca);
  ca.segs.clear();
  TcpSegment synack;
  synack.src_port = 80;
  synack.dst_port = 40000;
  synack.flags = tcp_flag::syn | tcp_flag::ack;
  synack.seq = SeqNum(7);
  synack.ack = SeqNum(5555);
  a.on_segment(Time::ms(1), synack);
  CHECK(a.state() == TcpState::SynSent);
  a.dispatch(Time::ms(1), ca);
  REQUIRE(ca.segs.size() == 1);
  CHECK(ca.segs[0].flags == tcp_flag::rst);
  CHECK(ca.segs[0].seq == SeqNum(5555));
}

TEST_CASE("poll_at tells when the retransmission timer needs the clock") {
  TcpConnectionOwner owner{TcpConfig{}};
  TcpConnection a = TcpConnection::active(owner, 1, kClient, SeqNum(1000));
  CHECK(a.poll_at() == Time::max());
  Capture ca;
  a.dispatch(Time::ms(5), ca);
  CHECK(a.poll_at() == Time::ms(5) + Time::s(1));
  a.on_timer(Time::ms(500));  // early: nothing happens
  a.dispatch(Time::ms(500), ca);
  CHECK(ca.segs.size() == 1);
  a.on_timer(Time::ms(1005));
  a.dispatch(Time::ms(1005), ca);
  REQUIRE(ca.segs.size() == 2);
  CHECK(ca.segs[1].flags == tcp_flag::syn);
  CHECK(a.poll_at() == Time::ms(1005) + Time::s(2));
}
