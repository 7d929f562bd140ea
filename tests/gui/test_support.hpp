#pragma once
// Shared by the GUI tests: the synthetic run (gui/tools/synthetic_run.hpp) loaded into a
// TraceModel, and a trace built line by line.

#include <QtTest/QtTest>
#include <sstream>
#include <string>

#include "gui/model/trace_model.hpp"
#include "gui/tools/synthetic_run.hpp"

namespace nlb::gui::test {

struct Loaded {
  synth::Run run;
  TraceModel model;
};

inline void load_text(TraceModel& m, const std::string& text) {
  std::istringstream in(text);
  std::string error;
  QVERIFY2(m.load(in, error), error.c_str());
}

inline void load_synthetic(Loaded& l, const synth::Options& o = {}) {
  l.run = synth::make_run(o);
  load_text(l.model, l.run.trace);
}

// A tiny trace: two LANs, a firewall and two balancers, for hand-made event lines.
inline std::string tiny_header() {
  return R"({"type":"header","format":"nlbsim-trace","version":1,"scenario":"tiny","seed":1,"duration_ns":5000,)"
         R"("topology":{"lans":[{"id":7,"name":"ia","subnet":"10.1.0.0/24"},{"id":9,"name":"srv","subnet":"10.2.0.0/24"}],)"
         R"("nodes":[{"id":10,"name":"fw1","role":"firewall","interfaces":[{"index":0,"name":"eth0","lan":7,)"
         R"("mac":"02:00:00:00:00:01","addresses":["10.1.0.1/24"],"loopback":false}],)"
         R"("routes":[{"dest":"203.0.113.10/32","via":"10.1.0.100","iface":0,"kind":"static"}]},)"
         R"({"id":11,"name":"lb1","role":"balancer","interfaces":[{"index":0,"name":"eth0","lan":7,"mac":"02:00:00:00:00:02",)"
         R"("addresses":["10.1.0.11/24"],"loopback":false},{"index":1,"name":"lo","lan":null,"mac":"00:00:00:00:00:00",)"
         R"("addresses":["203.0.113.10/32"],"loopback":true}],"routes":[]},)"
         R"({"id":12,"name":"lb2","role":"balancer","interfaces":[{"index":0,"name":"eth0","lan":7,"mac":"02:00:00:00:00:03",)"
         R"("addresses":["10.1.0.12/24"],"loopback":false}],"routes":[]}]},)"
         R"("faults":[{"at_ns":3000,"action":"crash","node":"lb1"}]})"
         "\n";
}

}  // namespace nlb::gui::test
