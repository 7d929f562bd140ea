#include <doctest/doctest.h>

#include <deque>
#include <string>

#include "tests/transport/test_net.hpp"

using namespace nlb::transport;
using namespace nlb::transport::testing;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace {

const Ipv4 kA(10, 0, 0, 1);
const Ipv4 kB(10, 0, 0, 2);

// Client host A and server host B listening on port 80, 10 ms apart (RTT 20 ms).
struct Pair {
  explicit Pair(const TcpConfig& client_cfg = {}, const TcpConfig& server_cfg = {})
      : a(net.add_host(kA, client_cfg)), b(net.add_host(kB, server_cfg)) {
    acc.sim = &net.sim;
    client.sim = &net.sim;
    b.stack().listen({kB, 80}, acc);
  }
  TcpConnection* connect() { return a.stack().connect(net.sim.now(), {kA, 0}, {kB, 80}, client); }
  Recorder& server() { return *acc.accepted.at(0); }
  // Runs `fn` at simulated time `at` (a one-off event).
  template <typename F>
  void at(Time when, F fn) {
    actions.push_back(std::move(fn));
    std::size_t i = actions.size() - 1;
    net.sim.schedule_at(when, [this, i] { actions[i](); });
  }

  TestNet net;
  TestNet::Host& a;
  TestNet::Host& b;
  Acceptor acc;
  Recorder client;
  std::deque<std::function<void()>> actions;
};

std::vector<Time> data_send_times(const TestNet& net, Ipv4 src) {
  std::vector<Time> out;
  for (const auto& r : net.sent_by(src, true)) out.push_back(r.at);
  return out;
}

std::string pattern(std::size_t n) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

}  // namespace

TEST_CASE("three-way handshake opens both ends and agrees on the MSS") {
  Pair p;
  TcpConnection* c = p.connect();
  REQUIRE(c != nullptr);
  CHECK(c->state() == TcpState::SynSent);
  p.net.sim.run_until(Time::ms(100));

  CHECK(p.client.connected);
  REQUIRE(p.acc.accepted.size() == 1);
  CHECK(p.server().connected);
  CHECK(c->state() == TcpState::Established);
  CHECK(c->tuple().local.port == 32768);  // first ephemeral port

  REQUIRE(p.net.log.size() == 3);
  const TcpSegment& syn = p.net.log[0].seg;
  const TcpSegment& synack = p.net.log[1].seg;
  const TcpSegment& ack = p.net.log[2].seg;
  CHECK(syn.flags == tcp_flag::syn);
  CHECK(syn.mss == 1460);
  CHECK(syn.seq == c->iss());
  CHECK(p.net.log[1].at == Time::ms(10));
  CHECK(synack.flags == (tcp_flag::syn | tcp_flag::ack));
  CHECK(synack.ack == c->iss() + 1);
  CHECK(synack.mss == 1460);
  CHECK(p.net.log[2].at == Time::ms(20));
  CHECK(ack.flags == tcp_flag::ack);
  CHECK(ack.seq == c->iss() + 1);
  CHECK(ack.ack == synack.seq + 1);
  CHECK(c->mss() == 1460);
  // The SYN gave the first RTT sample; the RTO stays at its 1 s minimum (RFC 6298 2.4).
  CHECK(c->srtt() == Time::ms(20));
  CHECK(c->rttvar() == Time::ms(10));
  CHECK(c->rto() == Time::s(1));
}

TEST_CASE("the smaller MSS of the two SYNs limits every segment") {
  TcpConfig small;
  small.mss = 536;
  Pair p({}, small);
  TcpConnection* c = p.connect();
  p.at(Time::ms(50), [c] { c->send_virtual(5000); });
  p.net.sim.run_until(Time::s(1));
  CHECK(c->mss() == 536);
  for (const auto& r : p.net.sent_by(kA, true)) CHECK(r.len() <= 536);
  CHECK(p.server().received == 5000);
}

TEST_CASE("data with real headers and a virtual body arrives whole and in order") {
  Pair p;
  TcpConnection* c = p.connect();
  const std::string head = "POST /upload HTTP/1.1\r\nContent-Length: 100000\r\n\r\n";
  p.at(Time::ms(50), [&] {
    CHECK(c->send(as_bytes(head)) == head.size());
    CHECK(c->send_virtual(100000) == 100000);
    CHECK(c->send(as_bytes("END")) == 3);
  });
  p.net.sim.run_until(Time::s(2));

  CHECK(p.server().text == head + "END");
  CHECK(p.server().virtual_received == 100000);
  CHECK(p.server().received == head.size() + 100003);
  CHECK(c->counters().bytes_acked == head.size() + 100003);
  CHECK(c->counters().retransmissions == 0);
  CHECK(c->unacked_bytes() == 0);
  // Segments never exceed the MSS, and real bytes only ever come first in a segment: the
  // segment that carries "END" starts with it.
  bool saw_end = false;
  for (const auto& r : p.net.sent_by(kA, true)) {
    CHECK(r.len() <= 1460);
    if (r.real_len == 3 && r.seg.payload.virtual_len == 0) saw_end = true;
  }
  CHECK(saw_end);
}

TEST_CASE("FIN in both directions completes both connections and the closer waits 2 MSL") {
  TcpConfig cfg;
  cfg.time_wait = Time::s(2);
  Pair p(cfg, cfg);
  TcpConnection* c = p.connect();
  p.at(Time::ms(100), [c] {
    c->send(as_bytes("bye"));
    c->close();
    CHECK(c->state() == TcpState::FinWait1);
  });
  p.net.sim.run_until(Time::ms(500));

  // Client's data+FIN at 100 ms; server's FIN-ACK (it closes on the peer's FIN) at 110 ms;
  // client's last ACK at 120 ms.
  CHECK(p.server().text == "bye");
  CHECK(p.server().peer_closed);
  CHECK(p.client.peer_closed);
  CHECK(p.client.outcome == TcpOutcome::Completed);
  CHECK(p.client.closed_at == Time::ms(120));
  CHECK(p.server().outcome == TcpOutcome::Completed);
  CHECK(p.server().closed_at == Time::ms(130));
  CHECK(c->state() == TcpState::TimeWait);
  CHECK(p.b.stack().connection_count() == 0);
  CHECK(p.a.stack().connection_count() == 1);

  p.net.sim.run_until(Time::ms(120) + Time::s(2) - Time::ns(1));
  CHECK(p.a.stack().connection_count() == 1);
  p.net.sim.run_until(Time::ms(120) + Time::s(2));
  CHECK(p.a.stack().connection_count() == 0);
  CHECK(p.a.stack().counters().completed == 1);
  CHECK(p.b.stack().counters().completed == 1);
}

TEST_CASE("after a half close data still flows toward the side that closed first") {
  Pair p;
  p.acc.close_on_peer_close = false;
  TcpConnection* c = p.connect();
  p.at(Time::ms(100), [c] { c->close(); });
  p.at(Time::ms(200), [&p] {
    Recorder& s = p.server();
    CHECK(s.peer_closed);
    CHECK(s.conn->state() == TcpState::CloseWait);
    s.conn->send_virtual(200000);
    s.conn->send(as_bytes("tail"));
    s.conn->close();
  });
  p.net.sim.run_until(Time::s(5));
  CHECK(p.client.received == 200004);
  CHECK(p.client.text == "tail");
  CHECK(p.client.outcome == TcpOutcome::Completed);
  CHECK(p.server().outcome == TcpOutcome::Completed);
}

TEST_CASE("both ends closing at once pass through CLOSING and complete") {
  Pair p;
  p.acc.close_on_peer_close = false;
  TcpConnection* c = p.connect();
  p.at(Time::ms(100), [&p, c] {
    c->close();
    p.server().conn->close();
  });
  p.net.sim.run_until(Time::ms(115));
  CHECK(c->state() == TcpState::Closing);
  p.net.sim.run_until(Time::s(1));
  CHECK(p.client.outcome == TcpOutcome::Completed);
  CHECK(p.server().outcome == TcpOutcome::Completed);
  CHECK(c->state() == TcpState::TimeWait);
}

TEST_CASE("a server that forgot the connection answers with RST and the client's connection ends reset") {
  Pair p;
  TcpConnection* c = p.connect();
  p.at(Time::ms(100), [&p] { p.b.driver.crash(); });
  CHECK(true);
  p.at(Time::ms(200), [c] { c->send(as_bytes("GET / HTTP/1.1\r\n\r\n")); });
  p.net.sim.run_until(Time::s(1));

  CHECK(p.server().outcome == TcpOutcome::Reset);  // its own end was forgotten by the crash
  CHECK(p.b.stack().counters().resets_sent_unknown == 1);
  CHECK(p.client.outcome == TcpOutcome::Reset);
  CHECK(p.client.closed_at == Time::ms(220));
  CHECK(p.a.stack().connection_count() == 0);
  const SentRecord& rst = p.net.log.back();
  CHECK(rst.src == kB);
  CHECK(rst.seg.flags == tcp_flag::rst);
  CHECK(rst.seg.window == 0);
}

TEST_CASE("a SYN to a port nobody listens on is refused with RST-ACK") {
  Pair p;
  TcpConnection* c = p.a.stack().connect(Time::zero(), {kA, 0}, {kB, 81}, p.client);
  SeqNum iss = c->iss();
  p.net.sim.run_until(Time::s(1));
  CHECK(p.client.outcome == TcpOutcome::Reset);
  CHECK_FALSE(p.client.connected);
  REQUIRE(p.net.log.size() == 2);
  CHECK(p.net.log[1].seg.flags == (tcp_flag::rst | tcp_flag::ack));
  CHECK(p.net.log[1].seg.ack == iss + 1);
  CHECK(p.net.log[1].seg.seq == SeqNum(0));
}

TEST_CASE("a listener that refuses a connection resets it") {
  Pair p;
  p.acc.refuse = true;
  p.connect();
  p.net.sim.run_until(Time::s(1));
  CHECK(p.client.connected);  // the handshake completed before the application said no
  CHECK(p.client.outcome == TcpOutcome::Reset);
  CHECK(p.b.stack().connection_count() == 0);
}

TEST_CASE(
    "a half-open connection whose listener stopped listening is reset, not handed to the next listener") {
  Pair p;
  Acceptor newcomer;
  newcomer.sim = &p.net.sim;
  p.connect();
  // The SYN reached B at 10 ms; the handshake's last ACK reaches it at 30 ms.
  p.at(Time::ms(15), [&] {
    p.b.stack().unlisten({kB, 80});
    CHECK(p.b.stack().listen({kB, 80}, newcomer));
  });
  p.net.sim.run_until(Time::s(1));
  CHECK(p.acc.accepted.empty());
  CHECK(newcomer.accepted.empty());
  CHECK(p.client.connected);
  CHECK(p.client.outcome == TcpOutcome::Reset);
  CHECK(p.b.stack().connection_count() == 0);

  p.connect();  // a new connection goes to the listener of the moment
  p.net.sim.run_until(Time::s(2));
  CHECK(newcomer.accepted.size() == 1);
}

TEST_CASE("a connection cannot be configured with more retries than it counts") {
  TcpConfig cfg;
  cfg.retries = 256;
  CHECK_THROWS_AS(TcpConnectionOwner{cfg}, std::invalid_argument);
  cfg.retries = 255;
  CHECK_NOTHROW(TcpConnectionOwner{cfg});
}

TEST_CASE("the retransmission timeout backs off exponentially: 1 s, 2 s, 4 s, 8 s ... up to 120 s") {
  Pair p;
  TcpConnection* c = p.connect();
  p.net.outage(Time::ms(100), Time::s(10000));
  p.at(Time::ms(100), [c] { c->send(as_bytes("ping")); });
  p.net.sim.run_until(Time::s(400));

  std::vector<Time> t = data_send_times(p.net, kA);
  REQUIRE(t.size() >= 9);
  const Time base = Time::ms(100);
  std::vector<Time> expected = {base,
                                base + Time::s(1),
                                base + Time::s(3),
                                base + Time::s(7),
                                base + Time::s(15),
                                base + Time::s(31),
                                base + Time::s(63),
                                base + Time::s(127),
                                base + Time::s(247)};  // 128 s capped at rto_max = 120 s
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(t[i] == expected[i]);
  CHECK(c->counters().retransmissions == t.size() - 1);
  CHECK(c->rto() == Time::s(120));
}

TEST_CASE("a connection times out after its retry limit and reports it") {
  Pair p;
  TcpConnection* c = p.connect();
  p.net.outage(Time::ms(100), Time::s(100000));
  p.at(Time::ms(100), [c] { c->send(as_bytes("x")); });
  p.net.sim.run_until(Time::s(2000));
  // 15 retransmissions (tcp_retries2) at 1+2+4+...+64 s, then 120 s apart; the 16th expiry
  // gives up: 0.1 + 127 + 9 x 120 = 1207.1 s.
  CHECK(p.client.outcome == TcpOutcome::TimedOut);
  CHECK(p.client.closed_at == Time::ms(1207100));
  CHECK(data_send_times(p.net, kA).size() == 16);
  CHECK(p.a.stack().connection_count() == 0);
  CHECK(p.a.stack().counters().timed_out == 1);
}

TEST_CASE("the retry limit is configurable, as Linux's tcp_retries2") {
  TcpConfig cfg;
  cfg.retries = 3;
  cfg.rto_min = Time::ms(200);
  Pair p(cfg);
  TcpConnection* c = p.connect();
  p.net.outage(Time::ms(100), Time::s(100000));
  p.at(Time::ms(100), [c] { c->send(as_bytes("x")); });
  p.net.sim.run_until(Time::s(100));
  // RTO = max(200 ms, 20 ms + 4 x 10 ms) = 200 ms: 0.2 + 0.4 + 0.8 + 1.6 s.
  CHECK(p.client.outcome == TcpOutcome::TimedOut);
  CHECK(p.client.closed_at == Time::ms(100 + 3000));
}

TEST_CASE("an unanswered SYN is retried 6 times and the connect times out after 127 s") {
  TestNet net;
  auto& a = net.add_host(kA);
  Recorder client;
  client.sim = &net.sim;
  a.stack().connect(Time::zero(), {kA, 0}, {kB, 80}, client);  // no host kB: SYNs vanish
  net.sim.run_until(Time::s(300));
  std::vector<Time> t = data_send_times(net, kA);  // SYNs carry no data: read the log
  std::vector<Time> syns;
  for (const auto& r : net.log) syns.push_back(r.at);
  CHECK(syns == std::vector<Time>{Time::s(0), Time::s(1), Time::s(3), Time::s(7), Time::s(15), Time::s(31),
                                  Time::s(63)});
  CHECK(client.outcome == TcpOutcome::TimedOut);
  CHECK(client.closed_at == Time::s(127));
  CHECK(t.empty());
}

TEST_CASE("after a lost SYN the connection starts with a 3 s RTO (RFC 6298 5.7)") {
  Pair p;
  p.net.drop_next(1);
  TcpConnection* c = p.connect();
  p.net.sim.run_until(Time::s(2));
  CHECK(c->state() == TcpState::Established);
  CHECK(c->counters().retransmissions == 1);
  CHECK(c->rto() == Time::s(3));
  // Karn: the SYN-ACK answered a retransmitted SYN, so no RTT sample was taken.
  CHECK(c->srtt() == Time::zero());
}

TEST_CASE("Karn's rule: an ACK of a retransmitted segment gives no RTT sample and the backoff stays") {
  Pair p;
  TcpConnection* c = p.connect();
  int data_seen = 0;
  p.net.drop_if(
      [&](Ipv4 src, const TcpSegment& s) { return src == kA && !s.payload.empty() && data_seen++ == 0; });
  p.at(Time::ms(100), [c] { c->send(as_bytes("first")); });
  p.net.sim.run_until(Time::ms(1500));
  // Lost at 0.1 s, resent at 1.1 s, acknowledged at 1.12 s. A sample of 1.02 s (from the first
  // transmission) would have raised SRTT; none was taken and the RTO keeps its backoff.
  CHECK(c->counters().retransmissions == 1);
  CHECK(c->unacked_bytes() == 0);
  CHECK(c->srtt() == Time::ms(20));
  CHECK(c->rto() == Time::s(2));
  // A fresh, never retransmitted segment gives a sample and recomputes the RTO.
  p.at(Time::s(2), [c] { c->send(as_bytes("second")); });
  p.net.sim.run_until(Time::s(3));
  CHECK(c->srtt() == Time::ms(20));
  CHECK(c->rto() == Time::s(1));
  CHECK(p.server().text == "firstsecond");
}

TEST_CASE("three duplicate ACKs trigger a fast retransmit long before the RTO") {
  Pair p;
  TcpConnection* c = p.connect();
  int data_seen = 0;
  p.net.drop_if(
      [&](Ipv4 src, const TcpSegment& s) { return src == kA && !s.payload.empty() && ++data_seen == 2; });
  const std::string body = pattern(10 * 1460);
  p.at(Time::ms(100), [&] { c->send(as_bytes(body)); });
  p.net.sim.run_until(Time::ms(200));

  CHECK(c->counters().fast_retransmits == 1);
  CHECK(c->counters().timeouts == 0);
  CHECK(c->counters().retransmissions == 1);
  CHECK(c->counters().dup_acks >= 3);
  CHECK(p.server().text == body);
  CHECK(p.server().conn->counters().out_of_order == 8);
  // Segment 2 is resent when the third duplicate ACK arrives: sent at 100 ms, the dup ACKs
  // for segments 3..5 come back at 120 ms.
  std::vector<Time> t = data_send_times(p.net, kA);
  REQUIRE(t.size() == 11);
  CHECK(t[10] == Time::ms(120));
  // RFC 5681 (4): ssthresh = FlightSize / 2, with 9 segments outstanding at the third dup ACK.
  CHECK(c->ssthresh() == 9 * 1460 / 2);
}

TEST_CASE("a connection survives a 2-second outage by retransmission") {
  Pair p;
  TcpConnection* c = p.connect();
  p.client.close_on_peer_close = true;
  // The server streams 2 MB (virtual) starting at 100 ms; both directions go dark for 2 s in
  // the middle of the transfer.
  p.at(Time::ms(100), [&p] {
    p.server().conn->send_virtual(2'000'000);
    p.server().conn->close();
  });
  p.net.outage(Time::ms(300), Time::ms(2300));
  p.net.sim.run_until(Time::s(30));

  CHECK(p.client.received == 2'000'000);
  CHECK(p.client.outcome == TcpOutcome::Completed);
  CHECK(p.server().outcome == TcpOutcome::Completed);
  CHECK(p.b.stack().counters().completed == 1);
  CHECK(p.b.stack().counters().timed_out == 0);
  // Retransmissions happened and the transfer resumed within one backed-off RTO of the end.
  std::size_t resent = 0;
  Time first_after = Time::max();
  for (const auto& r : p.net.log) {
    if (r.src == kB && r.at >= Time::ms(2300) && !r.dropped && r.len() > 0 && first_after == Time::max()) {
      first_after = r.at;
    }
    if (r.src == kB && r.dropped) ++resent;
  }
  CHECK(resent > 0);
  CHECK(first_after <= Time::ms(2300) + Time::s(2));
  (void)c;
}

TEST_CASE("real data crosses a lossy path intact and every connection ends with an outcome") {
  Pair p;
  p.net.loss_rate(0.05);
  const std::string body = pattern(30000);
  std::vector<std::unique_ptr<Recorder>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(std::make_unique<Recorder>());
    clients.back()->close_on_peer_close = true;
    TcpConnection* c = p.a.stack().connect(Time::zero(), {kA, 0}, {kB, 80}, *clients.back());
    c->send(as_bytes(body));
    c->close();
  }
  p.net.sim.run_until(Time::s(3000));

  int completed = 0;
  CHECK(p.acc.accepted.size() == 20);
  for (const auto& s : p.acc.accepted) {
    CHECK(s->outcome != TcpOutcome::Open);
    if (s->outcome == TcpOutcome::Completed) {
      ++completed;
      CHECK(s->text == body);
    }
  }
  for (const auto& c : clients) CHECK(c->outcome != TcpOutcome::Open);
  CHECK(completed == 20);
  const auto& ca = p.a.stack().counters();
  const auto& cb = p.b.stack().counters();
  CHECK(ca.completed + ca.reset + ca.timed_out == ca.active_opens);
  CHECK(cb.completed + cb.reset + cb.timed_out == cb.passive_opens);
  CHECK(p.a.stack().connection_count() == 0);
  CHECK(p.b.stack().connection_count() == 0);
}

TEST_CASE("a zero window is probed and the transfer resumes when the application reads") {
  TcpConfig small;
  small.recv_buffer = 4000;
  Pair p({}, small);
  TcpConnection* c = p.connect();
  p.net.sim.run_until(Time::ms(50));
  p.server().consume = false;
  p.at(Time::ms(100), [c] { c->send_virtual(10000); });
  p.net.sim.run_until(Time::s(4));
  CHECK(p.server().conn->received().size() == 4000);
  CHECK(c->unacked_bytes() == 6000);
  // Probes: pure ACKs with SND.UNA - 1, backing off from the RTO (1 s, 2 s).
  int probes = 0;
  for (const auto& r : p.net.sent_by(kA)) {
    if (r.len() == 0 && r.seg.seq == c->snd_una() - 1) ++probes;
  }
  CHECK(probes == 2);
  CHECK(c->state() == TcpState::Established);

  p.at(Time::s(4), [&p] {
    p.server().consume = true;
    p.server().drain(*p.server().conn);
  });
  p.net.sim.run_until(Time::s(5));
  CHECK(p.server().received == 10000);
  CHECK(c->unacked_bytes() == 0);
}

TEST_CASE("a reused 4-tuple still in TIME-WAIT at the server accepts the new SYN") {
  TcpConfig client_cfg;
  client_cfg.ephemeral_first = client_cfg.ephemeral_last = 40000;  // one port: forced reuse
  Pair p(client_cfg);
  p.acc.close_on_peer_close = false;
  p.client.close_on_peer_close = true;
  p.connect();
  p.at(Time::ms(100), [&p] { p.server().conn->close(); });  // the server closes first
  p.net.sim.run_until(Time::s(1));
  CHECK(p.client.outcome == TcpOutcome::Completed);
  REQUIRE(p.b.stack().find(FourTuple{{kB, 80}, {kA, 40000}}) != nullptr);
  CHECK(p.b.stack().find(FourTuple{{kB, 80}, {kA, 40000}})->state() == TcpState::TimeWait);

  Recorder second;
  TcpConnection* c2 = p.a.stack().connect(p.net.sim.now(), {kA, 0}, {kB, 80}, second);
  REQUIRE(c2 != nullptr);
  CHECK(c2->tuple().local.port == 40000);
  p.net.sim.run_until(Time::ms(1100));
  CHECK(second.connected);
  CHECK(p.acc.accepted.size() == 2);
  CHECK(c2->counters().retransmissions == 0);
}

TEST_CASE("a client with every ephemeral port in use cannot connect") {
  TcpConfig cfg;
  cfg.ephemeral_first = cfg.ephemeral_last = 40000;
  Pair p(cfg);
  CHECK(p.connect() != nullptr);
  Recorder other;
  CHECK(p.a.stack().connect(Time::zero(), {kA, 0}, {kB, 80}, other) == nullptr);
  // A different server is a different 4-tuple: the port is free for it.
  CHECK(p.a.stack().connect(Time::zero(), {kA, 0}, {kB, 8080}, other) != nullptr);
}

TEST_CASE("a connection from an unspecified address takes the source the network side picks") {
  Pair p;
  TcpConnection* c = p.a.stack().connect(Time::zero(), {Ipv4::any(), 0}, {kB, 80}, p.client);
  REQUIRE(c != nullptr);
  CHECK(c->tuple().local.addr == kA);
  p.net.sim.run_until(Time::s(1));
  CHECK(p.client.connected);
  // A stack whose network side knows no source cannot open it.
  struct NoRoute : TcpIo {
    void send_segment(Ipv4, Ipv4, const TcpSegment&) override {}
  } io;
  TcpStack lonely(TcpConfig{}, p.net.sim.rng().stream("lonely"), io);
  CHECK(lonely.connect(Time::zero(), {Ipv4::any(), 0}, {kB, 80}, p.client) == nullptr);
}

TEST_CASE("abort sends a RST that resets the peer") {
  Pair p;
  TcpConnection* c = p.connect();
  p.at(Time::ms(100), [c] { c->abort(); });
  p.net.sim.run_until(Time::s(1));
  CHECK(p.client.outcome == TcpOutcome::Reset);
  CHECK(p.server().outcome == TcpOutcome::Reset);
  CHECK(p.a.stack().connection_count() == 0);
  CHECK(p.b.stack().connection_count() == 0);
}

TEST_CASE("the trace bus hears every connection open, change state and close") {
  TcpConfig cfg;
  cfg.time_wait = Time::s(1);
  Pair p(cfg, cfg);
  std::vector<std::string> seen;
  p.a.stack().set_trace(&p.net.sim.trace(), 7);
  p.b.stack().set_trace(&p.net.sim.trace(), 8);
  p.net.sim.trace().subscribe<TcpOpenedEvent>([&](const TcpOpenedEvent& e) {
    seen.push_back(std::to_string(e.node) + " open " + (e.passive ? "passive" : "active"));
  });
  p.net.sim.trace().subscribe<TcpStateEvent>([&](const TcpStateEvent& e) {
    if (e.node == 7)
      seen.push_back("7 " + std::string(to_string(e.from)) + ">" + std::string(to_string(e.to)));
  });
  p.net.sim.trace().subscribe<TcpClosedEvent>([&](const TcpClosedEvent& e) {
    seen.push_back(std::to_string(e.node) + " closed " + std::string(to_string(e.outcome)));
  });
  TcpConnection* c = p.connect();
  p.at(Time::ms(100), [c] { c->close(); });
  p.net.sim.run_until(Time::s(3));
  CHECK(seen == std::vector<std::string>{"7 open active", "7 CLOSED>SYN-SENT", "8 open passive",
                                         "7 SYN-SENT>ESTABLISHED", "7 ESTABLISHED>FIN-WAIT-1",
                                         "7 FIN-WAIT-1>TIME-WAIT", "7 closed completed", "8 closed completed",
                                         "7 TIME-WAIT>CLOSED"});
}

TEST_CASE("initial sequence numbers come from the named stream and differ per 4-tuple") {
  TestNet n1, n2(Time::ms(10), 2);
  auto& a1 = n1.add_host(kA);
  auto& a2 = n2.add_host(kA);
  Recorder r;
  SeqNum s1 = a1.stack().connect(Time::zero(), {kA, 1000}, {kB, 80}, r)->iss();
  SeqNum s1b = a1.stack().connect(Time::zero(), {kA, 1001}, {kB, 80}, r)->iss();
  SeqNum s2 = a2.stack().connect(Time::zero(), {kA, 1000}, {kB, 80}, r)->iss();
  CHECK(s1 != s1b);
  CHECK(s1 != s2);  // another seed, another secret
  TestNet n3;
  auto& a3 = n3.add_host(kA);
  CHECK(a3.stack().connect(Time::zero(), {kA, 1000}, {kB, 80}, r)->iss() == s1);  // same seed, same ISN
  // RFC 6528: the same 4-tuple later starts 1 per 4 us higher.
  CHECK(a3.stack().connect(Time::ms(4), {kA, 1002}, {kB, 80}, r) != nullptr);
}
