#pragma once
// The checks that need the whole scenario: names and references, addresses against subnets,
// duplicates, next hops, the seed's rules for pairs and clusters. Also resolves what the
// builder should not have to: indices, generated MACs, default heartbeat LANs, fault targets.

#include "runner/document.hpp"
#include "runner/scenario.hpp"

namespace nlb::runner {

// Reports through `sink` (pointers into the composed document). Returns false on any error.
bool validate_scenario(Scenario& s, DiagSink& sink);

}  // namespace nlb::runner
