// The text and JSON forms of an explanation (docs/failure-modes.md shows both).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "runner/explain/explain.hpp"
#include "runner/explain/world.hpp"

namespace nlb::explain {

namespace {

using Json = nlohmann::ordered_json;

bool selected(const Outage& o, std::optional<int> only) { return !only || o.number == *only; }

std::string counts_text(const Outage& o) {
  std::string out;
  auto add = [&](std::uint64_t n, const char* one, const char* many) {
    if (!n) return;
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
  };
  add(o.datagrams_lost, "datagram lost", "datagrams lost");
  add(o.connections_moved, "connection moved to another server", "connections moved to another server");
  add(o.connections_broken, "connection broken", "connections broken");
  add(o.requests_failed, "request failed", "requests failed");
  add(o.takeovers, "change of master", "changes of master");
  if (o.dual_master > Time::zero())
    out += (out.empty() ? "" : ", ") + ("two masters for " + duration_text(o.dual_master));
  if (!o.clients.empty())
    out += "; " + std::to_string(o.clients.size()) + (o.clients.size() == 1 ? " client" : " clients");
  return out.empty() ? "no impact recorded" : out;
}

std::string span_text(const Outage& o, Time end) {
  if (!o.end)
    return seconds_text(o.start) + " - still open at the end of the run (" + seconds_text(end) +
           "): " + duration_text(o.duration(end)) + " so far";
  return seconds_text(o.start) + " - " + seconds_text(*o.end) + " (" + duration_text(o.duration(end)) + ")";
}

}  // namespace

std::string chain_line(const Outage& o, Time run_end) {
  std::string out;
  for (const Step& s : o.chain) {
    if (s.role == "impact" && o.kind != "other") continue;
    out += seconds_text(s.t) + " " + (s.node.empty() ? "" : s.node + " ") + s.text + " -> ";
  }
  out += o.end ? "outage " + duration_text(o.duration(run_end))
               : "still open at " + seconds_text(run_end) + " (" + duration_text(o.duration(run_end)) +
                     " so far)";
  return out;
}

std::string explanation_text(const Explanation& e, std::optional<int> only) {
  std::string out =
      e.scenario + " (seed " + std::to_string(e.seed) + ", run to " + seconds_text(e.end) + "): ";
  const std::size_t n = e.outages.size();
  out += n == 0 ? "no outage" : std::to_string(n) + (n == 1 ? " outage" : " outages");
  out += "; requests " + std::to_string(e.requests_ok) + " ok, " + std::to_string(e.requests_failed) +
         " failed\n";
  for (const Outage& o : e.outages) {
    if (!selected(o, only)) continue;
    out += "\nOutage " + std::to_string(o.number) + ": " + span_text(o, e.end) + "\n";
    out += "  " + o.headline + "\n";
    if (!o.table.empty()) out += "  table: " + o.table + ": " + o.entry + "\n";
    out += "  impact: " + counts_text(o) + " (" + seconds_text(o.first_impact) + " - " +
           seconds_text(o.last_impact) + ")\n";
    std::size_t width = 6;
    for (const Step& s : o.chain) width = std::max(width, s.node.size());
    for (const Step& s : o.chain) {
      std::string node = s.node;
      node.resize(width, ' ');
      out += "  " + seconds_text(s.t) + "  " + node + "  " + s.text + "\n";
    }
    out += "  chain: " + chain_line(o, e.end) + "\n";
  }
  if (e.datagrams_lost_to_loss)
    out += "\nNot an outage: " + std::to_string(e.datagrams_lost_to_loss) +
           " datagrams of the clients' flows lost to random loss or full queues (TCP sent them again)\n";
  for (const std::string& note : e.notes) out += "Note: " + note + "\n";
  return out;
}

std::string explanation_json(const Explanation& e, std::optional<int> only) {
  Json outages = Json::array();
  for (const Outage& o : e.outages) {
    if (!selected(o, only)) continue;
    Json chain = Json::array();
    for (const Step& s : o.chain)
      chain.push_back({{"t_ns", s.t.nanos()}, {"node", s.node}, {"role", s.role}, {"text", s.text}});
    outages.push_back({{"number", o.number},
                       {"kind", o.kind},
                       {"start_ns", o.start.nanos()},
                       {"end_ns", o.end ? Json(o.end->nanos()) : Json(nullptr)},
                       {"open", !o.end.has_value()},
                       {"duration_ns", o.duration(e.end).nanos()},
                       {"headline", o.headline},
                       {"table", o.table},
                       {"entry", o.entry},
                       {"first_impact_ns", o.first_impact.nanos()},
                       {"last_impact_ns", o.last_impact.nanos()},
                       {"datagrams_lost", o.datagrams_lost},
                       {"connections_moved", o.connections_moved},
                       {"connections_broken", o.connections_broken},
                       {"requests_failed", o.requests_failed},
                       {"takeovers", o.takeovers},
                       {"dual_master_ns", o.dual_master.nanos()},
                       {"clients", o.clients},
                       {"chain", chain},
                       {"summary", chain_line(o, e.end)}});
  }
  Json j{{"scenario", e.scenario},
         {"seed", e.seed},
         {"end_ns", e.end.nanos()},
         {"outage_count", e.outages.size()},
         {"requests_ok", e.requests_ok},
         {"requests_failed", e.requests_failed},
         {"datagrams_lost_to_loss", e.datagrams_lost_to_loss},
         {"outages", outages},
         {"notes", e.notes}};
  return j.dump(2) + "\n";
}

}  // namespace nlb::explain
