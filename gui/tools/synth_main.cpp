// nlbsim-gui-synth DIR [--connections N] [--no-failover] [--million]
// Writes a synthetic run (trace.jsonl, metrics.csv, report.json) of the seed's Figure 4 flow
// and a balancer failover into DIR, and prints the event numbers worth showing, for
// `nlbsim-gui DIR --select-event N --screenshot FILE`.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gui/tools/synthetic_run.hpp"

int main(int argc, char** argv) {
  nlb::gui::synth::Options o;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--connections" && i + 1 < argc) {
      o.connections = std::atoi(argv[++i]);
    } else if (a == "--no-failover") {
      o.failover = false;
    } else if (a == "--help" || a == "-h" || a.starts_with("-")) {
      std::printf("usage: nlbsim-gui-synth DIR [--connections N] [--no-failover]\n");
      return a.starts_with("--help") || a == "-h" ? 0 : 2;
    } else {
      dir = a;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "nlbsim-gui-synth: missing output directory\n");
    return 2;
  }
  std::string error;
  nlb::gui::synth::Landmarks m;
  if (!nlb::gui::synth::write_run(dir, o, error, &m)) {
    std::fprintf(stderr, "nlbsim-gui-synth: %s\n", error.c_str());
    return 1;
  }
  std::printf(
      "first_arp_request %lld\nfirst_arp_reply %lld\nfirst_rewritten_syn %lld\nfirst_syn_ack %lld\n"
      "crash %lld\ntakeover %lld\ngratuitous_arp %lld\nfw_arp_update %lld\n",
      (long long)m.first_arp_request, (long long)m.first_arp_reply, (long long)m.first_rewritten_syn,
      (long long)m.first_syn_ack, (long long)m.crash, (long long)m.takeover, (long long)m.gratuitous_arp,
      (long long)m.fw_arp_update);
  return 0;
}
