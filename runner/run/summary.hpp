#pragma once
// The human side of a run: the summary `nlbsim run` prints at the end (the single public
// address, the Figure 4 flow of the first request, each fault with its timings, survival,
// per-server shares, expectations) and the side-by-side table of `nlbsim compare`.

#include <string>

#include "runner/run/report.hpp"

namespace nlb::run {

std::string summary_text(const Report& r);
// The same measures of two runs side by side (e.g. Figure 2 vs Figure 3).
std::string compare_text(const Report& a, const Report& b);

}  // namespace nlb::run
