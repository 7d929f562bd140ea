#pragma once
// Runs a scenario with nlbsim's runner (in process, as `nlbsim run SCENARIO --trace --out DIR`
// would) for the GUI tests. Kept apart from Qt: the models' `emit` functions and Qt's `emit`
// keyword cannot meet in one translation unit.

#include <string>

namespace nlb::gui::test {

// False with `error` when the scenario does not load or the run does not finish with exit 0.
bool run_with_trace(const std::string& scenario, const std::string& out_dir, std::string& error);

}  // namespace nlb::gui::test
