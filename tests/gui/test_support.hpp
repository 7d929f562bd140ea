#pragma once
// Shared by the GUI tests: a real run of tests/gui/fixtures/failover.json (the seed's Figure 3
// made small: lb1 crashes at 6 s, lb2 takes over, lb1 recovers at 8.5 s), made once per test
// binary by nlbsim's runner in process and loaded as the GUI loads it; the moments worth
// looking at found in it; and tiny traces written line by line.

#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "gui/model/frame_decode.hpp"
#include "gui/model/run_outputs.hpp"
#include "gui/model/trace_model.hpp"
#include "tests/gui/fixture_run.hpp"

namespace nlb::gui::test {

inline const std::string kSourceDir = NLBSIM_SOURCE_DIR;
inline const std::string kFixture = kSourceDir + "/tests/gui/fixtures/failover.json";

// Event indices (0-based, header excluded) of what the seed's walk and the failover show,
// found by what they are, never by number.
struct Landmarks {
  std::size_t first_arp_request = 0;    // fw1's who-has for the NLBS address
  std::size_t first_arp_reply = 0;      // lb1's reply
  std::size_t first_rewritten_syn = 0;  // lb1 sends the SYN on to a server: only the MAC rewritten
  std::size_t server_rx = 0;            // the server receives it
  std::size_t crash = 0;                // lb1 crashes
  std::size_t takeover = 0;             // lb2: ha standby -> active
  std::size_t gratuitous_arp = 0;       // lb2's broadcast for the NLBS address
  std::size_t fw_arp_update = 0;        // fw1's entry for the NLBS address moves to lb2's MAC
  std::size_t recover = 0;              // lb1 recovers
};

struct Loaded {
  std::string dir;  // trace.jsonl, metrics.csv, report.json
  TraceModel model;
  Report report;
  Landmarks marks;
  std::uint32_t nlbs = 0;  // the balancers' private NLBS address (report.json's flow)
  int node(const char* name) const { return model.header().node_by_name(name); }
};

inline void load_text(TraceModel& m, const std::string& text) {
  std::istringstream in(text);
  std::string error;
  QVERIFY2(m.load(in, error), error.c_str());
}

// The first event from `from` on that satisfies `pred`; fails the test when there is none.
template <typename Pred>
std::size_t first_event(const TraceModel& m, std::size_t from, Pred pred, const char* what) {
  for (std::size_t i = from; i < m.size(); ++i)
    if (pred(m.event(i), i)) return i;
  qFatal("the fixture run has no %s", what);
}

inline bool is_frame(const EventRecord& e, Dir dir, FrameKind kind, int node) {
  return e.type == EventType::Frame && e.dir == dir && e.kind == kind && e.node == node;
}

inline Landmarks find_landmarks(const Loaded& l) {
  const TraceModel& m = l.model;
  int fw1 = l.node("fw1"), lb1 = l.node("lb1"), lb2 = l.node("lb2");
  auto arp_target = [&](std::size_t i) { return frame_endpoints(m.frame_bytes(m.event(i))).dst; };
  auto arp_sender = [&](std::size_t i) { return frame_endpoints(m.frame_bytes(m.event(i))).src; };
  auto fault = [&](std::size_t i, const char* action) {
    return m.event(i).type == EventType::Fault && m.text(m.fault(m.event(i)).action) == action;
  };
  Landmarks k;
  k.first_arp_request = first_event(
      m, 0,
      [&](const EventRecord& e, std::size_t i) {
        return is_frame(e, Dir::Tx, FrameKind::Arp, fw1) && arp_target(i) == l.nlbs;
      },
      "ARP request for the NLBS address");
  k.first_arp_reply = first_event(
      m, k.first_arp_request,
      [&](const EventRecord& e, std::size_t i) {
        return is_frame(e, Dir::Tx, FrameKind::Arp, lb1) && arp_sender(i) == l.nlbs;
      },
      "ARP reply from lb1");
  int servers = m.header().lan_by_name("servers");
  k.first_rewritten_syn = first_event(
      m, k.first_arp_reply,
      [&](const EventRecord& e, std::size_t) {
        return is_frame(e, Dir::Tx, FrameKind::Tcp, lb1) && e.lan == servers;
      },
      "SYN sent on by lb1");
  std::uint64_t syn_id = m.frame(m.event(k.first_rewritten_syn)).id;
  k.server_rx = first_event(
      m, k.first_rewritten_syn,
      [&](const EventRecord& e, std::size_t) {
        return e.type == EventType::Frame && e.dir == Dir::Rx && e.lan == servers && m.frame(e).id == syn_id;
      },
      "server receiving the SYN");
  k.crash = first_event(
      m, 0, [&](const EventRecord&, std::size_t i) { return fault(i, "crash"); }, "crash");
  k.takeover = first_event(
      m, k.crash,
      [&](const EventRecord& e, std::size_t) {
        return e.type == EventType::State && e.node == lb2 && m.text(m.state(e).to) == "active";
      },
      "takeover by lb2");
  k.gratuitous_arp = first_event(
      m, k.takeover,
      [&](const EventRecord& e, std::size_t i) {
        return is_frame(e, Dir::Tx, FrameKind::Garp, lb2) && arp_sender(i) == l.nlbs;
      },
      "gratuitous ARP from lb2");
  std::uint64_t lb2_mac = m.header().nodes[lb2].interfaces[0].mac;
  k.fw_arp_update = first_event(
      m, k.gratuitous_arp,
      [&](const EventRecord& e, std::size_t) {
        return e.type == EventType::Arp && e.node == fw1 && m.arp(e).ip == l.nlbs && m.arp(e).mac == lb2_mac;
      },
      "fw1's ARP update to lb2");
  k.recover = first_event(
      m, k.crash, [&](const EventRecord&, std::size_t i) { return fault(i, "recover"); }, "recover");
  return k;
}

// The fixture's outputs, written and loaded once per test binary.
inline const Loaded& real_run() {
  static std::unique_ptr<QTemporaryDir> tmp;
  static std::unique_ptr<Loaded> loaded;
  if (loaded) return *loaded;
  tmp = std::make_unique<QTemporaryDir>();
  auto l = std::make_unique<Loaded>();
  l->dir = tmp->filePath("run").toStdString();
  std::string error;
  if (!run_with_trace(kFixture, l->dir, error)) qFatal("%s", error.c_str());
  if (!l->model.load_file(l->dir + "/trace.jsonl", error) ||
      !load_report(l->dir + "/report.json", l->report, error))
    qFatal("%s", error.c_str());
  if (!parse_ip(l->report.flow.arp_for, l->nlbs)) qFatal("the fixture's report has no Figure 4 flow");
  l->marks = find_landmarks(*l);
  loaded = std::move(l);
  return *loaded;
}

// A tiny trace: two LANs, a firewall and two balancers, for hand-made event lines.
inline std::string tiny_header() {
  return R"({"type":"header","format":"nlbsim-trace","version":1,"scenario":"tiny","seed":1,"duration_ns":5000,)"
         R"("topology":{"lans":[{"id":7,"name":"ia","subnet":"10.1.0.0/24"},{"id":9,"name":"srv","subnet":"10.2.0.0/24"}],)"
         R"("nodes":[{"id":10,"name":"fw1","role":"firewall","interfaces":[{"index":0,"name":"eth0","lan":7,)"
         R"("mac":"02:00:00:00:00:01","addresses":["10.1.0.1/24"],"loopback":false},)"
         R"({"index":1,"name":"eth1","lan":9,"port":0,"mac":"02:00:00:00:00:04","addresses":["10.2.0.1/24"],"loopback":false}],)"
         R"("routes":[{"dest":"203.0.113.10/32","via":"10.1.0.100","iface":0,"kind":"static"}]},)"
         R"({"id":11,"name":"lb1","role":"balancer","interfaces":[{"index":0,"name":"eth0","lan":7,"mac":"02:00:00:00:00:02",)"
         R"("addresses":["10.1.0.11/24"],"loopback":false},{"index":1,"name":"lo","lan":null,"mac":null,)"
         R"("addresses":["127.0.0.1/8","203.0.113.10/32"],"loopback":true}],"routes":[]},)"
         R"({"id":12,"name":"lb2","role":"balancer","interfaces":[{"index":0,"name":"eth0","lan":7,"mac":"02:00:00:00:00:03",)"
         R"("addresses":["10.1.0.12/24"],"loopback":false}],"routes":[]}]},)"
         R"("faults":[{"at_ns":3000,"action":"crash","name":"crash-lb1","node":"lb1"}]})"
         "\n";
}

}  // namespace nlb::gui::test
