// nlbsim explain on hand-written traces: each tells a story whose causes are known, and the
// explanation must name them (and nothing it was not told).
#include "tests/explain/synthetic.hpp"

namespace nlb::explain {
namespace {

using namespace test;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// lb1 crashes at 20 s; fw1 keeps sending the NLBS address's traffic to it until lb2, hearing no
// heartbeat, becomes active and its gratuitous ARP moves fw1's entry.
Trace crash_story(bool takeover) {
  Trace tr;
  tr.arp(s(5), kFw1, 1, kNlbs, "add", kLb1Front);
  tr.frame(s(19.7), "rx", kLb2, 0, 1, 1, "heartbeat",
           tcp_hex(kLb1Front, kLb2Front, "192.168.10.4", "192.168.10.5", 8849, 8849));
  tr.fault(s(20), R"("action":"crash","name":"crash-lb1","node":"lb1")");
  tr.lost_at(s(20.01), kLb1, kLb1Front, "node-down");
  tr.lost_at(s(20.5), kLb1, kLb1Front, "node-down");
  tr.lost_at(s(21.5), kLb1, kLb1Front, "node-down");
  if (takeover) {
    tr.state(s(21.719), kLb2, "ha", "standby", "active", "peer heartbeat lost");
    tr.addr(s(21.719), kLb2, 0, "add", "192.168.10.10/24");
    tr.garp(s(21.719), kLb2, kLb2Front);
    tr.arp(s(21.719) + 3000, kFw1, 1, kNlbs, "update", kLb2Front, kLb1Front, "stale");
  }
  return tr;
}

TEST_CASE("a run whose requests all succeed has no outage") {
  Trace tr;
  tr.request(s(6), "ok", 120'000'000).request(s(7), "ok", 130'000'000);
  const Explanation e = explain_text(tr.text());
  CHECK(e.outages.empty());
  CHECK(e.requests_ok == 2);
  CHECK(has(explanation_text(e), "no outage"));
}

TEST_CASE(
    "a crashed balancer's outage runs from the crash to the ARP update its peer's gratuitous ARP made") {
  const Explanation e = explain_text(crash_story(true).text());
  REQUIRE(e.outages.size() == 1);
  const Outage& o = e.outages[0];
  const std::string chain = chain_text(o);
  INFO(chain);
  CHECK(o.kind == "stale-arp");
  CHECK(o.table == "fw1 ARP table");
  CHECK(has(o.entry, "192.168.10.10 -> 02:00:00:00:18:01 (lb1)"));
  CHECK(o.start == Time::s(20));
  REQUIRE(o.end);
  CHECK(*o.end == Time::ns(s(21.719) + 3000));
  CHECK(o.datagrams_lost == 3);
  CHECK(o.clients == std::vector<std::string>{"client1"});
  CHECK(has(chain, "lb1: crashed (fault crash-lb1)"));
  CHECK(has(chain,
            "lb2: heard no heartbeat from lb1 for 2.019 s (the last at 19.700 s); became active (peer "
            "heartbeat lost) and sent a gratuitous ARP for 192.168.10.10"));
  CHECK(has(
      chain,
      "fw1: updated its ARP entry for 192.168.10.10: 02:00:00:00:18:01 (lb1) -> 02:00:00:00:19:01 (lb2)"));
  // The steps come in time order, cause before effect.
  for (std::size_t k = 1; k < o.chain.size(); ++k) CHECK(o.chain[k - 1].t <= o.chain[k].t);
  CHECK(has(chain_line(o, e.end), "-> outage 1.719 s"));
}

TEST_CASE("an outage nothing cleared is reported open at the end of the run") {
  const Explanation e = explain_text(crash_story(false).text());
  REQUIRE(e.outages.size() == 1);
  const Outage& o = e.outages[0];
  CHECK_FALSE(o.end);
  CHECK(o.duration(e.end) == Time::s(20));
  CHECK(has(explanation_text(e), "still open at the end of the run (40.000 s)"));
  CHECK(has(chain_text(o), "still held 192.168.10.10 -> 02:00:00:00:18:01"));
  CHECK(has(explanation_json(e), "\"open\": true"));
}

TEST_CASE("two causes at once are two overlapping outages, each with its own chain") {
  Trace tr;
  tr.state(s(3), kFw1, "vrrp/2", "backup", "master", "master down timer expired");
  tr.mac(s(3.1), 2, kVmacBack, "learn", 0);
  // srv2 crashes at 10 s while lb1 still dispatches to it, until its advisor notices.
  tr.fault(s(10), R"("action":"crash","name":"crash-srv2","node":"srv2")");
  tr.frame(s(10.1), "drop", kSrv2, 0, 2, 2, "tcp",
           tcp_hex(kLb1Back, kSrv2Mac, kClientIp, kCluster, 40010, 80), "node-down");
  tr.frame(s(10.2), "rx", kFw2, 2, 2, 1, "vrrp",
           tcp_hex(kVmacBack, "01:00:5e:00:00:12", "10.0.2.2", "224.0.0.18", 0, 0));
  // fw1 crashes at 10.5 s: the servers' replies to the gateway's virtual MAC go to its port.
  tr.fault(s(10.5), R"("action":"crash","name":"crash-fw1","node":"fw1")");
  tr.frame(s(10.6), "drop", kSrv2, 0, 2, 3, "tcp",
           tcp_hex(kLb1Back, kSrv2Mac, kClientIp, kCluster, 40011, 80), "node-down");
  tr.frame(s(10.7), "drop", kFw1, 2, 2, 4, "tcp",
           tcp_hex(kSrv1Mac, kVmacBack, kCluster, kClientIp, 80, 40020), "node-down");
  tr.state(s(11), kLb1, "advisor/srv2", "up", "down", "probe timed out");
  tr.frame(s(12), "drop", kFw1, 2, 2, 5, "tcp", tcp_hex(kSrv1Mac, kVmacBack, kCluster, kClientIp, 80, 40021),
           "node-down");
  tr.state(s(13.3), kFw2, "vrrp/2", "backup", "master", "master down timer expired");
  tr.mac(s(13.3) + 4000, 2, kVmacBack, "move", 1, 0);
  const Explanation e = explain_text(tr.text());
  REQUIRE(e.outages.size() == 2);
  const Outage& srv = e.outages[0];
  const Outage& gw = e.outages[1];
  const std::string both = chain_text(srv) + "\n" + chain_text(gw);
  INFO(both);
  CHECK(srv.kind == "dead-server");
  CHECK(srv.start == Time::s(10));
  REQUIRE(srv.end);
  CHECK(*srv.end == Time::s(11));
  CHECK(srv.datagrams_lost == 2);
  CHECK(has(chain_text(srv), "lb1: its advisor marked srv2 down (probe timed out)"));
  CHECK(gw.kind == "stale-mac");
  CHECK(gw.table == "LAN back switch table");
  CHECK(has(gw.entry, "00:00:5e:00:01:02 -> port 0 (fw1)"));
  CHECK(gw.start == Time::ms(10500));
  REQUIRE(gw.end);
  CHECK(*gw.end == Time::ns(s(13.3) + 4000));
  CHECK(gw.datagrams_lost == 2);
  CHECK(has(chain_text(gw),
            "fw2: heard no VRRP advert for VRID 2 for 3.100 s (the last at 10.200 s); its Master_Down timer "
            "expired"));
  CHECK(has(chain_text(gw), "LAN back: switch moved 00:00:5e:00:01:02 from port 0 to port 1 (fw2)"));
  CHECK(gw.start < *srv.end);  // they overlap
}

TEST_CASE("a balancer without table sync hands open connections to other servers, which reset them") {
  Trace tr;
  tr.conn(s(19.9), kLb1, "add", 40001, "srv1");
  tr.conn(s(19.95), kLb1, "add", 40002, "srv2");
  tr.fault(s(20), R"("action":"crash","name":"crash-lb1","node":"lb1")");
  tr.state(s(21.72), kLb2, "ha", "standby", "active", "peer heartbeat lost");
  tr.conn(s(21.8), kLb2, "add", 40001, "srv2");
  tr.conn(s(21.81), kLb2, "add", 40002, "srv2");  // same server: it survives
  tr.conn(s(21.82), kClient, "end", 40001, "srv2", "reset");
  tr.request(s(21.82), "reset", 1'920'000'000);
  tr.conn(s(21.9), kClient, "end", 40002, "srv2", "completed");
  const Explanation e = explain_text(tr.text());
  REQUIRE(e.outages.size() == 1);
  const Outage& o = e.outages[0];
  INFO(chain_text(o));
  CHECK(o.kind == "missing-connection");
  CHECK(o.table == "lb2 connection table");
  CHECK(has(o.entry, "connection sync off"));
  CHECK(o.start == Time::ms(21720));
  CHECK(o.connections_moved == 1);
  CHECK(o.connections_broken == 1);
  CHECK(o.requests_failed == 1);
  REQUIRE(o.end);
  CHECK(*o.end == Time::ms(21820));
  CHECK(has(chain_text(o), "198.51.100.11:40001 srv1 -> srv2"));
}

TEST_CASE("datagrams lost to random loss are counted but are not an outage") {
  Trace tr;
  tr.frame(s(5), "drop", kFw1, 1, 1, 1, "tcp", tcp_hex(kFw1Front, kLb1Front, kClientIp, kCluster, 40000, 80),
           "loss");
  tr.request(s(6), "ok", 1'200'000'000);
  const Explanation e = explain_text(tr.text());
  CHECK(e.outages.empty());
  CHECK(e.datagrams_lost_to_loss == 1);
}

TEST_CASE("a frame some NIC accepted is not lost because the others filtered it") {
  Trace tr;
  const std::string hex = tcp_hex(kFw1Front, kLb1Front, kClientIp, kCluster, 40000, 80);
  tr.frame(s(5), "drop", kLb2, 0, 1, 77, "tcp", hex, "filtered");
  tr.frame(s(5), "rx", kLb1, 0, 1, 77, "tcp", hex);
  CHECK(explain_text(tr.text()).outages.empty());
}

TEST_CASE("a lost datagram the trace cannot explain is still an outage, and says so") {
  Trace tr;
  tr.frame(s(5), "drop", kFw1, 1, 1, 1, "tcp", tcp_hex(kFw1Front, kLb1Front, kClientIp, kCluster, 40000, 80),
           "no-route");
  tr.frame(s(9), "drop", kFw1, 1, 1, 2, "tcp", tcp_hex(kFw1Front, kLb1Front, kClientIp, kCluster, 40000, 80),
           "no-route");
  const Explanation e = explain_text(tr.text());
  // Four seconds apart: two separate outages of the same unexplained kind.
  REQUIRE(e.outages.size() == 2);
  CHECK(e.outages[0].kind == "other");
  CHECK(has(e.outages[0].headline, "fw1 (no-route)"));
}

std::string read_error(const std::string& text) {
  std::istringstream in(text);
  std::string error;
  CHECK_FALSE(read_trace(in, "trace.jsonl", error));
  return error;
}

TEST_CASE("a trace that is cut short, malformed or not a trace is refused with the line that is wrong") {
  const std::string whole = crash_story(true).text();
  CHECK(has(read_error(whole.substr(0, whole.size() - 30)),
            "truncated: the last line ends before its newline"));
  CHECK(has(read_error(crash_story(true).text(false)), "truncated: no `end` line"));
  CHECK(has(read_error(""), "empty"));
  CHECK(has(read_error("{\"t\":1,\"ev\":\"state\"}\n"), "trace.jsonl:1: not an nlbsim trace"));
  std::string garbled = whole;
  garbled.insert(garbled.find('\n') + 1, "not json\n");
  CHECK(has(read_error(garbled), "trace.jsonl:2: not a JSON object"));
  std::string missing = header() + "{\"t\":5,\"ev\":\"arp\",\"node\":1}\n";
  CHECK(has(read_error(missing), "trace.jsonl:2: `arp` line: missing or bad field `if`"));
  std::string backwards = header() +
                          "{\"t\":5,\"ev\":\"request\",\"node\":0,\"outcome\":\"ok\",\"latency_ns\":1}\n" +
                          "{\"t\":4,\"ev\":\"request\",\"node\":0,\"outcome\":\"ok\",\"latency_ns\":1}\n";
  CHECK(has(read_error(backwards), "trace.jsonl:3: time goes backwards"));
  std::string miscounted = header() + "{\"t\":5,\"ev\":\"end\",\"lines\":7}\n";
  CHECK(has(read_error(miscounted), "the end line counts 7 event lines, the file has 1"));
}

}  // namespace
}  // namespace nlb::explain
