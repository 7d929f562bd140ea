#pragma once
// One Network Load Balancer of the seed's redundant pair. The role composes the protocol
// layer's sans-IO machines with the node's stack:
//
// - HA (protocols::BalancerHa, the seed's initial / active / standby / inop): heartbeats in UDP
//   8849 to the peer on every configured path, reach targets pinged (ICMP echo) and fed to the
//   machine, and the transitions' code: becoming active adds the NLBS address as an alias of the
//   interface on the Internet Access Subnet and broadcasts a gratuitous ARP request there;
//   standby or inop removes it (the seed, "Switch from a Network Load Balancer to an other").
//   With no NLBS address (prior art, Figure 2) the active balancer holds the cluster addresses
//   themselves on its access interface instead.
// - Dispatcher, in the host's ingress hook: a datagram for a cluster address and service port
//   is looked up in the connection table (an existing connection keeps its server) or given to
//   the scheduler (a new one: TCP SYN, or any UDP datagram), then forwarded by rewriting ONLY
//   the Ethernet addresses — destination = the server's MAC (ARP on the server subnet), source
//   = our server-side NIC's, which any frame leaving that NIC carries — with the IP header
//   untouched, TTL included (the seed: "modifies only the MAC ... address"; Linux IPVS DR
//   decrements the TTL, the seed's balancer does not).
// - Connection-table sync to the standby (off / per connection / batch), in UDP 8849; the
//   standby applies what it receives.
// - Advisors: an HTTP GET (or a TCP connect) to each server's private address, timed; a server
//   marked down gets no new connection.
//
// Everything volatile (HA state, table, weights, advisors) is lost in a crash and starts from
// scratch when the node boots again.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/apps/ping.hpp"
#include "models/nodes/node.hpp"
#include "models/protocols/advisor.hpp"
#include "models/protocols/balancer_ha.hpp"
#include "models/protocols/conn_sync.hpp"
#include "models/protocols/conn_table.hpp"
#include "models/protocols/dispatcher.hpp"
#include "models/transport/udp.hpp"
#include "models/wire/ha.hpp"

namespace nlb::nodes {

inline constexpr const char* kDropNotActive = "not-active";  // cluster traffic at a non-active balancer
inline constexpr const char* kDropNoServer = "no-server";    // every server down
inline constexpr const char* kDropUnknownConn = "unknown-connection";  // non-SYN of no known connection
inline constexpr const char* kDropNoService = "no-service";            // a cluster address, another port
inline constexpr const char* kDropHeartbeatPath = "heartbeat-path-down";

enum class SyncMode : std::uint8_t {
  Off,            // the standby learns nothing: connections break on failover
  PerConnection,  // each new connection and each state change, sent at once
  Batch,          // IPVS's rule (third packet, state changes), sent in batches after batch_delay
};
const char* to_string(SyncMode m);

// What the balancer does with a TCP segment that is not a SYN and belongs to no connection it
// knows (after a takeover without sync): give it to the scheduler like a new connection, as
// IPVS with sloppy_tcp does (the server then answers RST: the break is visible), or drop it.
enum class UnknownSegments : std::uint8_t { Forward, Drop };

enum class ProbeKind : std::uint8_t { HttpGet, TcpConnect };

// A cluster address with its service ports and its dispatcher.
struct ClusterService {
  wire::Ipv4 address;
  std::vector<std::uint16_t> ports{80};
  protocols::DispatcherConfig dispatcher;
  std::vector<unsigned> weights;  // per balancer server; empty: each server's own weight
};

struct BalancedServer {
  wire::Ipv4 address;  // its private address on the Network Server Access Subnet
  unsigned weight = 10;
};

// ND reach targets: pinged every interval; a reply within `timeout` counts as reached.
struct ReachConfig {
  std::vector<wire::Ipv4> targets;
  Time interval = Time::s(1);
  Time timeout = Time::s(1);
};

struct SyncConfig {
  SyncMode mode = SyncMode::PerConnection;
  Time batch_delay = Time::s(2);                      // Batch: IPVS_SYNC_FLUSH_TIME
  std::size_t batch_max = wire::ha::kMaxSyncEntries;  // connections per message (<= 60)
  // Entries per second of a bulk transfer (the whole table to a standby that reports Not
  // Synchronized), in messages of batch_max entries: a returning primary's catch-up takes its
  // table size over this.
  std::uint32_t bulk_rate = 96'000;
};

struct ProbeConfig {
  bool enabled = true;
  ProbeKind kind = ProbeKind::HttpGet;
  std::uint16_t port = 80;
  protocols::AdvisorConfig advisor;
};

struct BalancerConfig {
  net::HostConfig host;
  transport::TcpConfig tcp;
  std::string access_iface = "eth0";  // on the Internet Access Subnet
  std::string server_iface = "eth1";  // on the Network Server Access Subnet
  // ha.nlbs_address unspecified: prior art (Figure 2). ha.own_address: the access address
  // unless set.
  protocols::HaConfig ha;
  // The peer's address on each heartbeat path (the first should be its access address).
  std::vector<wire::Ipv4> peer_addresses;
  std::vector<ClusterService> clusters;
  std::vector<BalancedServer> servers;
  ReachConfig reach;
  SyncConfig sync;
  protocols::ConnTableConfig table;  // its sync rule is set from `sync`
  ProbeConfig probe;
  UnknownSegments unknown_segments = UnknownSegments::Forward;
};

struct BalancerCounters {
  std::uint64_t dispatched = 0;       // datagrams forwarded to a server
  std::uint64_t new_connections = 0;  // of which the scheduler chose the server
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_received = 0;
  std::uint64_t sync_messages_sent = 0;
  std::uint64_t sync_messages_received = 0;
  std::uint64_t not_active_drops = 0;
};

class Balancer final : public Node, private transport::UdpReceiver {
 public:
  Balancer(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name, BalancerConfig cfg);
  ~Balancer() override;

  const BalancerConfig& config() const { return cfg_; }
  wire::HaState ha_state() const { return ha_->state(); }
  const protocols::BalancerHa& ha() const { return *ha_; }
  const protocols::ConnTable& table() const { return *table_; }
  const protocols::Dispatcher& dispatcher(std::size_t cluster) const { return *dispatchers_[cluster]; }
  bool forwarding() const { return forwarding_; }
  IfIndex access_iface() const { return access_; }
  IfIndex server_iface() const { return server_side_; }
  // The addresses the active balancer holds on its access interface: the NLBS address, or the
  // cluster addresses in the prior art.
  const std::vector<wire::Ipv4>& front_addresses() const { return front_; }
  // The advisor's verdict on server s (true when probing is off).
  bool server_up(protocols::ServerId s) const;
  const BalancerCounters& counters() const { return counters_; }

  // The operator's takeover (ND `dscontrol highavailability takeover`), on a standby.
  void takeover();
  // Heartbeats on path k (an index into peer_addresses) are lost both ways while down.
  void set_heartbeat_path(std::size_t k, bool up);
  bool heartbeat_path_up(std::size_t k) const { return path_up_[k]; }

  std::vector<DynamicAddress> dynamic_addresses() const override;

 protected:
  void on_boot() override;
  void on_crash() override;
  void on_stop() override;

 private:
  struct Advised;
  struct Probe;
  struct Reach;

  // lifecycle and HA (balancer.cpp)
  void resolve_interfaces();
  void make_volatile_state();
  void stop_everything();
  void run_ha(const protocols::BalancerHa::Actions& actions);
  void hold_front(bool on);
  void on_arp(IfIndex i, const wire::Arp& a);
  void send_heartbeat(const wire::HaHeartbeat& hb);
  void on_datagram(Time now, const transport::UdpDatagram& d) override;
  void on_heartbeat(const transport::UdpDatagram& d, std::size_t path);
  void on_sync(const transport::UdpDatagram& d);
  void flush_sync();
  void rearm_sync();
  std::size_t path_of(wire::Ipv4 local) const;
  // dispatching (balancer_dispatch.cpp)
  bool on_ingress(const net::RxDatagram& d);
  int cluster_of(wire::Ipv4 dst) const;
  bool dispatch(const net::RxDatagram& d, std::size_t cluster);
  void after_update(const protocols::ConnTable::Update& u);
  void forward(const net::RxDatagram& d, std::size_t cluster, protocols::ServerId s, bool created);
  void on_manager_timer();
  void rearm_manager();
  void on_expire_timer();
  void publish_weights(std::size_t cluster);
  // health (balancer_health.cpp)
  void start_health();
  void stop_health();
  void run_advisor(protocols::ServerId s, const protocols::ServerAdvisor::Actions& actions);
  void send_probe(protocols::ServerId s, std::uint32_t id);
  void probe_result(protocols::ServerId s, std::uint32_t id, bool ok);
  void on_reach_timer();
  void report_reach();

  BalancerConfig cfg_;
  bool prior_art_ = false;  // no NLBS address: the cluster addresses are the front (Figure 2)
  IfIndex access_ = link::kNoIface;
  IfIndex server_side_ = link::kNoIface;
  std::vector<wire::Ipv4> front_;
  std::vector<wire::Ipv4> server_ips_;
  std::vector<wire::Ipv4> path_local_;  // our address on each heartbeat path
  std::vector<bool> path_up_;
  transport::UdpSocket* socket_ = nullptr;

  std::optional<protocols::BalancerHa> ha_;
  std::optional<protocols::ConnTable> table_;
  std::vector<std::unique_ptr<protocols::Dispatcher>> dispatchers_;
  std::optional<protocols::ConnSyncSender> sync_out_;
  protocols::ConnSyncReceiver sync_in_;
  std::vector<std::unique_ptr<Advised>> advisors_;
  std::vector<std::unique_ptr<Probe>> probes_;  // kept until their connection is over
  std::uint64_t epoch_ = 0;                     // bumped whenever the advisors start afresh
  std::unique_ptr<Reach> reach_;
  bool forwarding_ = false;
  bool front_held_ = false;

  RoleTimer ha_timer_;
  RoleTimer sync_timer_;
  RoleTimer manager_timer_;
  RoleTimer expire_timer_;
  RoleTimer reach_timer_;
  BalancerCounters counters_;
};

}  // namespace nlb::nodes
