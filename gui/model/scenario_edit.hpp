#pragma once
// "Inject a fault and re-run": a copy of the scenario with one more entry in its timeline.
// The GUI never changes a model; it writes a new scenario and runs `nlbsim run` on it.

#include <cstdint>
#include <string>

namespace nlb::gui {

struct InjectedFault {
  std::int64_t at_ns = 0;
  std::string action;  // "crash", "recover", "link-down", "link-up"
  std::string node;    // for node faults
  std::string lan;     // for LAN faults
};

// The timeline entry as the scenario format writes it, named so that it joins the timeline of
// a base the scenario extends: {"name":"crash lb1 at 12.5s (nlbsim-gui)","at":"12.5s",
// "action":"crash","node":"lb1"} or {..., "action":"link-down","lan":"ia"}.
std::string timeline_entry_json(const InjectedFault& f);

// Appends the fault to the scenario's "timeline" array (creating it if absent) and makes the
// paths of "extends" and of every "include" absolute against `scenario_dir`, so the copy can
// live elsewhere. Returns false with `error` if the text is not a JSON object or "timeline" is not
// an array.
bool add_fault(const std::string& scenario_text, const std::string& scenario_dir, const InjectedFault& f,
               std::string& out, std::string& error);

}  // namespace nlb::gui
