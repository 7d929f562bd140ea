#include "gui/model/scenario_edit.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/time.hpp"

namespace nlb::gui {

using json = nlohmann::ordered_json;

namespace {

json entry(const InjectedFault& f) {
  json e = {{"at", sim::Time::ns(f.at_ns).str()}, {"action", f.action}};
  if (!f.node.empty()) e["node"] = f.node;
  if (!f.lan.empty()) e["lan"] = f.lan;
  return e;
}

std::string absolute(const std::string& path, const std::string& dir) {
  std::filesystem::path p(path);
  if (p.is_absolute() || dir.empty()) return path;
  return (std::filesystem::path(dir) / p).lexically_normal().string();
}

void absolutize(json& j, const char* key, const std::string& dir) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if (it->is_string()) *it = absolute(it->get<std::string>(), dir);
  if (it->is_array())
    for (json& x : *it)
      if (x.is_string()) x = absolute(x.get<std::string>(), dir);
}

}  // namespace

std::string timeline_entry_json(const InjectedFault& f) { return entry(f).dump(); }

bool add_fault(const std::string& scenario_text, const std::string& scenario_dir, const InjectedFault& f,
               std::string& out, std::string& error) {
  json s = json::parse(scenario_text, nullptr, false);
  if (s.is_discarded() || !s.is_object()) {
    error = "the scenario is not a JSON object";
    return false;
  }
  json& timeline = s["timeline"];
  if (timeline.is_null()) timeline = json::array();
  if (!timeline.is_array()) {
    error = "/timeline: expected an array";
    return false;
  }
  timeline.push_back(entry(f));
  absolutize(s, "extends", scenario_dir);
  absolutize(s, "include", scenario_dir);
  out = s.dump(2) + "\n";
  return true;
}

}  // namespace nlb::gui
