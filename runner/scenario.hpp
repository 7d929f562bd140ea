#pragma once
// A scenario as plain values: what the JSON file says, validated once, every default filled in
// and every cross-reference resolved to an index, so the builder never parses or checks again.
// The format is described field by field in docs/scenario-format.md; the defaults below are
// the defaults of the format (the schema and the docs read them from these structs).
//
// Conventions: times are sim::Time, addresses wire::Ipv4/Prefix/Mac, shares and probabilities
// doubles in [0, 1]. A `*_index` member is filled by the loader and indexes the vector it
// names in Scenario (nodes, lans, ...) or the node's interfaces; kNone where it does not apply.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::runner {

inline constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// "10.0.1.1/24": an address and the prefix length of the subnet it sits on. Loopback aliases
// and VRRP virtual addresses written without a length are /32.
struct IfAddress {
  wire::Ipv4 ip;
  std::uint8_t prefix_len = 32;

  wire::Prefix subnet() const { return wire::Prefix(ip, prefix_len); }
  std::string str() const;  // "10.0.1.1/24"
  auto operator<=>(const IfAddress&) const = default;
};

// ---- LANs -----------------------------------------------------------------------------------

enum class LanKind : std::uint8_t { Switch, Shared };

// A LAN segment (models/link): a learning switch, or a shared medium (two ports: a cable).
// delay/bandwidth/queue/loss apply to every port's link unless the interface overrides them.
struct LanSpec {
  std::string name;
  std::string description;
  std::optional<wire::Prefix> subnet;  // when given, every address on the LAN must be inside
  LanKind kind = LanKind::Switch;
  sim::Time delay = sim::Time::us(1);           // one way, per port link
  std::uint64_t bandwidth_bps = 1'000'000'000;  // 0 = no serialization delay
  std::uint32_t queue = 1000;                   // frames waiting per link direction
  double loss = 0.0;                            // per frame, each direction
  sim::Time mac_ageing = sim::Time::s(300);     // IEEE 802.1D-2004 7.9.2
};

// ---- nodes ----------------------------------------------------------------------------------

// External: a real host outside nlbsim, reached through a Linux interface (docs/emulation.md).
enum class Role : std::uint8_t { Client, Internet, Firewall, Balancer, Server, Router, Host, External };

// Overrides of the LAN's link settings for one port (the cable between this NIC and the
// switch): out = NIC -> switch, in = switch -> NIC. Unset = the LAN's value.
struct PortSpec {
  std::optional<sim::Time> delay;
  std::optional<std::uint64_t> bandwidth_bps;
  std::optional<std::uint32_t> queue;
  std::optional<double> loss_out;
  std::optional<double> loss_in;
};

// The Linux interface an external node's interface is bound to (models/link ExternalPort): the
// simulation's end of a veth pair, say, whose other end is in the real host's namespace.
struct ExternalSpec {
  std::string interface;  // the Linux interface name (1 to 15 characters)
  std::string netns;      // an `ip netns` namespace that holds it; empty: nlbsim's own
};

struct InterfaceSpec {
  std::string name;
  std::string lan;
  std::size_t lan_index = kNone;
  IfAddress address;               // the primary address (source of what the node sends)
  std::vector<IfAddress> aliases;  // static secondary addresses
  wire::Mac mac;                   // as configured, or generated (see mac_generated)
  bool mac_generated = false;      // 02:00:00:NN:NN:II, NN = node number, II = interface number
  PortSpec port;
  std::optional<ExternalSpec> external;  // set exactly on the interfaces of external nodes
};

struct RouteSpec {
  wire::Prefix destination;       // 0.0.0.0/0 for "default"
  std::optional<wire::Ipv4> via;  // next hop; unset = on-link through `interface`
  std::string interface;          // resolved: the interface the next hop is reached through
  std::size_t interface_index = kNone;
};

// What a gratuitous ARP does to an existing entry: update (RFC 826 merge: Linux, Cisco),
// requests-only (Junos without gratuitous-arp-reply), ignore.
enum class GratuitousPolicy : std::uint8_t { Update, RequestsOnly, Ignore };

// Per-node ARP settings. Linux's neighbour cache by default (torvalds/linux net/ipv4/arp.c
// arp_tbl); `timeout` replaces the reachable/stale cycle by one fixed lifetime, as a router's
// ARP cache has (4 hours on many), which is what keeps a stale entry after a false takeover.
struct ArpSpec {
  sim::Time reachable_time = sim::Time::s(30);    // base_reachable_time: REACHABLE lasts U[t/2, 3t/2)
  sim::Time delay_first_probe = sim::Time::s(5);  // STALE -> DELAY -> PROBE
  sim::Time retrans_time = sim::Time::s(1);       // between requests while resolving or probing
  std::uint32_t probes = 3;                       // requests before an entry fails
  sim::Time stale_time = sim::Time::s(60);        // Linux gc_stale_time: unused STALE entry removed
  std::uint32_t queue = 3;                        // datagrams held per unresolved address
  std::optional<sim::Time> timeout;               // fixed entry lifetime instead of the cycle
  bool accept_unsolicited = false;                // Linux arp_accept: a GARP may create entries
  GratuitousPolicy gratuitous = GratuitousPolicy::Update;  // what a GARP does to an existing entry
};

enum class ServiceDistribution : std::uint8_t { Constant, Uniform, Exponential };

// How long an HTTP server works on one request. Constant: `mean` always; exponential: mean
// `mean`; uniform: in [min, max].
struct ServiceTimeSpec {
  ServiceDistribution distribution = ServiceDistribution::Exponential;
  sim::Time mean = sim::Time::ms(10);
  std::optional<sim::Time> min;  // uniform only
  std::optional<sim::Time> max;  // uniform only
};

struct HttpServerSpec {
  std::uint16_t port = 80;
  ServiceTimeSpec service_time;
  std::uint32_t workers = 256;  // requests served at once (Apache prefork MaxRequestWorkers)
  std::uint32_t backlog = 511;  // connections waiting for a worker (Apache ListenBacklog)
};

enum class FilterProtocol : std::uint8_t { Tcp, Udp, Icmp, Any };
enum class FilterAction : std::uint8_t { Drop, Accept };

struct FilterRule {
  FilterProtocol protocol = FilterProtocol::Tcp;
  std::vector<std::uint16_t> ports;         // destination ports; empty = any
  std::optional<wire::Prefix> destination;  // unset = any
};

// A firewall's packet filter on forwarded datagrams (never on its own VRRP or ARP traffic):
// the first rule that matches allows; nothing matches -> default_action.
struct FilterSpec {
  std::vector<FilterRule> allow;
  FilterAction default_action = FilterAction::Drop;
};

struct NodeSpec {
  std::string name;
  std::string description;
  Role role = Role::Host;
  std::vector<InterfaceSpec> interfaces;
  std::vector<IfAddress> loopback;  // aliases on lo; 127.0.0.1/8 is always there
  std::vector<RouteSpec> routes;
  bool forwarding = false;  // resolved: configured, else true for firewall, router, internet
  ArpSpec arp;
  std::optional<HttpServerSpec> http_server;  // resolved: always set for role server
  std::optional<FilterSpec> filter;
  sim::Time vrrp_garp_send_time = sim::Time::zero();  // the VRRP daemon's time per GARP sent

  // The interface on `lan_index`, or kNone.
  std::size_t interface_on(std::size_t lan_index) const;
  std::size_t interface_named(std::string_view name) const;
};

// ---- VRRP -----------------------------------------------------------------------------------

// rfc5798: adverts from the virtual MAC, one gratuitous ARP per address on becoming master.
// keepalived: adverts from the interface's own MAC, the garp_* bursts, down_timer_adverts.
enum class VrrpMode : std::uint8_t { Rfc5798, Keepalived };

struct VrrpMemberSpec {
  std::string node;
  std::string interface;  // resolved: the node's interface on the group's LAN unless given
  std::uint8_t priority = 100;
  std::size_t node_index = kNone;
  std::size_t interface_index = kNone;
};

struct VrrpGroupSpec {
  std::string name;
  std::string description;
  std::uint8_t vrid = 1;
  std::string lan;
  std::size_t lan_index = kNone;
  std::vector<wire::Ipv4> virtual_addresses;
  std::vector<VrrpMemberSpec> members;
  std::uint8_t version = 3;
  sim::Time advert_interval = sim::Time::s(1);  // RFC 5798 6.1: 100 centiseconds
  bool preempt = true;                          // RFC 5798 6.1 Preempt_Mode
  sim::Time preempt_delay = sim::Time::zero();  // keepalived preempt_delay
  bool accept = false;                          // RFC 5798 6.1 Accept_Mode
  VrrpMode mode = VrrpMode::Rfc5798;
  std::uint32_t garp_master_repeat = 5;                 // keepalived VRRP_GARP_REP
  sim::Time garp_master_delay = sim::Time::s(5);        // keepalived VRRP_GARP_DELAY; 0 = no 2nd burst
  sim::Time garp_master_refresh = sim::Time::zero();    // keepalived; 0 = off
  std::uint32_t garp_master_refresh_repeat = 1;         // keepalived; GARPs per address per refresh
  std::optional<std::uint32_t> garp_lower_prio_repeat;  // keepalived; unset = garp_master_repeat
  std::optional<sim::Time> garp_lower_prio_delay;       // keepalived; unset = garp_master_delay
  bool higher_prio_send_advert = false;                 // keepalived; a yielding master adverts once
  bool lower_prio_no_advert = false;                    // keepalived; RFC 5798's silence
  sim::Time garp_interval = sim::Time::zero();          // keepalived vrrp_garp_interval; 0 = burst
  std::uint32_t down_timer_adverts = 3;                 // RFC 5798: 3
};

// ---- balancers ------------------------------------------------------------------------------

enum class RecoveryPolicy : std::uint8_t { Auto, Manual };
enum class SyncMode : std::uint8_t { Off, PerConnection, Batch };
enum class Scheduler : std::uint8_t { Manager, Rr, Wrr, Lc, Wlc };
enum class AdvisorKind : std::uint8_t { Http, Connect, Ping };

// IBM Network Dispatcher: "Heartbeats are sent ... every half second. If the standby ... fails
// to receive a heartbeat within 2 seconds, a failover begins" (REFERENCE.md 2.4).
struct HeartbeatSpec {
  sim::Time interval = sim::Time::ms(500);
  sim::Time timeout = sim::Time::s(2);
  std::vector<std::string> lans;  // resolved: the access LAN unless given
  std::vector<std::size_t> lan_indices;
};

// ND reach targets: each balancer pings them; the one that reaches more should be active.
struct ReachSpec {
  std::vector<wire::Ipv4> targets;
  sim::Time interval = sim::Time::s(1);
  sim::Time timeout = sim::Time::s(1);
};

// Connection-table sync from the active to the standby balancer, over the first heartbeat LAN.
struct SyncSpec {
  SyncMode mode = SyncMode::PerConnection;
  sim::Time batch_interval = sim::Time::ms(100);  // batch: how often a batch leaves
  std::uint32_t batch_max = 50;                   // batch: connections per message at most
  std::uint32_t bulk_rate = 96'000;               // entries/s of the whole-table transfer to a returning peer
};

// ND manager proportions, in percent, totalling 100 (ND 3.6 field help: 50/50/0/0).
struct ProportionsSpec {
  std::uint32_t active = 50;
  std::uint32_t new_connections = 50;
  std::uint32_t port = 0;    // the advisor's response time
  std::uint32_t system = 0;  // a system metric (not modelled yet: must be 0 to matter)
};

struct ManagerSpec {
  ProportionsSpec proportions;
  sim::Time interval = sim::Time::s(2);  // ND manager update interval
  double sensitivity = 5.0;              // percent: weights change only past this
  double smoothing = 1.5;                // ND smoothing index
  std::uint32_t weightbound = 20;        // ND: weights in [0, weightbound]
};

struct AdvisorSpec {
  bool enabled = true;
  AdvisorKind kind = AdvisorKind::Http;
  std::uint16_t port = 0;  // resolved: the cluster's first port unless given
  sim::Time interval = sim::Time::s(7);
  sim::Time connect_timeout = sim::Time::s(5);
  sim::Time receive_timeout = sim::Time::s(5);
  std::uint32_t retries = 0;  // a server is down after retries + 1 failed probes (ND)
};

struct ClusterServerSpec {
  std::string node;
  std::uint32_t weight = 10;  // ND: weightbound / 2
  std::size_t node_index = kNone;
};

struct ClusterSpec {
  std::string name;  // resolved: the address text unless given
  wire::Ipv4 address;
  std::vector<std::uint16_t> ports{80};
  Scheduler scheduler = Scheduler::Manager;
  ManagerSpec manager;
  AdvisorSpec advisor;
  std::vector<ClusterServerSpec> servers;
  sim::Time stale_timeout = sim::Time::s(300);  // ND staletimeout: idle connection entry dies
};

// One of the pair as the builder needs it: the node and its two interfaces.
struct PairMemberRef {
  std::size_t node_index = kNone;
  std::size_t access_interface = kNone;  // on access_lan
  std::size_t server_interface = kNone;  // on server_lan
};

struct BalancerPairSpec {
  std::string name;
  std::string description;
  std::string primary;
  std::string backup;
  std::string access_lan;  // the seed's Internet Access Subnet
  std::string server_lan;  // the seed's Network Server Access Subnet
  std::size_t access_lan_index = kNone;
  std::size_t server_lan_index = kNone;
  PairMemberRef members[2];  // [0] primary, [1] backup
  // The seed's NLBS IP address: held as an alias on the access interface by the active
  // balancer only. Unset = prior art (Figure 2): the active balancer holds the cluster
  // addresses themselves on its access interface.
  std::optional<wire::Ipv4> nlbs_address;
  HeartbeatSpec heartbeat;
  ReachSpec reach;
  RecoveryPolicy recovery = RecoveryPolicy::Auto;
  bool wait_for_sync = false;  // a recovering primary stays standby until its table is synced
  sim::Time sync_wait_limit = sim::Time::s(30);  // ... at most this long (0 = for ever)
  sim::Time preempt_delay = sim::Time::zero();   // a recovering primary stands by this long first
  SyncSpec sync;
  std::uint32_t garp_repeat = 1;  // gratuitous ARPs sent on becoming active
  sim::Time garp_interval = sim::Time::s(1);
  sim::Time garp_refresh = sim::Time::zero();  // 0 = off
  bool garp_on_peer_return = true;             // the active one re-announces when its peer returns
  std::vector<ClusterSpec> clusters;
};

// ---- traffic --------------------------------------------------------------------------------

enum class ArrivalProcess : std::uint8_t { Poisson, Fixed };

// HTTP clients opening connections to target:port. `rate` new connections per second for the
// whole entry; each arrival goes to the next client in turn (fixed) or a uniformly drawn one
// (poisson), which for a Poisson process is the same as one process per client at rate/N.
struct TrafficSpec {
  std::string name;
  std::vector<std::string> clients;         // as written: names or patterns with '*'
  std::vector<std::size_t> client_indices;  // resolved: the matching nodes, in node order
  wire::Ipv4 target;
  std::uint16_t port = 80;
  ArrivalProcess arrival = ArrivalProcess::Poisson;
  double rate = 10.0;
  sim::Time start = sim::Time::zero();
  std::optional<sim::Time> stop;  // unset = the end of the run
  std::uint64_t request_bytes = 300;
  std::uint64_t response_bytes = 10'000;
  bool keep_alive = false;
  std::uint32_t requests_per_connection = 1;
  sim::Time think_time = sim::Time::zero();  // between requests on one connection
  sim::Time request_timeout = sim::Time::s(10);
};

// ---- timeline -------------------------------------------------------------------------------

enum class FaultAction : std::uint8_t {
  Crash,          // node: power off, no goodbye
  Recover,        // node: boot again after a crash
  GracefulStop,   // node: stop its protocols politely (VRRP priority 0, HA release)
  Start,          // node: start again after a graceful stop
  LinkDown,       // node+interface, or a whole lan
  LinkUp,         // node+interface, or a whole lan
  HeartbeatLoss,  // pair: heartbeats between the balancers lost (for `duration`, or to the end)
  Freeze,         // node: a VM snapshot pause of `duration`; timers fire late
  SetLoss,        // node+interface (direction) or lan: frame loss probability from now on
  SlowServer,     // node: its HTTP service time becomes `service_time`
  AdminTakeover,  // pair: the operator tells the standby to take over
};

enum class LossDirection : std::uint8_t { Both, In, Out };

struct FaultSpec {
  std::string name;  // resolved: "crash lb1 at 20s" style unless given
  std::string description;
  sim::Time at;
  FaultAction action = FaultAction::Crash;
  std::string node, interface, lan, pair;  // which are used depends on the action
  std::optional<sim::Time> duration;
  std::optional<double> probability;
  LossDirection direction = LossDirection::Both;
  std::optional<ServiceTimeSpec> service_time;
  std::size_t node_index = kNone;
  std::size_t interface_index = kNone;
  std::size_t lan_index = kNone;
  std::size_t pair_index = kNone;
};

// ---- expectations ---------------------------------------------------------------------------

enum class Measure : std::uint8_t {
  PublicAddresses,     // count, static (the address audit)
  DetectionTime,       // time, per fault
  RecoveryTime,        // time, per fault: until the first datagram flows again
  ArpUpdateTime,       // time, per fault: until the firewalls' ARP entry points at the new active
  DatagramsLost,       // count, per fault
  ConnectionSurvival,  // share, per fault: connections open at the fault that completed
  ErrorRate,           // share of requests that failed
  ServerShare,         // share of connections given to `server`
  Imbalance,           // max/mean of per-server connections (>= 1)
  LatencyP50,          // time
  LatencyP99,          // time
  CompletedRequests,   // count
  OutageTime,          // time, per fault: longest time no cluster datagram reached a server
  Takeovers,           // count, per fault: balancers becoming active, routers becoming master
  DualMasterTime,      // time, per fault: two masters of one VRRP group, or two active balancers
};

enum class MeasureKind : std::uint8_t { Count, Time, Share, Ratio };
MeasureKind measure_kind(Measure m);
bool measure_needs_fault(Measure m);
bool measure_needs_server(Measure m);

// A named bound on one measure of the run: the run fails (exit 1) when it does not hold.
// Time measures use min_time/max_time, the others min/max; equals sets both.
struct ExpectationSpec {
  std::string name;
  Measure measure = Measure::PublicAddresses;
  std::string fault;   // a timeline entry's name, for per-fault measures
  std::string server;  // a node, for server_share
  std::optional<double> min, max;
  std::optional<sim::Time> min_time, max_time;
  std::size_t fault_index = kNone;
  std::size_t server_index = kNone;
};

// ---- real time ------------------------------------------------------------------------------

// Pacing the run to the wall clock (sim::RealtimeConfig): needed by external nodes, allowed
// without them (a paced replay). The lag settings are wall-clock durations.
struct RealtimeSpec {
  std::uint32_t speed_num = 1;  // simulated time runs speed_num/speed_den times the wall clock
  std::uint32_t speed_den = 1;
  sim::Time late_threshold = sim::Time::ms(1);  // an event started later than this counts as late
  std::optional<sim::Time> max_lag;             // ns-3's hard limit: the run stops past this lag
  sim::Time spin = sim::Time::zero();           // poll the clock this long before an event
};

// ---- the whole scenario ---------------------------------------------------------------------

struct Scenario {
  std::string name;  // resolved: the file's stem unless given
  std::string description;
  std::uint64_t seed = 1;
  sim::Time duration = sim::Time::s(60);
  std::vector<LanSpec> lans;
  std::vector<NodeSpec> nodes;
  std::vector<VrrpGroupSpec> vrrp_groups;
  std::vector<BalancerPairSpec> balancer_pairs;
  std::vector<TrafficSpec> traffic;
  std::vector<FaultSpec> timeline;
  std::vector<ExpectationSpec> expectations;
  std::optional<RealtimeSpec> realtime;

  std::string file;                // the scenario file as given
  std::vector<std::string> files;  // every file read (extends, include), in order

  std::size_t node_index(std::string_view name) const;  // kNone when absent
  std::size_t lan_index(std::string_view name) const;
  std::size_t pair_index(std::string_view name) const;
  // Whether a node has role external: the run is then real time and needs its interfaces.
  bool has_external_nodes() const;
};

// Text forms used by the format (and by reports): "firewall", "rfc5798", "per-connection", ...
std::string_view to_string(LanKind v);
std::string_view to_string(Role v);
std::string_view to_string(ServiceDistribution v);
std::string_view to_string(FilterProtocol v);
std::string_view to_string(FilterAction v);
std::string_view to_string(VrrpMode v);
std::string_view to_string(GratuitousPolicy v);
std::string_view to_string(RecoveryPolicy v);
std::string_view to_string(SyncMode v);
std::string_view to_string(Scheduler v);
std::string_view to_string(AdvisorKind v);
std::string_view to_string(ArrivalProcess v);
std::string_view to_string(FaultAction v);
std::string_view to_string(LossDirection v);
std::string_view to_string(Measure v);

}  // namespace nlb::runner
