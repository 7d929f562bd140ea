#include "runner/run/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <tuple>

#include "models/nodes/server.hpp"
#include "runner/run/restore.hpp"
#include "runner/run/timeline.hpp"
#include "runner/text.hpp"

namespace nlb::run {

using Json = nlohmann::ordered_json;
using runner::FaultAction;
using runner::kNone;
using runner::Measure;
using runner::MeasureKind;

namespace {

double rounded(double x, double scale = 1e6) { return std::round(x * scale) / scale; }

// Bounds and values as the scenario writes them: "1", "0.95", "5s".
std::string number_text(double x) {
  if (x == std::floor(x) && std::abs(x) < 1e15) return std::to_string(static_cast<std::int64_t>(x));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

Json time_json(const std::optional<Time>& t) { return t ? Json(t->nanos()) : Json(nullptr); }

std::optional<Time> time_from(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return Time::ns(it->get<std::int64_t>());
}

template <typename T>
T get_or(const Json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->get<std::string>() : fallback;
  } else if constexpr (std::is_same_v<T, bool>) {
    return it->is_boolean() ? it->get<bool>() : fallback;
  } else {
    return it->is_number() ? it->get<T>() : fallback;
  }
}

}  // namespace

FaultMeasure fault_measure(FaultAction a) {
  switch (a) {
    case FaultAction::Recover:
    case FaultAction::Start:
    case FaultAction::LinkUp:
      return FaultMeasure::Restore;
    case FaultAction::SlowServer:
      return FaultMeasure::Shift;
    case FaultAction::Crash:
    case FaultAction::GracefulStop:
    case FaultAction::LinkDown:
    case FaultAction::HeartbeatLoss:
    case FaultAction::Freeze:
    case FaultAction::SetLoss:
    case FaultAction::AdminTakeover:
      return FaultMeasure::Failover;
  }
  return FaultMeasure::Restore;
}

bool Report::all_ok() const {
  if (realtime && realtime->max_lag_exceeded) return false;
  return std::all_of(expectations.begin(), expectations.end(), [](const auto& e) { return e.ok; });
}

std::string ms_text(Time t) {
  char buf[48];
  const double ms = static_cast<double>(t.nanos()) / 1e6;
  if (ms < 1)
    std::snprintf(buf, sizeof buf, "%.0f us", ms * 1e3);
  else if (ms >= 10'000)
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1e3);
  else if (ms >= 100)
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  else
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

std::string time_or_none(const std::optional<Time>& t) { return t ? ms_text(*t) : "never"; }

// ---- computing ------------------------------------------------------------------------------

namespace {

void fill_addresses(const measure::AddressAudit& audit, Report& r) {
  r.public_count = audit.count();
  for (const measure::PublicAddress& a : audit.addresses)
    for (const measure::AddressPlace& p : a.places)
      r.addresses.push_back({a.address.str(), p.node, p.where, p.why});
}

FaultReport fault_report(const ReportInputs& in, std::size_t k) {
  const runner::Scenario& s = *in.scenario;
  const runner::FaultSpec& f = s.timeline[k];
  FaultReport fr;
  fr.name = f.name;
  fr.action = std::string(runner::to_string(f.action));
  fr.at = f.at;
  fr.kind = fault_measure(f.action);
  if (!f.node.empty()) {
    fr.target = f.node + (f.interface.empty() ? "" : "/" + f.interface);
  } else if (!f.lan.empty()) {
    fr.target = f.lan;
    fr.target_key = "lan";
  } else {
    fr.target = f.pair;
    fr.target_key = "pair";
  }
  fr.applied = in.timeline->applied_at(k) != Time::max();
  if (!fr.applied) return fr;

  // What follows the fault is measured until the next fault (or the end).
  Time until = in.end;
  for (const runner::FaultSpec& g : s.timeline)
    if (g.at > f.at) until = std::min(until, g.at);
  // The node the run marked the fault on (run.cpp); datagrams lost are counted until the next
  // fault (or the end), at most 30 s (FailoverMeter::kLossWindow).
  const std::size_t node = f.node_index != kNone ? f.node_index : in.timeline->pair_node(k);
  const measure::FailoverResult m =
      in.failover->measure(f.at, node == kNone ? link::kNoNode : static_cast<link::NodeId>(node), until);
  fr.outage = m.outage;
  fr.takeovers = m.takeovers;
  fr.dual_master = m.dual_master;

  if (fr.kind == FaultMeasure::Failover) {
    fr.detection = m.detection;
    fr.first_datagram = m.first_datagram;
    fr.first_response = m.first_response;
    fr.arp_update = m.arp_update;
    fr.datagrams_lost = m.datagrams_lost;
    fr.connections_open = m.connections_open;
    fr.connections_completed = m.connections_completed;
  } else if (fr.kind == FaultMeasure::Restore && f.node_index != kNone && in.restore) {
    const std::size_t pos = std::find(in.built->servers.begin(), in.built->servers.end(), f.node_index) -
                            in.built->servers.begin();
    const wire::Ipv4 server = pos < in.built->servers.size() ? in.built->server_addrs[pos] : wire::Ipv4();
    fr.back = in.restore->back(f.at, static_cast<link::NodeId>(f.node_index), server);
    // A primary that takes back breaks what its table does not know: the connections open then.
    if (fr.back)
      std::tie(fr.connections_open, fr.connections_completed) = in.failover->connections_at(f.at + *fr.back);
  } else if (fr.kind == FaultMeasure::Shift && f.service_time) {
    // The server's share of new connections in the 10 s before, and the first moment its share
    // of the last 50 new connections crossed half that (slower) or one and a half times it
    // (faster): followed during the run (watch_measures).
    const std::size_t pos = std::find(in.built->servers.begin(), in.built->servers.end(), f.node_index) -
                            in.built->servers.begin();
    if (pos < in.built->servers.size()) {
      if (const auto sh = in.balance->shift(in.built->server_addrs[pos], f.at)) {
        const bool slower = f.service_time->mean > in.timeline->previous_service(k);
        fr.share_before = sh->share_before;
        fr.shift_threshold = slower ? sh->falling : sh->rising;
        fr.load_shift = slower ? sh->fell : sh->rose;
      }
    }
  }
  return fr;
}

}  // namespace

namespace {

RealtimeReport realtime_report(const ReportInputs& in) {
  const runner::Scenario& s = *in.scenario;
  const runner::RealtimeSpec spec = s.realtime.value_or(runner::RealtimeSpec{});
  const sim::RealtimeStats& st = *in.realtime;
  RealtimeReport rt;
  rt.speed = std::to_string(spec.speed_num) + "/" + std::to_string(spec.speed_den);
  rt.ended = in.realtime_end;
  rt.late_threshold = spec.late_threshold;
  rt.max_lag_allowed = spec.max_lag;
  rt.events = st.events;
  rt.late = st.late;
  rt.mean_lag = st.mean_lag();
  rt.p50_lag = st.lag_quantile(0.50);
  rt.p99_lag = st.lag_quantile(0.99);
  rt.max_lag = st.max_lag;
  rt.frames_injected = st.injected;
  rt.inbox_full = st.inbox_full;
  rt.max_lag_exceeded = st.hard_limit_hit;
  for (const BuiltExternal& e : in.built->externals) {
    const runner::InterfaceSpec& itf = s.nodes[e.node].interfaces[e.iface];
    const link::ExternalPortCounters c = e.port->counters();
    ExternalPortReport p;
    p.node = s.nodes[e.node].name;
    p.interface = itf.name;
    p.linux_interface =
        itf.external->interface + (itf.external->netns.empty() ? "" : " in " + itf.external->netns);
    p.frames_in = c.rx_frames;
    p.bytes_in = c.rx_bytes;
    p.frames_out = c.tx_frames;
    p.bytes_out = c.tx_bytes;
    p.dropped_in = c.rx_inbox_full + c.rx_oversize;
    p.filtered_in = c.rx_filtered;
    p.errors = c.rx_errors + c.tx_errors;
    rt.ports.push_back(std::move(p));
  }
  return rt;
}

}  // namespace

void watch_measures(const runner::Scenario& s, const Built& built, measure::BalanceMeter& balance) {
  for (const runner::FaultSpec& f : s.timeline) {
    if (fault_measure(f.action) != FaultMeasure::Shift || !f.service_time) continue;
    const std::size_t pos =
        std::find(built.servers.begin(), built.servers.end(), f.node_index) - built.servers.begin();
    if (pos == built.servers.size()) continue;
    measure::ShiftSpec shift;
    shift.server = built.server_addrs[pos];
    shift.at = f.at;
    balance.watch_shift(shift);
  }
}

Report make_report(const ReportInputs& in) {
  const runner::Scenario& s = *in.scenario;
  Report r;
  r.scenario = s.name;
  r.seed = s.seed;
  r.duration = in.end;
  r.events = in.events;
  fill_addresses(*in.audit, r);
  for (std::size_t k = 0; k < s.timeline.size(); ++k) r.faults.push_back(fault_report(in, k));

  const measure::BalanceStats bal = in.balance->balance();
  for (std::size_t k = 0; k < in.built->servers.size(); ++k) {
    ServerReport sr;
    sr.name = s.nodes[in.built->servers[k]].name;
    sr.address = in.built->server_addrs[k].str();
    sr.connections = bal.servers[k].connections;
    sr.share = bal.servers[k].share;
    if (const auto* srv = dynamic_cast<const nodes::Server*>(in.built->nodes[in.built->servers[k]]))
      sr.requests = srv->http().counters().requests_served;
    r.servers.push_back(std::move(sr));
  }
  r.imbalance = bal.max_over_mean;
  r.cv = bal.cv;
  const measure::LatencyStats lat = in.balance->latency();
  r.p50 = lat.p50;
  r.p99 = lat.p99;
  r.mean = lat.mean;
  r.max = lat.max;
  r.ok = lat.ok;
  r.failed = lat.failed;
  if (in.flow) r.flow = in.flow->flow();
  if (in.realtime) r.realtime = realtime_report(in);
  evaluate_expectations(s, r);
  return r;
}

// ---- expectations ---------------------------------------------------------------------------

namespace {

struct Value {
  bool known = false;
  double number = 0;  // counts, shares, ratios
  Time time;          // time measures
  std::string why;    // when unknown
};

Value measured_value(const runner::Scenario& s, const runner::ExpectationSpec& e, const Report& r) {
  Value v;
  auto num = [&](double x) {
    v.known = true;
    v.number = x;
  };
  auto time = [&](const std::optional<Time>& t, const char* never) {
    if (t) {
      v.known = true;
      v.time = *t;
    } else {
      v.why = never;
    }
  };
  const FaultReport* f = e.fault_index == kNone ? nullptr : &r.faults[e.fault_index];
  if (runner::measure_needs_fault(e.measure)) {
    if (!f || !f->applied) {
      v.why = "the fault did not happen before the end of the run";
      return v;
    }
    const bool any_kind = e.measure == Measure::OutageTime || e.measure == Measure::Takeovers ||
                          e.measure == Measure::DualMasterTime;
    const bool takeback = e.measure == Measure::ConnectionSurvival && f->kind == FaultMeasure::Restore;
    if (takeback && !f->back) {
      v.why = "the node was never back in service";
      return v;
    }
    if (f->kind != FaultMeasure::Failover && !any_kind && !takeback) {
      v.why = "not measured for a " + f->action + " fault";
      return v;
    }
  }
  switch (e.measure) {
    case Measure::PublicAddresses:
      num(static_cast<double>(r.public_count));
      break;
    case Measure::DetectionTime:
      time(f->detection, "never (no takeover answered the fault)");
      break;
    case Measure::RecoveryTime:
      time(f->first_datagram, "never (no datagram flowed again)");
      break;
    case Measure::ArpUpdateTime:
      time(f->arp_update, "never (the firewalls' ARP entry did not change)");
      break;
    case Measure::DatagramsLost:
      num(static_cast<double>(f->datagrams_lost));
      break;
    case Measure::ConnectionSurvival:
      num(f->survival());
      break;
    case Measure::ErrorRate:
      num(r.error_rate());
      break;
    case Measure::ServerShare: {
      const std::string& name = s.nodes[e.server_index].name;
      for (const ServerReport& sr : r.servers)
        if (sr.name == name) num(sr.share);
      if (!v.known) v.why = name + " is not a server of any cluster";
      break;
    }
    case Measure::Imbalance: {
      std::uint64_t total = 0;
      for (const ServerReport& sr : r.servers) total += sr.connections;
      if (total == 0)
        v.why = "no connection was dispatched";
      else
        num(r.imbalance);
      break;
    }
    case Measure::LatencyP50:
      time(r.ok ? std::optional<Time>(r.p50) : std::nullopt, "no request succeeded");
      break;
    case Measure::LatencyP99:
      time(r.ok ? std::optional<Time>(r.p99) : std::nullopt, "no request succeeded");
      break;
    case Measure::CompletedRequests:
      num(static_cast<double>(r.ok));
      break;
    case Measure::OutageTime:
      time(f->outage, "");
      break;
    case Measure::Takeovers:
      num(static_cast<double>(f->takeovers));
      break;
    case Measure::DualMasterTime:
      time(f->dual_master, "");
      break;
  }
  return v;
}

}  // namespace

void evaluate_expectations(const runner::Scenario& s, Report& r) {
  r.expectations.clear();
  for (const runner::ExpectationSpec& e : s.expectations) {
    ExpectationResult x;
    x.name = e.name;
    x.measure = std::string(runner::to_string(e.measure));
    const bool is_time = runner::measure_kind(e.measure) == MeasureKind::Time;
    auto text = [&](double n, Time t) { return is_time ? t.str() : number_text(n); };
    const bool has_min = is_time ? e.min_time.has_value() : e.min.has_value();
    const bool has_max = is_time ? e.max_time.has_value() : e.max.has_value();
    const std::string lo = has_min ? text(e.min.value_or(0), e.min_time.value_or(Time::zero())) : "";
    const std::string hi = has_max ? text(e.max.value_or(0), e.max_time.value_or(Time::zero())) : "";
    if (has_min && has_max)
      x.bound = lo == hi ? "= " + lo : "in [" + lo + ", " + hi + "]";
    else if (has_min)
      x.bound = ">= " + lo;
    else if (has_max)
      x.bound = "<= " + hi;
    else
      x.bound = "any";

    const Value v = measured_value(s, e, r);
    if (!v.known) {
      x.measured = "none: " + v.why;
      x.ok = false;
    } else if (is_time) {
      x.measured = v.time.str();
      x.ok = (!e.min_time || v.time >= *e.min_time) && (!e.max_time || v.time <= *e.max_time);
    } else {
      x.measured = number_text(v.number);
      x.ok = (!e.min || v.number >= *e.min) && (!e.max || v.number <= *e.max);
    }
    r.expectations.push_back(std::move(x));
  }
}

// ---- JSON -----------------------------------------------------------------------------------

namespace {

double ms_of(Time t) { return static_cast<double>(t.nanos()) / 1e6; }

Json realtime_json(const RealtimeReport& rt) {
  Json ports = Json::array();
  for (const ExternalPortReport& p : rt.ports)
    ports.push_back({{"node", p.node},
                     {"interface", p.interface},
                     {"linux_interface", p.linux_interface},
                     {"frames_in", p.frames_in},
                     {"bytes_in", p.bytes_in},
                     {"frames_out", p.frames_out},
                     {"bytes_out", p.bytes_out},
                     {"dropped_in", p.dropped_in},
                     {"filtered_in", p.filtered_in},
                     {"errors", p.errors}});
  return Json{{"speed", rt.speed},
              {"ended", rt.ended},
              {"events", rt.events},
              {"late", rt.late},
              {"late_threshold_ms", ms_of(rt.late_threshold)},
              {"lag_ms",
               {{"mean", ms_of(rt.mean_lag)},
                {"p50", ms_of(rt.p50_lag)},
                {"p99", ms_of(rt.p99_lag)},
                {"max", ms_of(rt.max_lag)}}},
              {"max_lag_allowed_ms", rt.max_lag_allowed ? Json(ms_of(*rt.max_lag_allowed)) : Json(nullptr)},
              {"max_lag_exceeded", rt.max_lag_exceeded},
              {"frames_injected", rt.frames_injected},
              {"inbox_full", rt.inbox_full},
              {"external_ports", ports}};
}

}  // namespace

std::string report_json(const Report& r) {
  Json entries = Json::array();
  for (const AddressEntry& a : r.addresses)
    entries.push_back({{"address", a.address}, {"node", a.node}, {"where", a.where}, {"why", a.why}});
  Json faults = Json::array();
  for (const FaultReport& f : r.faults) {
    Json j{{"at_ns", f.at.nanos()},
           {"action", f.action},
           {f.target_key, f.target},
           {"name", f.name},
           {"applied", f.applied}};
    if (f.kind == FaultMeasure::Failover && f.applied) {
      j["detection_ns"] = time_json(f.detection);
      j["recovery_ns"] = time_json(f.first_datagram);
      j["first_datagram_ns"] = time_json(f.first_datagram);
      j["first_response_ns"] = time_json(f.first_response);
      j["arp_update_ns"] = time_json(f.arp_update);
      j["datagrams_lost"] = f.datagrams_lost;
      j["connections_open"] = f.connections_open;
      j["connections_completed"] = f.connections_completed;
      j["survival"] = rounded(f.survival());
    } else if (f.kind == FaultMeasure::Shift && f.applied) {
      j["share_before"] = rounded(f.share_before);
      j["shift_threshold"] = rounded(f.shift_threshold);
      j["load_shift_ns"] = time_json(f.load_shift);
    } else if (f.kind == FaultMeasure::Restore && f.applied) {
      j["back_ns"] = time_json(f.back);
      j["connections_open"] = f.connections_open;
      j["connections_completed"] = f.connections_completed;
      j["survival"] = rounded(f.survival());
    }
    if (f.applied) {
      j["outage_ns"] = f.outage.nanos();
      j["takeovers"] = f.takeovers;
      j["dual_master_ns"] = f.dual_master.nanos();
    }
    faults.push_back(std::move(j));
  }
  Json servers = Json::array();
  for (const ServerReport& s : r.servers)
    servers.push_back({{"name", s.name},
                       {"address", s.address},
                       {"connections", s.connections},
                       {"share", rounded(s.share)},
                       {"requests", s.requests}});
  Json expectations = Json::array();
  for (const ExpectationResult& e : r.expectations)
    expectations.push_back({{"name", e.name},
                            {"measure", e.measure},
                            {"bound", e.bound},
                            {"measured", e.measured},
                            {"ok", e.ok}});
  auto ms = [](Time t) { return static_cast<double>(t.nanos()) / 1e6; };
  const Figure4Flow& fl = r.flow;
  Json flow{{"seen", fl.started && fl.done}};
  if (fl.started) {
    flow["client"] = fl.client;
    flow["client_endpoint"] = fl.client_ip.str() + ":" + std::to_string(fl.client_port);
    flow["cluster_endpoint"] = fl.cluster.str() + ":" + std::to_string(fl.cluster_port);
    flow["start_ns"] = fl.start.nanos();
    flow["syn_retransmissions"] = fl.syn_retransmissions;
    flow["arp_request_by"] = fl.arp_request ? Json(fl.arp_by) : Json(nullptr);
    flow["arp_for"] = fl.arp_request ? Json(fl.front.str()) : Json(nullptr);
    flow["arp_reply_by"] = fl.arp_reply ? Json(fl.replied_by) : Json(nullptr);
    flow["arp_reply_mac"] = fl.arp_reply ? Json(fl.replied_mac.str()) : Json(nullptr);
    flow["other_arp_replies"] = fl.other_replies;
    flow["balancer"] = fl.dispatched ? Json(fl.balancer) : Json(nullptr);
    flow["server"] = fl.dispatched ? Json(fl.server) : Json(nullptr);
    flow["mac_in"] = fl.rewritten ? Json(fl.in_dst.str()) : Json(nullptr);
    flow["mac_out"] = fl.rewritten ? Json(fl.out_dst.str()) : Json(nullptr);
    flow["only_mac_rewritten"] = fl.rewritten && fl.only_mac;
    flow["reply_gateway"] = fl.replied ? Json(fl.reply_gateway.str()) : Json(nullptr);
    flow["reply_next_hop"] = fl.reply_next_hop.empty() ? Json(nullptr) : Json(fl.reply_next_hop);
    flow["reply_through_balancer"] = fl.through_balancer;
    flow["outcome"] = fl.done ? Json(fl.outcome) : Json(nullptr);
    flow["latency_ns"] = fl.done ? Json(fl.latency.nanos()) : Json(nullptr);
  }
  Json realtime;
  if (r.realtime) realtime = realtime_json(*r.realtime);
  Json j{{"scenario", r.scenario},
         {"seed", r.seed},
         {"duration_ns", r.duration.nanos()},
         {"events", r.events},
         {"addresses", {{"public_count", r.public_count}, {"entries", entries}}},
         {"faults", faults},
         {"servers", servers},
         {"balance", {{"imbalance_max_over_mean", rounded(r.imbalance)}, {"cv", rounded(r.cv)}}},
         {"latency",
          {{"p50_ms", ms(r.p50)}, {"p99_ms", ms(r.p99)}, {"mean_ms", ms(r.mean)}, {"max_ms", ms(r.max)}}},
         {"requests", {{"ok", r.ok}, {"failed", r.failed}, {"error_rate", rounded(r.error_rate())}}},
         {"flow", flow},
         {"expectations", expectations},
         {"ok", r.all_ok()}};
  if (r.realtime) j["realtime"] = std::move(realtime);
  return j.dump(2) + "\n";
}

namespace {

RealtimeReport realtime_from(const Json& j) {
  auto ms = [](const Json& o, const char* key) {
    return Time::ns(std::llround(get_or<double>(o, key, 0) * 1e6));
  };
  RealtimeReport rt;
  rt.speed = get_or<std::string>(j, "speed", "1/1");
  rt.ended = get_or<std::string>(j, "ended", "");
  rt.events = get_or<std::uint64_t>(j, "events", 0);
  rt.late = get_or<std::uint64_t>(j, "late", 0);
  rt.late_threshold = ms(j, "late_threshold_ms");
  if (auto l = j.find("lag_ms"); l != j.end() && l->is_object()) {
    rt.mean_lag = ms(*l, "mean");
    rt.p50_lag = ms(*l, "p50");
    rt.p99_lag = ms(*l, "p99");
    rt.max_lag = ms(*l, "max");
  }
  if (auto m = j.find("max_lag_allowed_ms"); m != j.end() && m->is_number())
    rt.max_lag_allowed = ms(j, "max_lag_allowed_ms");
  rt.max_lag_exceeded = get_or<bool>(j, "max_lag_exceeded", false);
  rt.frames_injected = get_or<std::uint64_t>(j, "frames_injected", 0);
  rt.inbox_full = get_or<std::uint64_t>(j, "inbox_full", 0);
  if (auto ps = j.find("external_ports"); ps != j.end() && ps->is_array())
    for (const Json& x : *ps)
      rt.ports.push_back({get_or<std::string>(x, "node", ""), get_or<std::string>(x, "interface", ""),
                          get_or<std::string>(x, "linux_interface", ""),
                          get_or<std::uint64_t>(x, "frames_in", 0), get_or<std::uint64_t>(x, "bytes_in", 0),
                          get_or<std::uint64_t>(x, "frames_out", 0), get_or<std::uint64_t>(x, "bytes_out", 0),
                          get_or<std::uint64_t>(x, "dropped_in", 0),
                          get_or<std::uint64_t>(x, "filtered_in", 0), get_or<std::uint64_t>(x, "errors", 0)});
  return rt;
}

}  // namespace

bool report_from_json(const std::string& text, Report& r, std::string& error) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("scenario") || !j.contains("addresses")) {
    error = "not an nlbsim report.json";
    return false;
  }
  r = Report{};
  r.scenario = get_or<std::string>(j, "scenario", "");
  r.seed = get_or<std::uint64_t>(j, "seed", 0);
  r.duration = Time::ns(get_or<std::int64_t>(j, "duration_ns", 0));
  r.events = get_or<std::uint64_t>(j, "events", 0);
  const Json& a = j["addresses"];
  if (a.is_object()) {
    r.public_count = get_or<std::size_t>(a, "public_count", 0);
    if (auto e = a.find("entries"); e != a.end() && e->is_array())
      for (const Json& x : *e)
        r.addresses.push_back({get_or<std::string>(x, "address", ""), get_or<std::string>(x, "node", ""),
                               get_or<std::string>(x, "where", ""), get_or<std::string>(x, "why", "")});
  }
  if (auto fs = j.find("faults"); fs != j.end() && fs->is_array()) {
    for (const Json& x : *fs) {
      FaultReport f;
      f.name = get_or<std::string>(x, "name", "");
      f.action = get_or<std::string>(x, "action", "");
      for (const char* key : {"node", "lan", "pair"})
        if (x.contains(key)) f.target = get_or<std::string>(x, key, ""), f.target_key = key;
      f.at = Time::ns(get_or<std::int64_t>(x, "at_ns", 0));
      f.applied = get_or<bool>(x, "applied", true);
      f.kind = x.contains("detection_ns")    ? FaultMeasure::Failover
               : x.contains("load_shift_ns") ? FaultMeasure::Shift
                                             : FaultMeasure::Restore;
      f.back = time_from(x, "back_ns");
      f.detection = time_from(x, "detection_ns");
      f.first_datagram = time_from(x, "first_datagram_ns");
      f.first_response = time_from(x, "first_response_ns");
      f.arp_update = time_from(x, "arp_update_ns");
      f.datagrams_lost = get_or<std::uint64_t>(x, "datagrams_lost", 0);
      f.connections_open = get_or<std::size_t>(x, "connections_open", 0);
      f.connections_completed = get_or<std::size_t>(x, "connections_completed", 0);
      f.load_shift = time_from(x, "load_shift_ns");
      f.outage = time_from(x, "outage_ns").value_or(Time::zero());
      f.takeovers = get_or<std::size_t>(x, "takeovers", 0);
      f.dual_master = time_from(x, "dual_master_ns").value_or(Time::zero());
      f.share_before = get_or<double>(x, "share_before", 0);
      f.shift_threshold = get_or<double>(x, "shift_threshold", 0);
      r.faults.push_back(std::move(f));
    }
  }
  if (auto ss = j.find("servers"); ss != j.end() && ss->is_array())
    for (const Json& x : *ss)
      r.servers.push_back({get_or<std::string>(x, "name", ""), get_or<std::string>(x, "address", ""),
                           get_or<std::uint64_t>(x, "connections", 0), get_or<double>(x, "share", 0),
                           get_or<std::uint64_t>(x, "requests", 0)});
  if (auto b = j.find("balance"); b != j.end() && b->is_object()) {
    r.imbalance = get_or<double>(*b, "imbalance_max_over_mean", 0);
    r.cv = get_or<double>(*b, "cv", 0);
  }
  auto ms_time = [](const Json& o, const char* key) {
    return Time::ns(std::llround(get_or<double>(o, key, 0) * 1e6));
  };
  if (auto l = j.find("latency"); l != j.end() && l->is_object()) {
    r.p50 = ms_time(*l, "p50_ms");
    r.p99 = ms_time(*l, "p99_ms");
    r.mean = ms_time(*l, "mean_ms");
    r.max = ms_time(*l, "max_ms");
  }
  if (auto q = j.find("requests"); q != j.end() && q->is_object()) {
    r.ok = get_or<std::uint64_t>(*q, "ok", 0);
    r.failed = get_or<std::uint64_t>(*q, "failed", 0);
  }
  if (auto rt = j.find("realtime"); rt != j.end() && rt->is_object()) r.realtime = realtime_from(*rt);
  if (auto es = j.find("expectations"); es != j.end() && es->is_array())
    for (const Json& x : *es)
      r.expectations.push_back({get_or<std::string>(x, "name", ""), get_or<std::string>(x, "measure", ""),
                                get_or<std::string>(x, "bound", ""), get_or<std::string>(x, "measured", ""),
                                get_or<bool>(x, "ok", false)});
  return true;
}

}  // namespace nlb::run
