#include "models/transport/transport_host.hpp"

#include <cstring>
#include <string>

#include "models/link/trace_events.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"

namespace nlb::transport {

namespace drop {
// Drop reasons of the transport (static strings, as link::drop's).
inline constexpr const char* kBadChecksum = "bad-checksum";
inline constexpr const char* kNoPort = "no-port";  // UDP to a port nobody bound
}  // namespace drop

namespace {

std::string isn_stream_name(const net::Host& host, std::string_view given) {
  return given.empty() ? host.name() + "/tcp-isn" : std::string(given);
}

const char* reason_for(const wire::WireError& e) {
  return std::string_view(e.what) == "bad checksum" ? drop::kBadChecksum : link::drop::kMalformed;
}

}  // namespace

TransportHost::TransportHost(net::Host& host, const TcpConfig& tcp, std::string_view isn_stream)
    : host_(host),
      driver_(host.sim(), tcp, host.sim().rng().stream(isn_stream_name(host, isn_stream)), *this),
      udp_(*this, tcp.ephemeral_first, tcp.ephemeral_last) {
  driver_.stack().set_trace(&host.sim().trace(), host.id());
  host_.on_protocol(wire::IpProto::Tcp, [this](const net::RxDatagram& d) { on_tcp(d); });
  host_.on_protocol(wire::IpProto::Udp, [this](const net::RxDatagram& d) { on_udp(d); });
  host_.on_protocol(wire::IpProto::Icmp, [this](const net::RxDatagram& d) { on_icmp(d); });
  host_.on_state_change([this](bool up) { on_state(up); });
}

TransportHost::~TransportHost() {
  // The host may outlive us: leave it no handler that points here.
  host_.on_protocol(wire::IpProto::Tcp, nullptr);
  host_.on_protocol(wire::IpProto::Udp, nullptr);
  host_.on_protocol(wire::IpProto::Icmp, nullptr);
}

void TransportHost::on_state(bool up) {
  // A crashed kernel keeps no connection; coming back, it starts with none.
  if (!up) driver_.crash();
}

// ---- TCP ----------------------------------------------------------------------------------

void TransportHost::on_tcp(const net::RxDatagram& d) {
  ++counters_.tcp_in;
  auto parsed = wire::TcpHeader::parse(d.payload, d.src(), d.dst(), d.virtual_len);
  if (!parsed) {
    ++counters_.tcp_malformed;
    host_.drop(d.iface, *d.frame, reason_for(parsed.error()));
    return;
  }
  const wire::TcpHeader& h = *parsed;
  TcpSegment seg;
  seg.src_port = h.src_port;
  seg.dst_port = h.dst_port;
  seg.seq = SeqNum(h.seq);
  seg.ack = SeqNum(h.ack);
  seg.flags = h.flags.bits & (tcp_flag::fin | tcp_flag::syn | tcp_flag::rst | tcp_flag::psh | tcp_flag::ack);
  seg.window = h.window;
  if (h.flags.syn()) seg.mss = h.options().mss;  // options matter only on SYNs here
  seg.payload = Payload{h.payload(d.payload), d.virtual_len};
  driver_.deliver(d.src(), d.dst(), seg);
}

void TransportHost::send_segment(wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) {
  wire::TcpHeader h;
  h.src_port = seg.src_port;
  h.dst_port = seg.dst_port;
  h.seq = seg.seq.value();
  h.ack = seg.is_ack() ? seg.ack.value() : 0;
  h.flags.bits = seg.flags;
  h.window = seg.window;
  if (seg.mss) {
    wire::TcpOptions o;
    o.mss = *seg.mss;
    h.set_options(o);
  }
  const std::size_t hlen = h.header_len();
  net::Ipv4Send spec;
  spec.dst = dst;
  spec.src = src;
  spec.proto = wire::IpProto::Tcp;
  net::OutDatagram out = host_.prepare(spec, hlen + seg.payload.real.size(), seg.payload.virtual_len);
  if (!out.failure()) {
    wire::MutBytes b = out.payload();
    if (!seg.payload.real.empty())
      std::memcpy(b.data() + hlen, seg.payload.real.data(), seg.payload.real.size());
    h.emit(b.first(hlen), out.src(), out.dst(), b.subspan(hlen), seg.payload.virtual_len);
  }
  if (!host_.send(std::move(out))) ++counters_.send_failures;
}

wire::Ipv4 TransportHost::source_for(wire::Ipv4 dst) {
  auto r = host_.route_to(dst);
  return r ? r->src : wire::Ipv4::any();
}

// ---- UDP ----------------------------------------------------------------------------------

void TransportHost::on_udp(const net::RxDatagram& d) {
  ++counters_.udp_in;
  auto parsed = wire::UdpHeader::parse(d.payload, d.src(), d.dst(), d.virtual_len);
  if (!parsed) {
    ++counters_.udp_malformed;
    host_.drop(d.iface, *d.frame, reason_for(parsed.error()));
    return;
  }
  const wire::UdpHeader& h = *parsed;
  wire::Bytes real = h.payload(d.payload);
  auto virt = static_cast<std::uint32_t>(h.payload_len() - real.size());
  UdpDatagram dg{{d.src(), h.src_port}, {d.dst(), h.dst_port}, Payload{real, virt}};
  if (!udp_.on_datagram(host_.sim().now(), dg)) {
    // Linux answers ICMP port unreachable here (RFC 1122 4.1.3.1); net::Host does not offer
    // its ICMP error path to the transport yet, so the datagram is only dropped.
    ++counters_.udp_no_port;
    host_.drop(d.iface, *d.frame, drop::kNoPort);
  }
}

void TransportHost::send_datagram(const UdpDatagram& dg) {
  wire::UdpHeader h;
  h.src_port = dg.src.port;
  h.dst_port = dg.dst.port;
  net::Ipv4Send spec;
  spec.dst = dg.dst.addr;
  spec.src = dg.src.addr;
  spec.proto = wire::IpProto::Udp;
  constexpr std::size_t hlen = wire::udp::kHeaderLen;
  net::OutDatagram out = host_.prepare(spec, hlen + dg.payload.real.size(), dg.payload.virtual_len);
  if (!out.failure()) {
    wire::MutBytes b = out.payload();
    if (!dg.payload.real.empty())
      std::memcpy(b.data() + hlen, dg.payload.real.data(), dg.payload.real.size());
    h.emit(b.first(hlen), out.src(), out.dst(), b.subspan(hlen), dg.payload.virtual_len);
  }
  if (!host_.send(std::move(out))) ++counters_.send_failures;
}

// ---- ICMP echo ----------------------------------------------------------------------------

void TransportHost::on_icmp(const net::RxDatagram& d) {
  ++counters_.icmp_in;
  auto parsed = wire::Icmp::parse(d.payload);
  if (!parsed) {
    ++counters_.icmp_malformed;
    host_.drop(d.iface, *d.frame, reason_for(parsed.error()));
    return;
  }
  const wire::Icmp& m = *parsed;
  if (m.type == wire::IcmpType::EchoRequest) {
    if (d.link_broadcast || d.dst().is_broadcast() || d.dst().is_multicast())
      return;  // icmp_echo_ignore_broadcasts
    // RFC 792: the reply carries the request's identifier, sequence number and data, from
    // the address the request was sent to.
    wire::Bytes data = d.payload.subspan(wire::icmp::kHeaderLen);
    net::Ipv4Send spec;
    spec.dst = d.src();
    spec.src = d.dst();
    spec.proto = wire::IpProto::Icmp;
    net::OutDatagram out = host_.prepare(spec, wire::icmp::kHeaderLen + data.size(), d.virtual_len);
    if (!out.failure()) {
      wire::MutBytes b = out.payload();
      if (!data.empty()) std::memcpy(b.data() + wire::icmp::kHeaderLen, data.data(), data.size());
      wire::Icmp::echo_reply(m.ident(), m.seq()).emit(b, b.subspan(wire::icmp::kHeaderLen));
    }
    if (host_.send(std::move(out))) {
      ++counters_.echo_requests_answered;
    } else {
      ++counters_.send_failures;
    }
    return;
  }
  if (m.type == wire::IcmpType::EchoReply) {
    auto it = echo_listeners_.find(m.ident());
    if (it == echo_listeners_.end()) {
      ++counters_.echo_replies_unclaimed;
      return;
    }
    it->second(d.src(), m.ident(), m.seq());
    return;
  }
  ++counters_.icmp_other;
}

bool TransportHost::send_echo_request(wire::Ipv4 dst, std::uint16_t ident, std::uint16_t seq,
                                      std::uint16_t payload_size, wire::Ipv4 src) {
  net::Ipv4Send spec;
  spec.dst = dst;
  spec.src = src;
  spec.proto = wire::IpProto::Icmp;
  net::OutDatagram out = host_.prepare(spec, wire::icmp::kHeaderLen + payload_size);
  if (!out.failure()) {
    wire::MutBytes b = out.payload();
    // Linux ping's data: bytes counting up from 0x10 (after its timestamp; we carry none).
    for (std::size_t i = 0; i < payload_size; ++i) b[wire::icmp::kHeaderLen + i] = std::byte(0x10 + i);
    wire::Icmp::echo_request(ident, seq).emit(b, b.subspan(wire::icmp::kHeaderLen));
  }
  bool ok = host_.send(std::move(out));
  if (!ok) ++counters_.send_failures;
  return ok;
}

void TransportHost::set_echo_listener(std::uint16_t ident, EchoListener fn) {
  echo_listeners_[ident] = std::move(fn);
}

}  // namespace nlb::transport
