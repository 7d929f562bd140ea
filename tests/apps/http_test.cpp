#include <doctest/doctest.h>

#include <string>

#include "models/apps/http_client.hpp"
#include "models/apps/http_server.hpp"
#include "tests/transport/test_net.hpp"

using namespace nlb::apps;
using namespace nlb::transport;
using namespace nlb::transport::testing;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace doctest {
template <>
struct StringMaker<HttpOutcome> {
  static String convert(const HttpOutcome& o) { return std::string(to_string(o)).c_str(); }
};
}  // namespace doctest

namespace {

const Ipv4 kClient(10, 0, 0, 1);
const Ipv4 kServer(10, 0, 0, 2);

struct Site {
  explicit Site(HttpServerConfig scfg = {}, HttpClientConfig ccfg = base_client(), const TcpConfig& tcp = {})
      : c(net.add_host(kClient, tcp)),
        s(net.add_host(kServer, tcp)),
        server(net.sim, s.stack(), scfg, net.sim.rng().stream("server/service")),
        client(net.sim, c.stack(), ccfg, net.sim.rng().stream("client/arrivals")) {}
  static HttpClientConfig base_client() {
    HttpClientConfig cfg;
    cfg.local = {kClient, 0};
    cfg.server = {kServer, 80};
    cfg.arrivals = Arrivals::fixed(Time::ms(100));
    cfg.max_requests = 1;
    return cfg;
  }
  TestNet net;
  TestNet::Host& c;
  TestNet::Host& s;
  HttpServer server;
  HttpClient client;
};

}  // namespace

TEST_CASE("an HTTP request and its response cross TCP with real heads and a virtual body") {
  HttpServerConfig scfg;
  scfg.service = ServiceTime::constant(Time::ms(5));
  HttpClientConfig ccfg = Site::base_client();
  ccfg.response_size = 50'000;
  Site site(scfg, ccfg);
  REQUIRE(site.server.start());
  site.client.start();
  site.net.sim.run_until(Time::s(5));

  REQUIRE(site.client.records().size() == 1);
  const RequestRecord& r = site.client.records()[0];
  CHECK(r.outcome == HttpOutcome::Ok);
  CHECK(r.status == 200);
  CHECK(r.start == Time::zero());
  const std::string req =
      "GET /obj HTTP/1.1\r\nHost: cluster\r\nX-Response-Size: 50000\r\nConnection: close\r\n\r\n";
  const std::string resp_head = "HTTP/1.1 200 OK\r\nContent-Length: 50000\r\nConnection: close\r\n\r\n";
  CHECK(r.bytes_sent == req.size());
  CHECK(r.bytes_received == resp_head.size() + 50'000);
  // SYN 0-10 ms, SYN-ACK 10-20, request with the ACK at 20 -> 30 ms, 5 ms of service, then
  // 50 kB in an initial window of 10 x 1460 bytes: four flights of 20 ms (10, 20, 40 segments).
  CHECK(r.end > Time::ms(35 + 10));
  CHECK(r.end < Time::ms(35 + 10 + 4 * 20));
  CHECK(site.server.counters().requests_served == 1);
  CHECK(site.server.counters().requests_received == 1);
  CHECK(site.server.counters().bytes_received == req.size());
  CHECK(site.client.counters().ok == 1);
  CHECK(site.client.in_flight() == 0);
  // Both ends of the TCP connection completed, and the server held nothing afterwards.
  CHECK(site.c.stack().counters().completed == 1);
  CHECK(site.s.stack().counters().completed == 1);
  CHECK(site.server.active_connections() == 0);
  CHECK(site.client.open_connections() == 0);
  // The request head is on the wire as real bytes: the first data segment from the client.
  auto sent = site.net.sent_by(kClient, true);
  REQUIRE(!sent.empty());
  CHECK(sent[0].real_len == req.size());
  CHECK(sent[0].seg.payload.virtual_len == 0);
}

TEST_CASE("a request body is sent as virtual bytes after a real head and read whole by the server") {
  HttpClientConfig ccfg = Site::base_client();
  ccfg.request_body = 100'000;
  ccfg.response_size = 10;
  Site site({}, ccfg);
  site.server.start();
  site.client.start();
  site.net.sim.run_until(Time::s(5));
  REQUIRE(site.client.records().size() == 1);
  CHECK(site.client.records()[0].outcome == HttpOutcome::Ok);
  CHECK(site.server.counters().bytes_received == site.client.records()[0].bytes_sent);
  CHECK(site.client.records()[0].bytes_sent > 100'000);
}

TEST_CASE("keep-alive carries several requests on one connection") {
  HttpClientConfig ccfg = Site::base_client();
  ccfg.requests_per_connection = 3;
  ccfg.max_requests = 3;
  Site site({}, ccfg);
  site.server.start();
  site.client.start();
  site.net.sim.run_until(Time::s(5));

  REQUIRE(site.client.records().size() == 3);
  CHECK(site.client.counters().connections_opened == 1);
  CHECK(site.client.counters().ok == 3);
  CHECK_FALSE(site.client.records()[0].reused_connection);
  CHECK(site.client.records()[1].reused_connection);
  CHECK(site.client.records()[2].reused_connection);
  CHECK(site.client.records()[1].connection == site.client.records()[0].connection);
  // The third request said "Connection: close": the server closed and both ends completed.
  CHECK(site.s.stack().counters().passive_opens == 1);
  CHECK(site.s.stack().counters().completed == 1);
  CHECK(site.c.stack().counters().completed == 1);
  // A reused connection skips the handshake: its request takes one RTT less.
  CHECK(site.client.records()[1].latency() < site.client.records()[0].latency());
}

TEST_CASE("an idle kept-alive connection is closed after the idle timeout") {
  HttpClientConfig ccfg = Site::base_client();
  ccfg.requests_per_connection = 10;
  ccfg.keepalive_idle = Time::s(2);
  Site site({}, ccfg);
  site.server.start();
  site.client.start();
  site.net.sim.run_until(Time::s(1));
  CHECK(site.client.open_connections() == 1);
  site.net.sim.run_until(Time::s(3));
  CHECK(site.client.open_connections() == 0);
  CHECK(site.client.counters().ok == 1);
  CHECK(site.s.stack().counters().completed == 1);
}

TEST_CASE("the server's worker limit queues requests in FIFO order") {
  HttpServerConfig scfg;
  scfg.workers = 1;
  scfg.service = ServiceTime::constant(Time::ms(100));
  HttpClientConfig ccfg = Site::base_client();
  ccfg.response_size = 100;
  Site site(scfg, ccfg);
  site.server.start();
  site.client.request();
  site.client.request();
  site.client.request();
  site.net.sim.run_until(Time::ms(50));  // all three requests arrived at 30 ms
  CHECK(site.server.busy_workers() == 1);
  CHECK(site.server.queue_length() == 2);
  CHECK(site.server.active_connections() == 3);
  site.net.sim.run_until(Time::s(2));

  REQUIRE(site.client.records().size() == 3);
  // Served one after another, 100 ms apart, first come first served.
  for (const auto& r : site.client.records()) CHECK(r.outcome == HttpOutcome::Ok);
  CHECK(site.client.records()[0].id == 1);
  CHECK(site.client.records()[1].id == 2);
  CHECK(site.client.records()[2].id == 3);
  CHECK(site.client.records()[1].end - site.client.records()[0].end == Time::ms(100));
  CHECK(site.client.records()[2].end - site.client.records()[1].end == Time::ms(100));
  CHECK(site.server.counters().queue_wait_sum == Time::ms(100 + 200));
  CHECK(site.server.queue_length() == 0);
}

TEST_CASE(
    "a queued request whose connection closed is dropped, though a new connection took its record's slot") {
  HttpServerConfig scfg;
  scfg.workers = 1;
  scfg.service = ServiceTime::constant(Time::s(1));
  HttpClientConfig ccfg = Site::base_client();
  ccfg.request_timeout = Time::s(10);
  Site site(scfg, ccfg);
  // A second, impatient client on the same host: its request waits behind the first and is
  // given up (its connection reset) after 300 ms.
  HttpClientConfig impatient_cfg = ccfg;
  impatient_cfg.request_timeout = Time::ms(300);
  HttpClient impatient(site.net.sim, site.c.stack(), impatient_cfg, site.net.sim.rng().stream("impatient"));
  site.server.start();
  site.client.request();
  impatient.request();
  // After the reset: the server's new connection reuses the freed record slot.
  site.net.sim.schedule_at(Time::ms(400), [&site] { site.client.request(); });
  site.net.sim.run_until(Time::ms(500));
  CHECK(site.server.active_connections() == 2);
  CHECK(site.server.queue_length() == 2);  // the dead connection's request and the new one
  // At 1 s the worker takes the next job: the dead connection's is dropped, not run for the
  // connection now in its slot, so the new request is served from 1 s to 2 s.
  site.net.sim.run_until(Time::ms(2500));
  CHECK(site.server.busy_workers() == 0);
  CHECK(site.server.counters().requests_abandoned == 1);
  CHECK(site.server.counters().requests_served == 2);
  REQUIRE(impatient.records().size() == 1);
  CHECK(impatient.records()[0].outcome == HttpOutcome::TimedOut);
  REQUIRE(site.client.records().size() == 2);
  CHECK(site.client.records()[0].outcome == HttpOutcome::Ok);
  CHECK(site.client.records()[1].outcome == HttpOutcome::Ok);
  CHECK(site.client.records()[1].end > Time::s(2));
  CHECK(site.client.records()[1].end < Time::ms(2100));
}

TEST_CASE("a full backlog answers 503 and the client records an error") {
  HttpServerConfig scfg;
  scfg.workers = 1;
  scfg.backlog_limit = 1;
  scfg.service = ServiceTime::constant(Time::ms(100));
  Site site(scfg);
  site.server.start();
  for (int i = 0; i < 3; ++i) site.client.request();
  site.net.sim.run_until(Time::s(2));
  CHECK(site.client.counters().ok == 2);
  CHECK(site.client.counters().error == 1);
  CHECK(site.server.counters().requests_rejected == 1);
  bool saw_503 = false;
  for (const auto& r : site.client.records()) saw_503 = saw_503 || r.status == 503;
  CHECK(saw_503);
}

TEST_CASE("a server can be slowed down at run time") {
  HttpServerConfig scfg;
  scfg.service = ServiceTime::constant(Time::ms(10));
  HttpClientConfig ccfg = Site::base_client();
  ccfg.max_requests = 10;
  ccfg.arrivals = Arrivals::fixed(Time::ms(500));
  ccfg.response_size = 100;
  Site site(scfg, ccfg);
  site.server.start();
  site.client.start();
  site.net.sim.schedule_at(Time::ms(2400),
                           [&site] { site.server.set_service_time(ServiceTime::constant(Time::ms(300))); });
  site.net.sim.run_until(Time::s(10));
  REQUIRE(site.client.records().size() == 10);
  // Requests are 40 ms of network plus the service time.
  CHECK(site.client.records()[0].latency() == Time::ms(50));
  CHECK(site.client.records()[4].latency() == Time::ms(50));
  CHECK(site.client.records()[5].latency() == Time::ms(340));
  CHECK(site.client.records()[9].latency() == Time::ms(340));
}

TEST_CASE("a request to a port nobody listens on is recorded as refused") {
  Site site;  // the server is never started
  site.client.start();
  site.net.sim.run_until(Time::s(2));
  REQUIRE(site.client.records().size() == 1);
  CHECK(site.client.records()[0].outcome == HttpOutcome::Refused);
  CHECK(site.client.records()[0].end == Time::ms(20));
}

TEST_CASE("a request on a connection the server forgot is recorded as reset") {
  HttpClientConfig ccfg = Site::base_client();
  ccfg.requests_per_connection = 2;
  ccfg.max_requests = 2;
  ccfg.arrivals = Arrivals::fixed(Time::s(1));
  Site site({}, ccfg);
  site.server.start();
  site.client.start();
  // After the first exchange the server host loses its TCP state (the seed's failover to
  // another server without connection sync looks the same to the client).
  site.net.sim.schedule_at(Time::ms(500), [&site] { site.s.driver.crash(); });
  site.net.sim.run_until(Time::s(3));
  REQUIRE(site.client.records().size() == 2);
  CHECK(site.client.records()[0].outcome == HttpOutcome::Ok);
  CHECK(site.client.records()[1].outcome == HttpOutcome::Reset);
  CHECK(site.client.records()[1].end == Time::ms(1020));
  CHECK(site.s.stack().counters().resets_sent_unknown == 1);
}

TEST_CASE("a request the server never answers times out and resets its connection") {
  HttpServerConfig scfg;
  scfg.service = ServiceTime::constant(Time::s(10));
  HttpClientConfig ccfg = Site::base_client();
  ccfg.request_timeout = Time::s(2);
  Site site(scfg, ccfg);
  site.server.start();
  site.client.start();
  site.net.sim.run_until(Time::s(20));
  REQUIRE(site.client.records().size() == 1);
  CHECK(site.client.records()[0].outcome == HttpOutcome::TimedOut);
  CHECK(site.client.records()[0].end == Time::s(2));
  CHECK(site.c.stack().counters().reset == 1);
  CHECK(site.s.stack().counters().reset == 1);  // the client's RST reached the server
  CHECK(site.server.counters().requests_abandoned == 1);
  CHECK(site.server.active_connections() == 0);
}

TEST_CASE("a server process crash resets its connections and drops its queue") {
  HttpServerConfig scfg;
  scfg.workers = 1;
  scfg.service = ServiceTime::constant(Time::s(1));
  Site site(scfg);
  site.server.start();
  site.client.request();
  site.client.request();
  site.net.sim.schedule_at(Time::ms(500), [&site] { site.server.crash(); });
  site.net.sim.run_until(Time::s(5));
  CHECK(site.client.counters().reset == 2);
  CHECK(site.server.counters().requests_abandoned == 2);
  CHECK_FALSE(site.server.listening());
  CHECK(site.server.active_connections() == 0);
}

TEST_CASE("Poisson arrivals come at the configured rate and repeat with the seed") {
  auto run = [](std::uint64_t seed) {
    HttpClientConfig ccfg = Site::base_client();
    ccfg.arrivals = Arrivals::poisson(100);
    ccfg.max_requests = 0;
    ccfg.stop = Time::s(10);
    ccfg.response_size = 1000;
    auto site = std::make_unique<Site>(HttpServerConfig{}, ccfg);
    (void)seed;
    site->server.start();
    site->client.start();
    site->net.sim.run_until(Time::s(20));
    std::vector<Time> starts;
    for (const auto& r : site->client.records()) starts.push_back(r.start);
    CHECK(site->client.counters().ok == site->client.counters().started);
    return starts;
  };
  std::vector<Time> a = run(1);
  std::vector<Time> b = run(1);
  CHECK(a == b);
  CHECK(a.size() > 900);
  CHECK(a.size() < 1100);
}
