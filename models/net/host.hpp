#pragma once
// An IPv4 node: its interfaces (NICs and loopback), one ARP table per NIC, its routing table,
// and IPv4 send, receive and forward (DESIGN.md, "The data path"). Every node of a scenario is
// a Host; roles (client, firewall, balancer, server) add behaviour on top of it through the
// hooks below, never by copying the stack.
//
// Receive: a NIC hands up an accepted frame. ARP goes to the interface's ARP table (RFC 826
// merge rule) and is answered only for addresses configured on that interface (Linux
// arp_ignore=1: never for the loopback's). IPv4 is checked (version, lengths, header
// checksum), offered to the ingress hook (the balancer's dispatcher), then delivered locally
// when its destination is any address of the node (aliases and loopback included), a
// broadcast, or a multicast group joined on that interface; forwarded when the node is a
// router (TTL decremented in place, RFC 1624); dropped with a reason otherwise.
//
// Send: route lookup (longest prefix), source selection, ARP resolution (datagrams wait in the
// ARP table's bounded queue), then the NIC. Transport protocols write their header and payload
// straight into the frame: prepare() reserves the room and tells them the chosen source and
// destination, so they can compute their pseudo-header checksum before send().
//
// Every drop goes through drop(): it publishes link::FrameDropped with the reason and counts it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/link/device.hpp"
#include "models/link/frame.hpp"
#include "models/link/ids.hpp"
#include "models/link/ring.hpp"
#include "models/net/arp_cache.hpp"
#include "models/net/interface_table.hpp"
#include "models/net/routing_table.hpp"
#include "models/wire/addr.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/ipv4.hpp"
#include "sim/simulation.hpp"

namespace nlb::net {

using link::NodeId;

struct HostConfig {
  bool forwarding = false;  // a router (net.ipv4.ip_forward=1)
  std::uint8_t default_ttl = wire::ipv4::kDefaultTtl;
  // A router answers a datagram it cannot forward with ICMP Time Exceeded or Destination
  // Unreachable (RFC 1812 4.3.3; never about an ICMP error, a broadcast or a multicast).
  bool icmp_errors = true;
  ArpConfig arp;
};

// A received IPv4 datagram, as handed to the ingress hook and to protocol handlers. Valid only
// during the call; keep `frame` to hold on to the bytes.
struct RxDatagram {
  IfIndex iface = kNoIface;  // where it arrived (the loopback's or owner's for local traffic)
  const link::FrameRef* frame = nullptr;
  wire::Ipv4View ip;              // header checked, checksum verified
  wire::Bytes payload;            // the real transport bytes (no Ethernet padding)
  std::uint32_t virtual_len = 0;  // virtual zero bytes after `payload`
  wire::Mac src_mac;
  wire::Mac dst_mac;
  bool link_broadcast = false;  // arrived as an Ethernet broadcast or multicast

  wire::Ipv4 src() const { return ip.src(); }
  wire::Ipv4 dst() const { return ip.dst(); }
  wire::IpProto protocol() const { return ip.protocol(); }
  // Bytes of the transport message, virtual included (what UDP/TCP lengths count).
  std::size_t payload_len() const { return payload.size() + virtual_len; }
};

// What a datagram should look like; unset fields are chosen by the host.
struct Ipv4Send {
  wire::Ipv4 dst;
  wire::IpProto proto = wire::IpProto::Udp;
  wire::Ipv4 src;            // 0.0.0.0: chosen from the route (Linux source selection)
  IfIndex iface = kNoIface;  // set: out of this interface, dst on its link, no route lookup
                             // (SO_BINDTODEVICE: VRRP adverts, heartbeats, gratuitous traffic)
  std::uint8_t ttl = 0;      // 0: the host's default TTL
  std::uint8_t dscp = 0;
  bool dont_fragment = true;  // nothing is ever fragmented; DF says so on the wire
};

// Where a datagram to some destination would go.
struct RouteChoice {
  IfIndex iface = kNoIface;
  wire::Ipv4 next_hop;
  wire::Ipv4 src;
  bool local = false;  // the destination is this node: delivered through the loopback
};

// A datagram being built: the IPv4 header is written; the transport writes payload().
class OutDatagram {
 public:
  wire::Ipv4 src() const { return src_; }
  wire::Ipv4 dst() const { return dst_; }
  // The real transport bytes to fill (header first), inside the frame.
  wire::MutBytes payload() { return payload_; }
  std::uint32_t virtual_len() const { return frame_ ? frame_->virtual_len : 0; }
  const link::FrameRef& frame() const { return frame_; }
  // Null when it can be sent; else the reason send() will drop it for.
  const char* failure() const { return fail_; }

 private:
  friend class Host;
  link::FrameRef frame_;
  wire::MutBytes payload_;
  wire::Ipv4 src_;
  wire::Ipv4 dst_;
  RouteChoice route_;
  const char* fail_ = nullptr;
};

struct HostCounters {
  std::uint64_t ip_received = 0;  // datagrams that passed the header checks
  std::uint64_t delivered = 0;    // handed to a protocol handler
  std::uint64_t forwarded = 0;
  std::uint64_t consumed = 0;  // taken by the ingress hook
  std::uint64_t sent = 0;      // datagrams this node originated and handed on
  std::uint64_t arp_received = 0;
  std::uint64_t arp_sent = 0;
};

class Host {
 public:
  using ProtocolHandler = std::function<void(const RxDatagram&)>;
  // Returns true when it consumed the datagram (then it is neither delivered nor forwarded).
  using IngressHook = std::function<bool(const RxDatagram&)>;
  // What the stack still does with an ARP packet after a hook saw it.
  enum class ArpVerdict : std::uint8_t {
    Continue,  // learn from it (RFC 826) and answer it as usual
    NoReply,   // learn from it, but the hook answered (a VRRP master replies with its virtual MAC)
    Drop,      // ignore it altogether
  };
  using ArpHook = std::function<ArpVerdict(IfIndex iface, const wire::Arp& arp)>;
  using StateListener = std::function<void(bool up)>;

  Host(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name, HostConfig config = {});
  virtual ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  NodeId id() const { return id_; }
  const std::string& name() const { return name_; }
  const HostConfig& config() const { return config_; }
  sim::Simulation& sim() const { return sim_; }
  link::FramePool& pool() const { return pool_; }
  void set_forwarding(bool on) { config_.forwarding = on; }

  // --- interfaces -------------------------------------------------------------------------
  // A NIC with this MAC (attach it to a LAN with Lan::attach(host.device(i)), or use
  // Network::connect).
  IfIndex add_interface(std::string name, wire::Mac mac);
  IfIndex add_loopback(std::string name = "lo");
  const InterfaceTable& interfaces() const { return ifaces_; }
  link::Device& device(IfIndex i);
  const link::Device& device(IfIndex i) const;
  std::optional<IfIndex> interface(std::string_view name) const { return ifaces_.find(name); }
  wire::Mac mac(IfIndex i) const;
  // `ip link set dev X up/down`: a down interface sends and receives nothing, and its ARP
  // table is emptied.
  void set_interface_up(IfIndex i, bool up);

  // Adds an address (primary, or an alias) and its subnet's direct route (not for /32 or the
  // loopback). Publishes AddressChanged. False if it was already there.
  bool add_address(IfIndex i, wire::Ipv4 addr, std::uint8_t prefix_len, bool alias = false);
  bool remove_address(IfIndex i, wire::Ipv4 addr);
  bool is_local(wire::Ipv4 addr) const { return ifaces_.is_local(addr); }

  // IP multicast membership on an interface (its NIC joins the matching MAC group).
  void join_group(IfIndex i, wire::Ipv4 group);
  void leave_group(IfIndex i, wire::Ipv4 group);
  bool in_group(IfIndex i, wire::Ipv4 group) const;
  // RFC 1112 6.4: 01:00:5e + the low 23 bits of the group.
  static wire::Mac multicast_mac(wire::Ipv4 group);

  // --- routing ----------------------------------------------------------------------------
  RoutingTable& routes() { return routes_; }
  const RoutingTable& routes() const { return routes_; }
  void add_route(wire::Prefix dest, wire::Ipv4 gateway, IfIndex iface = kNoIface, std::uint32_t metric = 0);
  void add_default_route(wire::Ipv4 gateway, IfIndex iface = kNoIface);
  // Where a datagram to dst would leave, and its source address; nullopt: no route.
  std::optional<RouteChoice> route_to(wire::Ipv4 dst) const;

  // --- ARP --------------------------------------------------------------------------------
  ArpCache& arp(IfIndex i);
  const ArpCache& arp(IfIndex i) const;
  // Hooks see every ARP packet accepted by a NIC before the stack does, in the order they
  // were added; the first verdict other than Continue decides.
  void add_arp_hook(ArpHook hook) { arp_hooks_.push_back(std::move(hook)); }
  // Sends an ARP packet from interface i to `dst` (broadcast when zero/unset).
  bool send_arp(IfIndex i, const wire::Arp& arp, wire::Mac dst = wire::Mac::broadcast());
  // Broadcasts a gratuitous ARP for addr with this interface's MAC (or `mac`, e.g. a VRRP
  // virtual MAC): an RFC 5227 announcement (request form) or the RFC 5944 reply form.
  enum class GarpForm : std::uint8_t { Request, Reply };
  bool send_gratuitous_arp(IfIndex i, wire::Ipv4 addr, GarpForm form = GarpForm::Request,
                           std::optional<wire::Mac> mac = std::nullopt);
  // The reply a host sends to an ARP packet received on interface i, if any: a request for
  // an address configured on i itself (arp_ignore=1), answered with `mac`. A pure function.
  static std::optional<wire::Arp> arp_reply(const InterfaceTable& ifaces, IfIndex i, wire::Mac mac,
                                            const wire::Arp& request);

  // --- IPv4 -------------------------------------------------------------------------------
  // Builds the frame for a datagram with `real_len` transport bytes (written by the caller
  // into payload()) and `virtual_len` virtual ones; routes it and picks its source.
  OutDatagram prepare(const Ipv4Send& spec, std::size_t real_len, std::uint32_t virtual_len = 0);
  // Sends a prepared datagram. False if it was dropped at once (no route, down, too big, ARP
  // queue full); true if it left or waits for ARP resolution.
  bool send(OutDatagram&& d);
  // prepare() + copy the payload + send().
  bool send(const Ipv4Send& spec, wire::Bytes payload, std::uint32_t virtual_len = 0);

  // Registers the handler of an IP protocol number (one per protocol; a second replaces it).
  void on_protocol(wire::IpProto proto, ProtocolHandler handler);
  // Ingress hooks run in the order they were added until one consumes the datagram.
  void add_ingress_hook(IngressHook hook) { ingress_hooks_.push_back(std::move(hook)); }
  // Sends a frame (an IPv4 datagram received, typically) out of interface i to MAC dst,
  // rewriting the destination MAC and, unless keep_src, the source MAC to the interface's.
  // The IP header is left untouched: the balancer's forwarding (seed, "DATA FLOWS").
  bool send_frame(IfIndex i, link::FrameRef frame, wire::Mac dst, bool keep_src = false);

  // --- node state -------------------------------------------------------------------------
  // A crashed node (up = false) drops everything ("node-down"), its ARP tables are emptied
  // and its timers stopped; coming back it starts with empty ARP tables. Listeners (the
  // transport, the roles) stop and restart their own timers.
  void set_up(bool up);
  bool up() const { return up_; }
  void on_state_change(StateListener listener) { state_listeners_.push_back(std::move(listener)); }

  // --- drops and counters -----------------------------------------------------------------
  // The one way a node drops a frame: publishes link::FrameDropped and counts the reason.
  void drop(IfIndex iface, const link::FrameRef& frame, const char* reason);
  std::uint64_t drops(std::string_view reason) const;
  std::uint64_t total_drops() const;
  // (reason, count) in the order reasons first occurred.
  const std::vector<std::pair<const char*, std::uint64_t>>& drop_counts() const { return drops_; }
  const HostCounters& counters() const { return counters_; }

 protected:
  // The frame path, for roles that need to intervene (a firewall's filter).
  virtual void receive_frame(IfIndex iface, const link::FrameRef& frame);
  virtual void receive_ipv4(IfIndex iface, const link::FrameRef& frame, wire::Bytes packet);
  virtual void receive_arp(IfIndex iface, const link::FrameRef& frame, wire::Bytes packet);
  void deliver(const RxDatagram& d);
  void forward(const RxDatagram& d);
  // Fills the Ethernet header (dst via ARP) and hands the frame to the interface's NIC. False
  // if it was dropped at once; true if it left or waits for ARP (or ARP dropped it: see send()).
  bool output(IfIndex iface, wire::Ipv4 next_hop, link::FrameRef frame);

 private:
  struct Port;  // per interface: the NIC, its ARP table, multicast groups
  class ArpOutput;

  bool transmit(IfIndex iface, link::FrameRef frame, wire::Mac dst);
  void loop_back(link::FrameRef frame);
  void on_loopback();
  void send_icmp_error(const RxDatagram& d, std::uint8_t type, std::uint8_t code);
  void publish_address(IfIndex i, const IfAddress& a, bool added);
  Port& port(IfIndex i) { return *ports_[i]; }
  const Port& port(IfIndex i) const { return *ports_[i]; }

  sim::Simulation& sim_;
  link::FramePool& pool_;
  NodeId id_;
  std::string name_;
  HostConfig config_;
  bool up_ = true;
  InterfaceTable ifaces_;
  RoutingTable routes_;
  std::vector<std::unique_ptr<Port>> ports_;  // parallel to ifaces_
  std::vector<std::pair<std::uint8_t, ProtocolHandler>> handlers_;
  std::vector<IngressHook> ingress_hooks_;
  std::vector<ArpHook> arp_hooks_;
  std::vector<StateListener> state_listeners_;
  link::Ring<link::FrameRef> loopback_queue_;  // local traffic, delivered one event later
  sim::Timer loopback_timer_;
  std::uint16_t next_ident_ = 0;
  std::vector<std::pair<const char*, std::uint64_t>> drops_;
  std::uint64_t drop_total_ = 0;
  HostCounters counters_;
};

}  // namespace nlb::net
