#include "runner/scenario.hpp"

#include "runner/enum_names.hpp"

namespace nlb::runner {

std::string IfAddress::str() const { return ip.str() + "/" + std::to_string(prefix_len); }

std::size_t NodeSpec::interface_on(std::size_t lan) const {
  for (std::size_t i = 0; i < interfaces.size(); ++i)
    if (interfaces[i].lan_index == lan) return i;
  return kNone;
}

std::size_t NodeSpec::interface_named(std::string_view n) const {
  for (std::size_t i = 0; i < interfaces.size(); ++i)
    if (interfaces[i].name == n) return i;
  return kNone;
}

namespace {

template <class T>
std::size_t index_by_name(const std::vector<T>& v, std::string_view name) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return i;
  return kNone;
}

}  // namespace

std::size_t Scenario::node_index(std::string_view n) const { return index_by_name(nodes, n); }
std::size_t Scenario::lan_index(std::string_view n) const { return index_by_name(lans, n); }
std::size_t Scenario::pair_index(std::string_view n) const { return index_by_name(balancer_pairs, n); }

bool Scenario::has_external_nodes() const {
  for (const NodeSpec& n : nodes)
    if (n.role == Role::External) return true;
  return false;
}

MeasureKind measure_kind(Measure m) {
  switch (m) {
    case Measure::PublicAddresses:
    case Measure::DatagramsLost:
    case Measure::CompletedRequests:
    case Measure::Takeovers:
      return MeasureKind::Count;
    case Measure::DetectionTime:
    case Measure::RecoveryTime:
    case Measure::ArpUpdateTime:
    case Measure::LatencyP50:
    case Measure::LatencyP99:
    case Measure::OutageTime:
    case Measure::DualMasterTime:
      return MeasureKind::Time;
    case Measure::ConnectionSurvival:
    case Measure::ErrorRate:
    case Measure::ServerShare:
      return MeasureKind::Share;
    case Measure::Imbalance:
      return MeasureKind::Ratio;
  }
  return MeasureKind::Count;
}

bool measure_needs_fault(Measure m) {
  return m == Measure::DetectionTime || m == Measure::RecoveryTime || m == Measure::ArpUpdateTime ||
         m == Measure::DatagramsLost || m == Measure::ConnectionSurvival || m == Measure::OutageTime ||
         m == Measure::Takeovers || m == Measure::DualMasterTime;
}

bool measure_needs_server(Measure m) { return m == Measure::ServerShare; }

// ---- enum tables ----------------------------------------------------------------------------

#define NLB_ENUM_TABLE(E, ...)                                     \
  std::span<const EnumName<E>> enum_names(std::type_identity<E>) { \
    static constexpr EnumName<E> kTable[] = {__VA_ARGS__};         \
    return kTable;                                                 \
  }                                                                \
  std::string_view to_string(E v) { return enum_text(v); }

NLB_ENUM_TABLE(LanKind, {"switch", LanKind::Switch}, {"shared", LanKind::Shared})
NLB_ENUM_TABLE(Role, {"client", Role::Client}, {"internet", Role::Internet}, {"firewall", Role::Firewall},
               {"balancer", Role::Balancer}, {"server", Role::Server}, {"router", Role::Router},
               {"host", Role::Host}, {"external", Role::External})
NLB_ENUM_TABLE(ServiceDistribution, {"constant", ServiceDistribution::Constant},
               {"uniform", ServiceDistribution::Uniform}, {"exponential", ServiceDistribution::Exponential})
NLB_ENUM_TABLE(FilterProtocol, {"tcp", FilterProtocol::Tcp}, {"udp", FilterProtocol::Udp},
               {"icmp", FilterProtocol::Icmp}, {"any", FilterProtocol::Any})
NLB_ENUM_TABLE(FilterAction, {"drop", FilterAction::Drop}, {"accept", FilterAction::Accept})
NLB_ENUM_TABLE(VrrpMode, {"rfc5798", VrrpMode::Rfc5798}, {"keepalived", VrrpMode::Keepalived})
NLB_ENUM_TABLE(GratuitousPolicy, {"update", GratuitousPolicy::Update},
               {"requests-only", GratuitousPolicy::RequestsOnly}, {"ignore", GratuitousPolicy::Ignore})
NLB_ENUM_TABLE(RecoveryPolicy, {"auto", RecoveryPolicy::Auto}, {"manual", RecoveryPolicy::Manual})
NLB_ENUM_TABLE(SyncMode, {"off", SyncMode::Off}, {"per-connection", SyncMode::PerConnection},
               {"batch", SyncMode::Batch})
NLB_ENUM_TABLE(Scheduler, {"manager", Scheduler::Manager}, {"rr", Scheduler::Rr}, {"wrr", Scheduler::Wrr},
               {"lc", Scheduler::Lc}, {"wlc", Scheduler::Wlc})
NLB_ENUM_TABLE(AdvisorKind, {"http", AdvisorKind::Http}, {"connect", AdvisorKind::Connect},
               {"ping", AdvisorKind::Ping})
NLB_ENUM_TABLE(ArrivalProcess, {"poisson", ArrivalProcess::Poisson}, {"fixed", ArrivalProcess::Fixed})
NLB_ENUM_TABLE(FaultAction, {"crash", FaultAction::Crash}, {"recover", FaultAction::Recover},
               {"graceful-stop", FaultAction::GracefulStop}, {"start", FaultAction::Start},
               {"link-down", FaultAction::LinkDown}, {"link-up", FaultAction::LinkUp},
               {"heartbeat-loss", FaultAction::HeartbeatLoss}, {"freeze", FaultAction::Freeze},
               {"set-loss", FaultAction::SetLoss}, {"slow-server", FaultAction::SlowServer},
               {"admin-takeover", FaultAction::AdminTakeover})
NLB_ENUM_TABLE(LossDirection, {"both", LossDirection::Both}, {"in", LossDirection::In},
               {"out", LossDirection::Out})
NLB_ENUM_TABLE(Measure, {"public_addresses", Measure::PublicAddresses},
               {"detection_time", Measure::DetectionTime}, {"recovery_time", Measure::RecoveryTime},
               {"arp_update_time", Measure::ArpUpdateTime}, {"datagrams_lost", Measure::DatagramsLost},
               {"connection_survival", Measure::ConnectionSurvival}, {"error_rate", Measure::ErrorRate},
               {"server_share", Measure::ServerShare}, {"imbalance", Measure::Imbalance},
               {"latency_p50", Measure::LatencyP50}, {"latency_p99", Measure::LatencyP99},
               {"completed_requests", Measure::CompletedRequests}, {"outage_time", Measure::OutageTime},
               {"takeovers", Measure::Takeovers}, {"dual_master_time", Measure::DualMasterTime})

#undef NLB_ENUM_TABLE

}  // namespace nlb::runner
