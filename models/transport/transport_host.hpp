#pragma once
// The glue between a node's IPv4 (net::Host) and its sans-IO transport: registers the
// handlers of IP protocols 6 (TCP), 17 (UDP) and 1 (ICMP echo) on the host, converts wire
// headers to and from the transport's own structs, and drives the TCP stack's timers from the
// simulation (TcpDriver). Outbound segments are written straight into the frame the host
// prepares (header in place, checksum over the IPv4 pseudo-header, virtual payload counted).
//
// ICMP: echo requests are answered as the kernel does (not when they came as a link
// broadcast: Linux icmp_echo_ignore_broadcasts=1); echo replies go to the listener registered
// for their identifier (apps::PingClient). Other ICMP messages are counted and dropped.
//
// A node going down (net::Host::set_up(false)) forgets every TCP connection without a segment,
// as a crashed kernel does; its peers find out by RST or by timing out.

#include <cstdint>
#include <functional>
#include <map>

#include "models/net/host.hpp"
#include "models/transport/tcp_driver.hpp"
#include "models/transport/udp.hpp"

namespace nlb::transport {

struct TransportCounters {
  std::uint64_t tcp_in = 0;
  std::uint64_t tcp_malformed = 0;  // bad checksum, bad header: dropped with a reason
  std::uint64_t udp_in = 0;
  std::uint64_t udp_malformed = 0;
  std::uint64_t udp_no_port = 0;
  std::uint64_t icmp_in = 0;
  std::uint64_t icmp_malformed = 0;
  std::uint64_t echo_requests_answered = 0;
  std::uint64_t echo_replies_unclaimed = 0;
  std::uint64_t icmp_other = 0;
  std::uint64_t send_failures = 0;  // no route, interface down, ARP queue full
};

class TransportHost final : private TcpIo, private UdpIo {
 public:
  using EchoListener = std::function<void(wire::Ipv4 from, std::uint16_t ident, std::uint16_t seq)>;

  // `isn_stream` names the RngStream of the TCP initial sequence numbers' secret.
  TransportHost(net::Host& host, const TcpConfig& tcp = {}, std::string_view isn_stream = {});
  ~TransportHost() override;
  TransportHost(const TransportHost&) = delete;
  TransportHost& operator=(const TransportHost&) = delete;

  net::Host& host() { return host_; }
  TcpStack& tcp() { return driver_.stack(); }
  const TcpStack& tcp() const { return driver_.stack(); }
  UdpStack& udp() { return udp_; }
  const UdpStack& udp() const { return udp_; }

  // Echo requests from this node (ping); the payload is `payload_size` real bytes.
  bool send_echo_request(wire::Ipv4 dst, std::uint16_t ident, std::uint16_t seq, std::uint16_t payload_size,
                         wire::Ipv4 src = wire::Ipv4::any());
  void set_echo_listener(std::uint16_t ident, EchoListener fn);
  void remove_echo_listener(std::uint16_t ident) { echo_listeners_.erase(ident); }

  const TransportCounters& counters() const { return counters_; }

 private:
  // TcpIo
  void send_segment(wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) override;
  wire::Ipv4 source_for(wire::Ipv4 dst) override;
  // UdpIo
  void send_datagram(const UdpDatagram& d) override;

  void on_tcp(const net::RxDatagram& d);
  void on_udp(const net::RxDatagram& d);
  void on_icmp(const net::RxDatagram& d);
  void on_state(bool up);

  net::Host& host_;
  TcpDriver driver_;
  UdpStack udp_;
  std::map<std::uint16_t, EchoListener> echo_listeners_;
  TransportCounters counters_;
};

}  // namespace nlb::transport
