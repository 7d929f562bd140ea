#pragma once
// What `nlbsim sweep` prints when it is done: the grid, how it ran, and per combination of the
// axes how many runs held every expectation, the failover measures over the seeds, and the
// expectations that failed.

#include <string>
#include <vector>

#include "runner/sweep/results.hpp"

namespace nlb::sweep {

struct RunShape {
  unsigned jobs = 1;
  int ranks = 1;
  double wall_s = 0;
};

std::string summary_text(const Grid& g, const std::vector<Row>& rows, const std::vector<AggregateRow>& agg,
                         const RunShape& shape);

// "heartbeat_timeout=2s, sync=off": strings as written, other values as JSON.
std::string values_text(const Grid& g, const std::vector<Json>& values);

}  // namespace nlb::sweep
