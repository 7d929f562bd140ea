#include "gui/model/run_outputs.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nlb::gui {

using nlohmann::json;

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) {
    if (!cell.empty() && cell.back() == '\r') cell.pop_back();
    out.push_back(cell);
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool to_double(const std::string& s, double& v) {
  if (s.empty()) {
    v = 0;
    return true;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size();
}

std::string str_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t int_of(const json& j, const char* key, std::int64_t fallback = -1) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

bool bool_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

const json& array_at(const json& j, const char* key) {
  static const json kEmpty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : kEmpty;
}

// docs/trace-format.md: "the key of its target is node (with /interface for an interface's
// link), lan or pair".
std::string target_of(const json& f) {
  for (const char* key : {"node", "lan", "pair"})
    if (f.contains(key)) return str_of(f, key);
  return {};
}

FlowWalk flow_of(const json& r) {
  FlowWalk w;
  auto it = r.find("flow");
  if (it == r.end() || !it->is_object()) return w;
  const json& f = *it;
  w.seen = bool_of(f, "seen");
  w.client = str_of(f, "client");
  w.client_endpoint = str_of(f, "client_endpoint");
  w.cluster_endpoint = str_of(f, "cluster_endpoint");
  w.arp_request_by = str_of(f, "arp_request_by");
  w.arp_for = str_of(f, "arp_for");
  w.arp_reply_by = str_of(f, "arp_reply_by");
  w.arp_reply_mac = str_of(f, "arp_reply_mac");
  w.balancer = str_of(f, "balancer");
  w.server = str_of(f, "server");
  w.start_ns = int_of(f, "start_ns", 0);
  return w;
}

}  // namespace

int Metrics::column(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

std::vector<int> Metrics::active_per_server() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i].starts_with("active:")) out.push_back(static_cast<int>(i));
  return out;
}

bool parse_metrics(std::istream& in, Metrics& out, std::string& error) {
  out = Metrics();
  std::string line;
  if (!std::getline(in, line)) {
    error = "line 1: empty file (expected the header row)";
    return false;
  }
  out.names = split_csv(line);
  if (out.names.empty() || out.names[0] != "time_s") {
    error = "line 1: the first column must be time_s";
    return false;
  }
  out.columns.assign(out.names.size(), {});
  for (std::size_t n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto cells = split_csv(line);
    if (cells.size() != out.names.size()) {
      error = "line " + std::to_string(n) + ": " + std::to_string(cells.size()) + " cells, expected " +
              std::to_string(out.names.size());
      return false;
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      double v = 0;
      if (!to_double(cells[c], v)) {
        error = "line " + std::to_string(n) + ", column " + out.names[c] + ": not a number: " + cells[c];
        return false;
      }
      out.columns[c].push_back(v);
    }
  }
  return true;
}

bool load_metrics(const std::string& path, Metrics& out, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  if (!parse_metrics(in, out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

bool parse_report(std::istream& in, Report& out, std::string& error) {
  out = Report();
  json r = json::parse(in, nullptr, false);
  if (r.is_discarded() || !r.is_object()) {
    error = "not a JSON object";
    return false;
  }
  out.scenario = str_of(r, "scenario");
  out.ok = bool_of(r, "ok");
  if (auto a = r.find("addresses"); a != r.end() && a->is_object()) {
    out.public_count = static_cast<int>(int_of(*a, "public_count"));
    for (const json& e : array_at(*a, "entries"))
      if (e.is_object())
        out.addresses.push_back(
            {str_of(e, "address"), str_of(e, "node"), str_of(e, "where"), str_of(e, "why")});
  }
  for (const json& f : array_at(r, "faults")) {
    if (!f.is_object()) continue;
    FaultTiming t;
    t.at_ns = int_of(f, "at_ns", 0);
    t.action = str_of(f, "action");
    t.target = target_of(f);
    t.name = str_of(f, "name");
    t.detection_ns = int_of(f, "detection_ns");
    t.recovery_ns = int_of(f, "recovery_ns");
    t.first_datagram_ns = int_of(f, "first_datagram_ns");
    t.first_response_ns = int_of(f, "first_response_ns");
    t.arp_update_ns = int_of(f, "arp_update_ns");
    t.back_ns = int_of(f, "back_ns");
    t.datagrams_lost = int_of(f, "datagrams_lost");
    t.connections_open = int_of(f, "connections_open");
    t.connections_completed = int_of(f, "connections_completed");
    out.faults.push_back(std::move(t));
  }
  for (const json& e : array_at(r, "expectations"))
    if (e.is_object())
      out.expectations.push_back(
          {str_of(e, "name"), str_of(e, "bound"), str_of(e, "measured"), bool_of(e, "ok")});
  out.flow = flow_of(r);
  out.loaded = true;
  return true;
}

std::vector<AuditGroup> group_audit(const std::vector<AuditEntry>& entries) {
  std::vector<AuditGroup> out;
  for (const AuditEntry& e : entries) {
    auto it = std::find_if(out.begin(), out.end(), [&](const AuditGroup& g) {
      return g.address == e.address && g.where == e.where && g.why == e.why;
    });
    if (it == out.end()) {
      out.push_back({e.address, e.where, e.why, {}});
      it = out.end() - 1;
    }
    it->nodes.push_back(e.node);
  }
  return out;
}

bool load_report(const std::string& path, Report& out, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  if (!parse_report(in, out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

}  // namespace nlb::gui
