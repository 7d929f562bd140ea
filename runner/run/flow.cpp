#include "runner/run/flow.hpp"

#include <algorithm>

#include "models/link/trace_events.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"

namespace nlb::run {

using sim::Time;
using wire::Ipv4;

namespace {

// The IPv4 datagram and TCP segment of a frame, when it carries one.
struct Tcp {
  wire::EthernetView eth;
  wire::Ipv4View ip;
  wire::TcpView tcp;
};

std::optional<Tcp> tcp_of(const link::Frame& f) {
  auto eth = wire::EthernetView::checked(f.bytes());
  if (!eth || eth->ethertype() != wire::EtherType::Ipv4) return std::nullopt;
  auto ip = wire::Ipv4View::checked(eth->payload(), f.virtual_len);
  if (!ip || ip->protocol() != wire::IpProto::Tcp) return std::nullopt;
  auto tcp = wire::TcpView::checked(ip->payload());
  if (!tcp) return std::nullopt;
  return Tcp{*eth, *ip, *tcp};
}

std::optional<wire::Arp> arp_of(const link::Frame& f) {
  auto eth = wire::EthernetView::checked(f.bytes());
  if (!eth || eth->ethertype() != wire::EtherType::Arp) return std::nullopt;
  auto arp = wire::Arp::parse(eth->payload());
  if (!arp) return std::nullopt;
  return *arp;
}

}  // namespace

FlowRecorder::FlowRecorder(sim::Simulation& sim, const runner::Scenario& s, const Built& built)
    : s_(s), b_(built) {
  auto& t = sim.trace();
  t.subscribe<link::FrameSent>([this](const link::FrameSent& e) {
    if (!f_.done && e.frame) on_sent(e.at, e.node, e.iface, *e.frame);
  });
  t.subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
    if (f_.started && !f_.done && e.frame) on_received(e.at, e.node, *e.frame);
  });
  t.subscribe<nodes::Dispatched>([this](const nodes::Dispatched& e) {
    if (!f_.started || f_.done || f_.dispatched || !e.new_connection) return;
    f_.dispatched = true;
    f_.dispatch_at = e.at;
    f_.balancer = name(e.node);
    const std::size_t srv = b_.server_of(e.server_address);
    f_.server = srv == runner::kNone ? e.server_address.str() : s_.nodes[srv].name;
  });
  t.subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) {
    if (!f_.started || f_.done || name(e.node) != f_.client || e.record.local_port != f_.client_port) return;
    f_.done = true;
    f_.outcome = apps::to_string(e.record.outcome);
    f_.latency = e.record.latency();
  });
}

bool FlowRecorder::is_role(link::NodeId node, runner::Role role) const {
  return node < s_.nodes.size() && s_.nodes[node].role == role;
}

const std::string& FlowRecorder::name(link::NodeId node) const {
  static const std::string none = "?";
  return node < s_.nodes.size() ? s_.nodes[node].name : none;
}

bool FlowRecorder::is_front(Ipv4 a) const {
  return std::find(b_.front.begin(), b_.front.end(), a) != b_.front.end();
}
bool FlowRecorder::is_cluster(Ipv4 a) const {
  return std::find(b_.clusters.begin(), b_.clusters.end(), a) != b_.clusters.end();
}

void FlowRecorder::on_sent(Time at, link::NodeId node, link::IfIndex iface, const link::Frame& frame) {
  if (!f_.started) {
    // The first SYN a client sends to a cluster address opens the flow.
    if (!is_role(node, runner::Role::Client) && !is_role(node, runner::Role::Host)) return;
    auto t = tcp_of(frame);
    if (!t || !is_cluster(t->ip.dst()) || !t->tcp.flags().syn() || t->tcp.flags().ack()) return;
    f_.started = true;
    f_.start = at;
    f_.client = name(node);
    f_.client_ip = t->ip.src();
    f_.client_port = t->tcp.src_port();
    f_.cluster = t->ip.dst();
    f_.cluster_port = t->tcp.dst_port();
    return;
  }
  if (auto arp = arp_of(frame)) {
    if (arp->op == wire::ArpOp::Request && is_front(arp->tpa) && !arp->is_gratuitous() && !f_.arp_request) {
      f_.arp_request = true;
      f_.arp_at = at;
      f_.arp_by = name(node);
      f_.front = arp->tpa;
    } else if (arp->op == wire::ArpOp::Reply && is_front(arp->spa) && f_.arp_request &&
               arp->spa == f_.front) {
      if (!f_.arp_reply) {
        f_.arp_reply = true;
        f_.reply_at = at;
        f_.replied_by = name(node);
        f_.replied_mac = arp->sha;
      } else if (name(node) != f_.replied_by) {
        ++f_.other_replies;
      }
    }
    return;
  }
  auto t = tcp_of(frame);
  if (!t) return;
  if (name(node) == f_.client && t->tcp.src_port() == f_.client_port && t->tcp.flags().syn() &&
      !t->tcp.flags().ack() && t->ip.dst() == f_.cluster)
    ++f_.syn_retransmissions;
  const bool ours_in =
      t->ip.src() == f_.client_ip && t->tcp.src_port() == f_.client_port && t->ip.dst() == f_.cluster;
  if (ours_in && f_.dispatched && !f_.rewritten && name(node) == f_.balancer && t->tcp.flags().syn()) {
    // The SYN leaving the balancer toward the server: compare with what came in.
    const auto* b = static_cast<const nodes::Balancer*>(b_.nodes[node]);
    if (iface != b->server_iface()) return;
    f_.rewritten = true;
    f_.out_src = t->eth.src();
    f_.out_dst = t->eth.dst();
    f_.ttl_out = t->ip.ttl();
    const auto bytes = frame.bytes();
    f_.only_mac = syn_in_node_ == node && syn_in_.size() == bytes.size() &&
                  std::equal(bytes.begin() + 12, bytes.end(), syn_in_.begin() + 12);
    return;
  }
  const bool ours_out =
      t->ip.src() == f_.cluster && t->ip.dst() == f_.client_ip && t->tcp.dst_port() == f_.client_port;
  if (ours_out && !f_.replied && is_role(node, runner::Role::Server)) {
    f_.replied = true;
    f_.server_reply_at = at;
    f_.reply_dst = t->eth.dst();
    reply_frame_ = frame.id;
    if (auto r = b_.nodes[node]->route_to(f_.client_ip)) f_.reply_gateway = r->next_hop;
  }
}

void FlowRecorder::on_received(Time, link::NodeId node, const link::Frame& frame) {
  auto t = tcp_of(frame);
  if (!t) return;
  const bool balancer = is_role(node, runner::Role::Balancer);
  if (balancer && syn_in_.empty() && t->ip.src() == f_.client_ip && t->tcp.src_port() == f_.client_port &&
      t->tcp.flags().syn()) {
    syn_in_.assign(frame.bytes().begin(), frame.bytes().end());
    syn_in_node_ = node;
    f_.in_src = t->eth.src();
    f_.in_dst = t->eth.dst();
    f_.ttl_in = t->ip.ttl();
  }
  const bool ours_out =
      t->ip.src() == f_.cluster && t->ip.dst() == f_.client_ip && t->tcp.dst_port() == f_.client_port;
  if (!ours_out) return;
  if (balancer) f_.through_balancer = true;
  if (frame.id == reply_frame_ && f_.reply_next_hop.empty()) f_.reply_next_hop = name(node);
}

}  // namespace nlb::run
