// The transport over the real stack: net::Host, ARP, a switched LAN, frames with real bytes.
// TransportHost is the glue; these tests check that what the sans-IO transport says reaches
// the wire as valid TCP, UDP and ICMP, and comes back.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "models/apps/http_client.hpp"
#include "models/apps/http_server.hpp"
#include "models/apps/ping_client.hpp"
#include "models/link/pcap_writer.hpp"
#include "models/link/trace_events.hpp"
#include "models/net/network.hpp"
#include "models/transport/transport_host.hpp"
#include "models/wire/tcp.hpp"
#include "tests/transport/test_net.hpp"

using namespace nlb;
using namespace nlb::transport;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace {

const Ipv4 kClientIp(10, 0, 0, 1);
const Ipv4 kServerIp(10, 0, 0, 2);

// A client and a server on one switch, each with its transport.
struct Lan2 {
  explicit Lan2(link::LinkConfig link = {}) : net(sim) {
    link::LanConfig lc;
    lc.link = link;
    lan = &net.add_lan("lan", lc);
    client = &net.add_host("client");
    server = &net.add_host("server");
    net.connect(*client, "eth0", *lan);
    net.connect(*server, "eth0", *lan);
    client->add_address(0, kClientIp, 24);
    server->add_address(0, kServerIp, 24);
    ct = std::make_unique<TransportHost>(*client);
    st = std::make_unique<TransportHost>(*server);
    sim.trace().subscribe<link::FrameDropped>(
        [this](const link::FrameDropped& d) { drops.push_back(std::string(d.reason)); });
  }
  std::size_t dropped(const std::string& reason) const {
    return static_cast<std::size_t>(std::count(drops.begin(), drops.end(), reason));
  }
  sim::Simulation sim;
  net::Network net;
  link::Lan* lan;
  net::Host* client;
  net::Host* server;
  std::unique_ptr<TransportHost> ct;
  std::unique_ptr<TransportHost> st;
  std::vector<std::string> drops;
};

apps::HttpClientConfig client_cfg() {
  apps::HttpClientConfig c;
  c.server = {kServerIp, 80};  // local address left unspecified: the route's source
  c.arrivals = apps::Arrivals::fixed(Time::ms(100));
  c.max_requests = 1;
  c.response_size = 20'000;
  return c;
}

std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace

TEST_CASE("an HTTP exchange crosses a switched LAN as real TCP segments, ARP first") {
  Lan2 t;
  apps::HttpServer server(t.sim, t.st->tcp(), {}, t.sim.rng().stream("server/service"));
  apps::HttpClient client(t.sim, t.ct->tcp(), client_cfg(), t.sim.rng().stream("client/arrivals"));
  REQUIRE(server.start());
  client.start();
  t.sim.run_until(Time::s(2));

  REQUIRE(client.records().size() == 1);
  CHECK(client.records()[0].outcome == apps::HttpOutcome::Ok);
  CHECK(client.records()[0].bytes_received > 20'000);
  CHECK(server.counters().requests_served == 1);
  CHECK(t.ct->tcp().counters().completed == 1);
  CHECK(t.st->tcp().counters().completed == 1);
  CHECK(t.ct->counters().tcp_malformed == 0);
  CHECK(t.st->counters().tcp_malformed == 0);
  CHECK(t.ct->counters().send_failures == 0);
  CHECK(t.drops.empty());
  // Every TCP segment the server received was checked (checksum with the pseudo-header).
  CHECK(t.st->counters().tcp_in >= 4);
}

TEST_CASE("captures of an HTTP exchange dissect cleanly and reassemble into request and response") {
  Lan2 t;
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(NLBSIM_BINARY_DIR) / "test-output" / "apps-e2e";
  fs::create_directories(dir);
  const std::string path = (dir / "http.pcap").string();
  std::string error;
  auto pcap = link::PcapWriter::for_lan(t.sim, t.lan->id(), path, error);
  REQUIRE_MESSAGE(pcap != nullptr, error);
  apps::HttpClientConfig cc = client_cfg();
  cc.requests_per_connection = 2;
  cc.max_requests = 2;
  apps::HttpServer server(t.sim, t.st->tcp(), {}, t.sim.rng().stream("server/service"));
  apps::HttpClient client(t.sim, t.ct->tcp(), cc, t.sim.rng().stream("client/arrivals"));
  server.start();
  client.start();
  apps::PingConfig pc;
  pc.target = kServerIp;
  pc.count = 2;
  apps::PingClient ping(*t.ct, pc);
  ping.start();
  t.sim.run_until(Time::s(3));
  REQUIRE(pcap->close(error));
  CHECK(client.counters().ok == 2);
  CHECK(ping.stats().received == 2);

  if (std::system("command -v tshark > /dev/null 2>&1") != 0) {
    MESSAGE("tshark not installed: capture check skipped");
    return;
  }
  // No malformed packet and no checksum complaint anywhere (checksums validated on).
  const std::string opts =
      " -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE ";
  std::string expert = run_command("tshark -n -r " + path + opts + "-z expert,warn -q 2>&1");
  CHECK(expert.find("Malformed") == std::string::npos);
  CHECK(expert.find("hecksum") == std::string::npos);
  std::string bad =
      run_command("tshark -n -r " + path + opts +
                  "-Y '_ws.malformed || _ws.expert.severity >= warning || tcp.analysis.flags' 2>/dev/null");
  CHECK_MESSAGE(bad.empty(), bad);
  // Two requests and two responses, reassembled by Wireshark's HTTP dissector.
  std::string http = run_command("tshark -n -r " + path + opts +
                                 "-Y http -T fields -e http.request.method -e "
                                 "http.response.code -e http.content_length 2>/dev/null");
  CHECK_MESSAGE(http == "GET\t\t\n\t200\t20000\nGET\t\t\n\t200\t20000\n", http);
  std::string icmp = run_command("tshark -n -r " + path + opts + "-Y 'icmp.type == 0' 2>/dev/null | wc -l");
  CHECK(icmp == "2\n");
  fs::remove_all(dir);
}

TEST_CASE("TCP rides out a 2-second link outage on a real LAN by retransmission") {
  Lan2 t;
  apps::HttpServerConfig sc;
  sc.response_size = 3'000'000;
  apps::HttpServer server(t.sim, t.st->tcp(), sc, t.sim.rng().stream("server/service"));
  apps::HttpClientConfig cc = client_cfg();
  cc.response_size = 3'000'000;
  apps::HttpClient client(t.sim, t.ct->tcp(), cc, t.sim.rng().stream("client/arrivals"));
  server.start();
  client.start();
  // The server's port goes down for 2 s in the middle of the response.
  t.sim.schedule_at(Time::ms(20), [&t] { t.lan->set_port_up(1, false); });
  t.sim.schedule_at(Time::ms(2020), [&t] { t.lan->set_port_up(1, true); });
  t.sim.run_until(Time::s(30));
  REQUIRE(client.records().size() == 1);
  CHECK(client.records()[0].outcome == apps::HttpOutcome::Ok);
  CHECK(client.records()[0].end > Time::s(2));
  CHECK(t.ct->tcp().counters().completed == 1);
  CHECK(t.st->tcp().counters().completed == 1);
  CHECK(t.dropped(link::drop::kLinkDown) > 0);
}

TEST_CASE("a server host that crashed and came back answers an old connection with RST") {
  Lan2 t;
  apps::HttpServer server(t.sim, t.st->tcp(), {}, t.sim.rng().stream("server/service"));
  apps::HttpClientConfig cc = client_cfg();
  cc.requests_per_connection = 2;
  cc.max_requests = 2;
  cc.arrivals = apps::Arrivals::fixed(Time::s(1));
  apps::HttpClient client(t.sim, t.ct->tcp(), cc, t.sim.rng().stream("client/arrivals"));
  server.start();
  client.start();
  t.sim.schedule_at(Time::ms(300), [&t] { t.server->set_up(false); });
  t.sim.schedule_at(Time::ms(600), [&t] { t.server->set_up(true); });
  t.sim.run_until(Time::s(3));
  REQUIRE(client.records().size() == 2);
  CHECK(client.records()[0].outcome == apps::HttpOutcome::Ok);
  CHECK(client.records()[1].outcome == apps::HttpOutcome::Reset);
  CHECK(t.st->tcp().counters().resets_sent_unknown == 1);
  CHECK(t.st->tcp().connection_count() == 0);
}

TEST_CASE("ping measures the round trip over the LAN and loses requests to a dead host") {
  Lan2 t;
  apps::PingConfig pc;
  pc.target = kServerIp;
  pc.count = 4;
  apps::PingClient ping(*t.ct, pc);
  ping.start();
  t.sim.schedule_at(Time::ms(2500), [&t] { t.server->set_up(false); });
  t.sim.run_until(Time::s(10));
  CHECK(ping.stats().sent == 4);
  CHECK(ping.stats().received == 3);
  CHECK(ping.stats().lost == 1);
  CHECK(t.st->counters().echo_requests_answered == 3);
  // The first round trip waited for ARP both ways; the later ones did not.
  const auto& r = ping.pinger().records();
  CHECK(*r[1].rtt < *r[0].rtt);
  CHECK(*r[1].rtt == *r[2].rtt);
  CHECK(*r[1].rtt < Time::us(50));
}

TEST_CASE("UDP datagrams with virtual payload cross the LAN; an unbound port drops them") {
  Lan2 t;
  UdpSocket* rx = t.st->udp().bind({Ipv4::any(), 9000});
  UdpSocket* tx = t.ct->udp().bind({kClientIp, 0});
  REQUIRE(rx);
  REQUIRE(tx);
  CHECK(tx->send_to({kServerIp, 9000}, {as_bytes("hello"), 1000}));
  CHECK(tx->send_to({kServerIp, 9001}, {as_bytes("nobody"), 0}));
  t.sim.run_until(Time::ms(10));
  auto got = rx->recv();
  REQUIRE(got.has_value());
  CHECK(got->size() == 1005);
  CHECK(got->src == Endpoint{kClientIp, tx->local().port});
  CHECK(std::string(reinterpret_cast<const char*>(got->real.data()), got->real.size()) == "hello");
  CHECK(t.st->counters().udp_no_port == 1);
  CHECK(t.dropped("no-port") == 1);
}

TEST_CASE("a TCP segment with a bad checksum is dropped with its reason") {
  Lan2 t;
  apps::HttpServer server(t.sim, t.st->tcp(), {}, t.sim.rng().stream("server/service"));
  server.start();
  // A SYN to port 80 whose checksum field is wrong.
  std::byte seg[20]{};
  wire::TcpHeader h;
  h.src_port = 40000;
  h.dst_port = 80;
  h.seq = 1;
  h.flags.bits = wire::TcpFlags::kSyn;
  h.window = 1000;
  h.emit(seg, kClientIp, kServerIp, {});
  seg[16] ^= std::byte{0xff};
  net::Ipv4Send spec;
  spec.dst = kServerIp;
  spec.proto = wire::IpProto::Tcp;
  CHECK(t.client->send(spec, seg));
  t.sim.run_until(Time::ms(10));
  CHECK(t.st->counters().tcp_malformed == 1);
  CHECK(t.dropped("bad-checksum") == 1);
  CHECK(t.st->tcp().connection_count() == 0);
}
