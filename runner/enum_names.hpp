#pragma once
// The text form of every enum of the scenario format, in one table per enum: the loader
// parses with it, the schema lists it, to_string prints it.

#include <span>
#include <string_view>
#include <type_traits>

#include "runner/scenario.hpp"

namespace nlb::runner {

template <class E>
struct EnumName {
  std::string_view text;
  E value;
};

std::span<const EnumName<LanKind>> enum_names(std::type_identity<LanKind>);
std::span<const EnumName<Role>> enum_names(std::type_identity<Role>);
std::span<const EnumName<ServiceDistribution>> enum_names(std::type_identity<ServiceDistribution>);
std::span<const EnumName<FilterProtocol>> enum_names(std::type_identity<FilterProtocol>);
std::span<const EnumName<FilterAction>> enum_names(std::type_identity<FilterAction>);
std::span<const EnumName<VrrpMode>> enum_names(std::type_identity<VrrpMode>);
std::span<const EnumName<GratuitousPolicy>> enum_names(std::type_identity<GratuitousPolicy>);
std::span<const EnumName<RecoveryPolicy>> enum_names(std::type_identity<RecoveryPolicy>);
std::span<const EnumName<SyncMode>> enum_names(std::type_identity<SyncMode>);
std::span<const EnumName<Scheduler>> enum_names(std::type_identity<Scheduler>);
std::span<const EnumName<AdvisorKind>> enum_names(std::type_identity<AdvisorKind>);
std::span<const EnumName<ArrivalProcess>> enum_names(std::type_identity<ArrivalProcess>);
std::span<const EnumName<FaultAction>> enum_names(std::type_identity<FaultAction>);
std::span<const EnumName<LossDirection>> enum_names(std::type_identity<LossDirection>);
std::span<const EnumName<Measure>> enum_names(std::type_identity<Measure>);

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires {
  enum_names(std::type_identity<E>{});
};

template <NamedEnum E>
std::string_view enum_text(E v) {
  for (const auto& n : enum_names(std::type_identity<E>{}))
    if (n.value == v) return n.text;
  return "?";
}

}  // namespace nlb::runner
