#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/transport/udp.hpp"

using namespace nlb::transport;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace {

struct Out : UdpIo {
  std::vector<UdpDatagram> sent;
  std::vector<std::string> text;
  void send_datagram(const UdpDatagram& d) override {
    sent.push_back(d);
    text.emplace_back(reinterpret_cast<const char*>(d.payload.real.data()), d.payload.real.size());
    sent.back().payload.real = {};
  }
};

struct Sink : UdpReceiver {
  std::vector<std::uint64_t> sizes;
  void on_datagram(Time, const UdpDatagram& d) override { sizes.push_back(d.payload.size()); }
};

const Ipv4 kA(10, 0, 0, 1);
const Ipv4 kB(10, 0, 0, 2);

}  // namespace

TEST_CASE("a bound UDP socket sends datagrams with real and virtual payload") {
  Out out;
  UdpStack udp(out);
  UdpSocket* s = udp.bind({kA, 5000});
  REQUIRE(s != nullptr);
  CHECK(s->send_to({kB, 53}, {as_bytes("query"), 1000}));
  REQUIRE(out.sent.size() == 1);
  CHECK(out.sent[0].src == Endpoint{kA, 5000});
  CHECK(out.sent[0].dst == Endpoint{kB, 53});
  CHECK(out.text[0] == "query");
  CHECK(out.sent[0].payload.virtual_len == 1000);
  CHECK(udp.counters().datagrams_out == 1);
  // A destination port of 0 cannot be sent to.
  CHECK_FALSE(s->send_to({kB, 0}, {}));
}

TEST_CASE("inbound datagrams reach the bound socket and others report no port") {
  Out out;
  UdpStack udp(out);
  UdpSocket* s = udp.bind({kA, 5000}, 2);
  UdpDatagram d{{kB, 9}, {kA, 5000}, {as_bytes("hi"), 10}};
  CHECK(udp.on_datagram(Time::ms(1), d));
  CHECK(udp.on_datagram(Time::ms(2), d));
  CHECK(udp.on_datagram(Time::ms(3), d));  // delivered to the socket, dropped: queue full
  CHECK(s->counters().dropped_queue_full == 1);
  auto r = s->recv();
  REQUIRE(r.has_value());
  CHECK(r->at == Time::ms(1));
  CHECK(std::string(reinterpret_cast<const char*>(r->real.data()), r->real.size()) == "hi");
  CHECK(r->size() == 12);
  CHECK(s->queued() == 1);

  UdpDatagram other{{kB, 9}, {kA, 5001}, {}};
  CHECK_FALSE(udp.on_datagram(Time::ms(4), other));
  CHECK(udp.counters().no_port == 1);
}

TEST_CASE("a socket bound to every address receives for all and needs a source to send") {
  Out out;
  UdpStack udp(out);
  UdpSocket* s = udp.bind({Ipv4::any(), 7});
  Sink sink;
  s->set_receiver(&sink);
  CHECK(udp.on_datagram(Time::zero(), {{kB, 1}, {kA, 7}, {{}, 100}}));
  CHECK(udp.on_datagram(Time::zero(), {{kB, 1}, {Ipv4(192, 168, 1, 1), 7}, {{}, 200}}));
  CHECK(sink.sizes == std::vector<std::uint64_t>{100, 200});
  CHECK_FALSE(s->send_to({kB, 1}, {}));  // no source address
  CHECK(s->send_from(kA, {kB, 1}, {}));
  // A specific binding wins over the wildcard.
  UdpSocket* exact = udp.bind({kA, 7});
  REQUIRE(exact != nullptr);
  CHECK(udp.on_datagram(Time::zero(), {{kB, 1}, {kA, 7}, {{}, 1}}));
  CHECK(exact->queued() == 1);
}

TEST_CASE("ephemeral UDP ports are handed out in turn and a taken port cannot be bound twice") {
  Out out;
  UdpStack udp(out, 40000, 40001);
  UdpSocket* a = udp.bind({kA, 0});
  UdpSocket* b = udp.bind({kA, 0});
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->local().port == 40000);
  CHECK(b->local().port == 40001);
  CHECK(udp.bind({kA, 0}) == nullptr);
  CHECK(udp.bind({kA, 40000}) == nullptr);
  udp.close(a);
  CHECK(udp.bind({kA, 0}) != nullptr);
}
