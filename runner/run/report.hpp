#pragma once
// report.json (docs/trace-format.md): every measure of the run, from runner/measure's meters
// and the built nodes, and the scenario's expectations evaluated against them. The report is
// a plain struct first (the summary, `nlbsim compare` and the tests read it), JSON second;
// report_from_json() reads a report.json back for `nlbsim compare`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/measure/address_audit.hpp"
#include "runner/measure/balance.hpp"
#include "runner/measure/failover.hpp"
#include "runner/run/flow.hpp"
#include "runner/scenario.hpp"
#include "sim/realtime_pacer.hpp"

namespace nlb::run {

using sim::Time;

// What the failover measures say about one timeline entry.
enum class FaultMeasure : std::uint8_t {
  Restore,   // recover, start, link-up: when the node is back in service
  Failover,  // crash, graceful-stop, link-down, freeze, heartbeat-loss, set-loss, admin-takeover
  Shift,     // slow-server: how long the dispatcher takes to move load
};
FaultMeasure fault_measure(runner::FaultAction a);

struct FaultReport {
  std::string name;
  std::string action;
  std::string target;               // node, node/interface, lan or pair
  std::string target_key = "node";  // which of node/lan/pair the target is
  Time at;
  bool applied = false;  // false when the run ended before it
  FaultMeasure kind = FaultMeasure::Restore;
  // Failover (times from the fault).
  std::optional<Time> detection, first_datagram, first_response, arp_update;
  std::uint64_t datagrams_lost = 0;
  std::size_t connections_open = 0, connections_completed = 0;
  double survival() const {
    return connections_open == 0 ? 1.0 : static_cast<double>(connections_completed) / connections_open;
  }
  // Shift: until the slowed (or sped-up) server's share of new connections crossed the threshold.
  std::optional<Time> load_shift;
  double share_before = 0, shift_threshold = 0;
  // Restore: until the node was active or master again, or a server marked up again. The
  // connections above are then those open at that moment (the takeback).
  std::optional<Time> back;
  // Every kind, from the fault to the next one (or the end): the longest time no cluster
  // datagram reached a server, takeovers (active/master), time with two masters.
  Time outage;
  std::size_t takeovers = 0;
  Time dual_master;
};

struct ServerReport {
  std::string name;
  std::string address;
  std::uint64_t connections = 0;  // new connections the balancers gave it
  double share = 0;
  std::uint64_t requests = 0;  // HTTP requests it served
};

struct AddressEntry {
  std::string address, node, where, why;
};

struct ExpectationResult {
  std::string name;
  std::string measure;
  std::string bound;     // "<= 5s", ">= 0.99", "= 1", "in [1, 2]"
  std::string measured;  // "2.103s", "1", "none"
  bool ok = false;
};

// One external port's traffic (models/link ExternalPortCounters): frames between the simulated
// LAN and the Linux interface.
struct ExternalPortReport {
  std::string node, interface;                  // the scenario's external node and interface
  std::string linux_interface;                  // what it is bound to ("nlbd-clis", "nlbd-clis in nlbd-sim")
  std::uint64_t frames_in = 0, bytes_in = 0;    // from Linux into the simulation
  std::uint64_t frames_out = 0, bytes_out = 0;  // from the simulation to Linux
  std::uint64_t dropped_in = 0;                 // the inbox was full (the simulation fell behind) or oversize
  std::uint64_t filtered_in = 0;                // not IPv4 or ARP, or VLAN-tagged
  std::uint64_t errors = 0;                     // the socket failed, either way
};

// How a real-time run kept pace with the wall clock (sim::RealtimeStats): each event's lag is
// how late, on the wall clock, it started after its simulated time.
struct RealtimeReport {
  std::string speed = "1/1";
  std::string ended;  // "duration", "interrupted" (SIGINT/SIGTERM) or "max_lag"
  Time late_threshold;
  std::optional<Time> max_lag_allowed;
  std::uint64_t events = 0, late = 0;
  Time mean_lag, p50_lag, p99_lag, max_lag;
  std::uint64_t frames_injected = 0, inbox_full = 0;
  bool max_lag_exceeded = false;  // the run stopped early: timings it measured are not valid
  std::vector<ExternalPortReport> ports;
};

struct Report {
  std::string scenario;
  std::uint64_t seed = 0;
  Time duration;
  std::uint64_t events = 0;
  std::size_t public_count = 0;
  std::vector<AddressEntry> addresses;
  std::vector<FaultReport> faults;
  std::vector<ServerReport> servers;
  double imbalance = 0, cv = 0;
  Time p50, p99, mean, max;
  std::uint64_t ok = 0, failed = 0;
  std::vector<ExpectationResult> expectations;
  Figure4Flow flow;
  std::optional<RealtimeReport> realtime;  // a real-time run only
  // Every expectation holds, and a real-time run stayed within its max_lag.
  bool all_ok() const;
  double error_rate() const { return ok + failed == 0 ? 0.0 : static_cast<double>(failed) / (ok + failed); }
};

// The inputs the report is computed from.
struct ReportInputs {
  const runner::Scenario* scenario = nullptr;
  const Built* built = nullptr;
  const class Timeline* timeline = nullptr;
  const measure::FailoverMeter* failover = nullptr;
  const measure::BalanceMeter* balance = nullptr;
  const class FlowRecorder* flow = nullptr;
  const class RestoreRecorder* restore = nullptr;
  // Taken from the built nodes before they boot: configured addresses and those a role may take
  // at run time, independent of who happens to hold them when the run ends.
  const measure::AddressAudit* audit = nullptr;
  Time end;
  std::uint64_t events = 0;
  // A real-time run: the pacer's figures and how the run ended ("duration", "interrupted",
  // "max_lag"); null for a replay.
  const sim::RealtimeStats* realtime = nullptr;
  std::string realtime_end;
};

// Declares to the balance meter, before the run, what make_report will read from it: the
// load shift after each change of a server's service time.
void watch_measures(const runner::Scenario& s, const Built& built, measure::BalanceMeter& balance);
Report make_report(const ReportInputs& in);
// Evaluates the scenario's expectations into report.expectations.
void evaluate_expectations(const runner::Scenario& s, Report& report);

std::string report_json(const Report& r);
// Reads a report.json (as written by report_json) back; false with `error` when it is not one.
bool report_from_json(const std::string& text, Report& out, std::string& error);

// Text forms shared by the report, the summary and compare.
std::string ms_text(Time t);  // "3 us", "20.4 ms", "2103 ms", "12.50 s"
std::string time_or_none(const std::optional<Time>& t);

}  // namespace nlb::run
