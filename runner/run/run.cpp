#include "runner/run/run.hpp"

#include <memory>
#include <system_error>

#include "models/link/pcap_writer.hpp"
#include "runner/atomic_file.hpp"
#include "runner/measure/address_audit.hpp"
#include "runner/measure/balance.hpp"
#include "runner/measure/failover.hpp"
#include "runner/run/build.hpp"
#include "runner/run/flow.hpp"
#include "runner/run/metrics.hpp"
#include "runner/run/restore.hpp"
#include "runner/run/timeline.hpp"
#include "runner/run/trace_writer.hpp"

namespace nlb::run {

namespace fs = std::filesystem;
using sim::Time;

namespace {

// A LAN's name as a file name: letters, digits, '-', '_' and '.' kept, anything else '_'.
std::string file_stem(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    out += keep ? c : '_';
  }
  return out.empty() || out[0] == '.' ? "_" + out : out;
}

// Everything one run holds, destroyed in the right order: the sinks and meters first (after
// the trace bus forgets them), then the network, then the engine.
struct RunState {
  explicit RunState(std::uint64_t seed) : sim(seed) {}
  ~RunState() {
    sim.trace().clear();
    for (auto& p : pcaps) p->abandon();
  }
  sim::Simulation sim;
  std::unique_ptr<sim::RealtimePacer> pacer;  // a real-time run; outlives the external ports
  std::optional<Built> built;
  std::unique_ptr<Timeline> timeline;
  std::unique_ptr<measure::FailoverMeter> failover;
  std::unique_ptr<measure::BalanceMeter> balance;
  std::unique_ptr<FlowRecorder> flow;
  std::unique_ptr<RestoreRecorder> restore;
  std::unique_ptr<runner::AtomicFile> metrics_file;
  std::unique_ptr<MetricsSampler> metrics;
  std::unique_ptr<runner::AtomicFile> trace_file;
  std::unique_ptr<TraceWriter> trace;
  std::vector<std::unique_ptr<link::PcapWriter>> pcaps;
};

RunResult fail(RunResult r, std::string error) {
  r.exit_code = kExitBadInput;
  r.error = std::move(error);
  return r;
}

sim::RealtimeConfig pacer_config(const runner::RealtimeSpec& rt) {
  sim::RealtimeConfig c;
  c.speed_num = rt.speed_num;
  c.speed_den = rt.speed_den;
  c.late_threshold = rt.late_threshold;
  c.hard_limit = rt.max_lag.value_or(Time::max());
  c.spin = rt.spin;
  return c;
}

}  // namespace

RunResult run_scenario(runner::Scenario s, const RunOptions& o) {
  RunResult result;
  if (o.seed) s.seed = *o.seed;
  const Time end = o.until.value_or(s.duration);
  RunState st(s.seed);
  // External nodes are real hosts: the run must keep their pace (docs/emulation.md).
  if (s.realtime || s.has_external_nodes())
    st.pacer = std::make_unique<sim::RealtimePacer>(
        st.sim, pacer_config(s.realtime.value_or(runner::RealtimeSpec{})));

  BuildResult b = build(st.sim, s, st.pacer.get());
  result.diagnostics = std::move(b.diagnostics);
  if (!b.built) {
    result.exit_code = kExitBadInput;
    return result;
  }
  st.built = std::move(b.built);
  Built& built = *st.built;

  // The outputs that stream during the run are opened before it starts: a directory that
  // cannot be written is bad input, found before any simulated time is spent.
  const bool files = !o.out_dir.empty();
  if (files) {
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec)
      return fail(std::move(result), o.out_dir.string() + ": cannot create the directory: " + ec.message());
  }
  if (files && o.pcap) {
    for (std::size_t l = 0; l < s.lans.size(); ++l) {
      std::string error;
      const fs::path path = o.out_dir / (file_stem(s.lans[l].name) + ".pcap");
      auto w = link::PcapWriter::for_lan(st.sim, static_cast<link::LanId>(l), path.string(), error);
      if (!w) return fail(std::move(result), path.string() + ": " + error);
      st.pcaps.push_back(std::move(w));
    }
  }
  if (files && o.trace) {
    st.trace_file = std::make_unique<runner::AtomicFile>(o.out_dir / kTraceFile);
    if (!st.trace_file->ok()) return fail(std::move(result), st.trace_file->error());
    st.trace = std::make_unique<TraceWriter>(st.sim, s, built, end, st.trace_file->stream());
  }

  st.failover = std::make_unique<measure::FailoverMeter>(
      st.sim, measure::targets_of(*built.network, built.clusters, built.front));
  st.balance = std::make_unique<measure::BalanceMeter>(st.sim, built.server_addrs);
  watch_measures(s, built, *st.balance);
  st.flow = std::make_unique<FlowRecorder>(st.sim, s, built);
  st.restore = std::make_unique<RestoreRecorder>(st.sim);
  if (files) {
    st.metrics_file = std::make_unique<runner::AtomicFile>(o.out_dir / kMetricsFile);
    if (!st.metrics_file->ok()) return fail(std::move(result), st.metrics_file->error());
    std::vector<std::pair<link::NodeId, std::string>> columns;
    for (std::size_t k : built.servers) columns.emplace_back(static_cast<link::NodeId>(k), s.nodes[k].name);
    st.metrics = std::make_unique<MetricsSampler>(st.sim, st.metrics_file->stream(), built.clusters,
                                                  std::move(columns));
  }
  st.timeline = std::make_unique<Timeline>(st.sim, s, built);
  st.timeline->schedule();
  // The meter marks what it sees as a NodeFault; the timeline's other faults (a pair's, a LAN's
  // set-loss) are marked here, against the node the report measures them on.
  st.sim.trace().subscribe<FaultApplied>([&st](const FaultApplied& e) {
    if (e.end) return;
    std::size_t n = e.spec->node_index;
    if (n == runner::kNone) n = st.timeline->pair_node(e.index);
    st.failover->mark(e.at, n == runner::kNone ? link::kNoNode : static_cast<link::NodeId>(n));
  });
  const RunView view{st.sim, s, built, *st.timeline, end};
  for (RunObserver* obs : o.observers) obs->attach(view);
  const measure::AddressAudit audit = measure::audit_addresses(*built.network);
  built.boot();
  if (std::string e = built.start_externals(); !e.empty()) return fail(std::move(result), e);

  // The run, in slices of simulated time so that progress shows and an interrupt stops it
  // between two events. Running [0, end] in slices executes the same events in the same order.
  // A real-time run is paced, and ends early when interrupted (real hosts cannot be replayed,
  // so what ran is reported) or when an event lags past max_lag.
  Time run_end = end;
  std::string realtime_end = "duration";
  for (Time t = Time::zero(); t < end;) {
    t = std::min(end, t + o.slice);
    if (st.pacer)
      st.pacer->run_until(t);
    else
      st.sim.run_until(t);
    if (o.progress) o.progress(st.sim.now(), end, st.sim.events_executed());
    if (st.pacer && st.pacer->stats().hard_limit_hit) {
      realtime_end = "max_lag";
      run_end = st.sim.now();
      break;
    }
    if (o.interrupt && o.interrupt->load()) {
      if (st.pacer) {
        realtime_end = "interrupted";
        run_end = st.sim.now();
        break;
      }
      result.exit_code = kExitInterrupted;
      result.error = "interrupted at " + st.sim.now().str() + " of simulated time: no output written";
      return result;  // RunState's destructor removes every temporary file
    }
    if (st.trace && !st.trace->flush())
      return fail(std::move(result), (o.out_dir / kTraceFile).string() + ": write failed");
  }
  built.stop_externals();  // their counters stand still from here
  result.events = st.sim.events_executed();
  for (RunObserver* obs : o.observers) obs->finish(view);
  const sim::RealtimeStats realtime = st.pacer ? st.pacer->stats() : sim::RealtimeStats{};

  ReportInputs in;
  in.scenario = &s;
  in.built = &built;
  in.timeline = st.timeline.get();
  in.failover = st.failover.get();
  in.balance = st.balance.get();
  in.flow = st.flow.get();
  in.restore = st.restore.get();
  in.audit = &audit;
  in.end = run_end;
  in.events = result.events;
  if (st.pacer) {
    in.realtime = &realtime;
    in.realtime_end = realtime_end;
  }
  result.report = make_report(in);
  result.exit_code = result.report->all_ok() ? kExitOk : kExitExpectationFailed;
  if (!files) return result;

  // Everything is complete: write the small files to temporaries, then rename them all.
  runner::AtomicFile report(o.out_dir / kReportFile);
  if (!report.ok()) return fail(std::move(result), report.error());
  report.write(report_json(*result.report));
  st.metrics->finish(run_end);
  if (st.trace) {
    st.trace->finish(end);
    result.trace_lines = st.trace->lines();
    if (!st.trace->flush())
      return fail(std::move(result), (o.out_dir / kTraceFile).string() + ": write failed");
  }
  std::vector<std::unique_ptr<link::PcapWriter>> pcaps = std::move(st.pcaps);
  for (auto& p : pcaps) {
    std::string error;
    if (!p->close(error)) return fail(std::move(result), p->path() + ": " + error);
    result.files.emplace_back(p->path());
  }
  if (st.trace_file) {
    if (!st.trace_file->commit()) return fail(std::move(result), st.trace_file->error());
    result.files.push_back(o.out_dir / kTraceFile);
  }
  if (!st.metrics_file->commit()) return fail(std::move(result), st.metrics_file->error());
  result.files.push_back(o.out_dir / kMetricsFile);
  if (!report.commit()) return fail(std::move(result), report.error());
  result.files.push_back(o.out_dir / kReportFile);
  return result;
}

}  // namespace nlb::run
