#pragma once
// metrics.csv and report.json (docs/trace-format.md), read for the charts and the address
// audit. Both are optional for the GUI: a missing file gives an empty value and a message.

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace nlb::gui {

// A wide CSV: one column per measure, one row per sample.
struct Metrics {
  std::vector<std::string> names;             // header row, "time_s" first
  std::vector<std::vector<double>> columns;   // columns[c][row]
  int column(const std::string& name) const;  // -1 if absent
  std::size_t rows() const { return columns.empty() ? 0 : columns[0].size(); }
  // "active:<server>" columns, in file order.
  std::vector<int> active_per_server() const;
};
bool parse_metrics(std::istream& in, Metrics& out, std::string& error);
bool load_metrics(const std::string& path, Metrics& out, std::string& error);

struct AuditEntry {
  std::string address, node, where, why;
};

// One row of the audit with the nodes that hold the same address the same way: the seed's
// point is one public address, held by every balancer and server on its loopback.
struct AuditGroup {
  std::string address, where, why;
  std::vector<std::string> nodes;
};
std::vector<AuditGroup> group_audit(const std::vector<AuditEntry>& entries);

// Times from the fault in ns, -1 when absent (never happened, or not measured for it).
struct FaultTiming {
  std::int64_t at_ns = 0;
  std::string action, target, name;
  std::int64_t detection_ns = -1, recovery_ns = -1, first_datagram_ns = -1, first_response_ns = -1,
               arp_update_ns = -1, back_ns = -1;
  std::int64_t datagrams_lost = -1, connections_open = -1, connections_completed = -1;
};

// The seed's Figure 4 walk of the first request (report.json's `flow`, docs/run.md).
struct FlowWalk {
  bool seen = false;
  std::string client, client_endpoint, cluster_endpoint;
  std::string arp_request_by, arp_for, arp_reply_by, arp_reply_mac, balancer, server;
  std::int64_t start_ns = 0;
};

struct Expectation {
  std::string name, bound, measured;
  bool ok = false;
};

struct Report {
  std::string scenario;
  int public_count = -1;
  std::vector<AuditEntry> addresses;
  std::vector<FaultTiming> faults;
  std::vector<Expectation> expectations;
  FlowWalk flow;
  bool ok = false;
  bool loaded = false;
};
bool parse_report(std::istream& in, Report& out, std::string& error);
bool load_report(const std::string& path, Report& out, std::string& error);

}  // namespace nlb::gui
