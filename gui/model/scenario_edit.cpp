#include "gui/model/scenario_edit.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/time.hpp"

namespace nlb::gui {

using json = nlohmann::ordered_json;

namespace {

json entry(const InjectedFault& f) {
  std::string at = sim::Time::ns(f.at_ns).str();
  std::string target = f.node.empty() ? f.lan : f.node;
  // Named, so that it merges into a timeline the scenario extends rather than replacing it
  // (docs/scenario-format.md: an array whose elements all have a "name" merges by name).
  json e = {
      {"name", f.action + " " + target + " at " + at + " (nlbsim-gui)"}, {"at", at}, {"action", f.action}};
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

// `include` may sit in any object of the file.
void absolutize_includes(json& j, const std::string& dir) {
  if (j.is_object()) {
    absolutize(j, "include", dir);
    for (auto& [key, value] : j.items()) absolutize_includes(value, dir);
  } else if (j.is_array()) {
    for (json& x : j) absolutize_includes(x, dir);
  }
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
  absolutize_includes(s, scenario_dir);
  out = s.dump(2) + "\n";
  return true;
}

}  // namespace nlb::gui
