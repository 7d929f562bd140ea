#pragma once
// Small integer names for the things a trace talks about. The scenario builder hands them out
// densely from 0 (the trace header lists them with their names), so a trace line can say
// "node 3, interface 1, LAN 2" without carrying strings.

#include <cstdint>

namespace nlb::link {

using NodeId = std::uint32_t;
using LanId = std::uint32_t;
using IfIndex = std::uint32_t;    // a node's interface, in the order it was added
using PortIndex = std::uint32_t;  // a LAN's port, in the order devices were attached

inline constexpr NodeId kNoNode = UINT32_MAX;
inline constexpr LanId kNoLan = UINT32_MAX;
inline constexpr IfIndex kNoIface = UINT32_MAX;
inline constexpr PortIndex kNoPort = UINT32_MAX;

}  // namespace nlb::link
