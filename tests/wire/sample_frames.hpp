#pragma once
// Frames of a small exchange built with the emitters, one of each kind: shared by the tshark
// cross-check and the describe/decode tests.

#include <string_view>
#include <vector>

#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"
#include "models/wire/vrrp.hpp"
#include "tests/wire/tshark_util.hpp"

namespace nlb::wire::test {

inline const Ipv4 kClient(198, 51, 100, 7);
inline const Ipv4 kCluster(203, 0, 113, 10);

inline std::vector<std::byte> arp_frame(const Arp& a, Mac dst) {
  std::vector<std::byte> f(ethernet::kMinFrameLen, std::byte{0});
  EthernetHeader{dst, a.sha, EtherType::Arp}.emit(f);
  a.emit(MutBytes(f).subspan(ethernet::kHeaderLen));
  return f;
}

inline std::vector<std::byte> icmp_frame(const Icmp& m, std::size_t data_len, Ipv4 src, Ipv4 dst) {
  auto b = FrameBuilder::ipv4(IpProto::Icmp, src, dst, icmp::kHeaderLen + data_len);
  for (std::size_t i = 0; i < data_len; ++i) b.l4()[8 + i] = std::byte(0x61 + i % 23);
  m.emit(b.l4(), b.l4().subspan(8));
  return b.captured();
}

inline std::vector<std::byte> udp_frame(std::string_view data, std::uint32_t virt) {
  auto b = FrameBuilder::ipv4(IpProto::Udp, kClient, kCluster, udp::kHeaderLen + data.size(), virt);
  for (std::size_t i = 0; i < data.size(); ++i) b.l4()[8 + i] = std::byte(data[i]);
  UdpHeader{.src_port = 40001, .dst_port = 5000}.emit(b.l4(), kClient, kCluster, b.l4().subspan(8), virt);
  return b.captured();
}

inline std::vector<std::byte> tcp_frame(const TcpHeader& h, std::string_view data, std::uint32_t virt,
                                        Ipv4 src, Ipv4 dst) {
  auto b = FrameBuilder::ipv4(IpProto::Tcp, src, dst, h.wire_len() + data.size(), virt);
  auto seg = b.l4();
  for (std::size_t i = 0; i < data.size(); ++i) seg[h.wire_len() + i] = std::byte(data[i]);
  h.emit(seg, src, dst, seg.subspan(h.wire_len()), virt);
  return b.captured();
}

// An advertisement as a VRRP router sends it (RFC 5798 5.1, 7.3): from the virtual MAC to
// 224.0.0.18 (MAC 01:00:5e:00:00:12), TTL 255.
inline std::vector<std::byte> vrrp_frame(const Vrrp& v, Ipv4 src, VrrpChecksumMode mode) {
  auto b = FrameBuilder::ipv4(vrrp::kIpProto, src, vrrp::kMulticastGroup, v.wire_len(), 0, vrrp::kTtl);
  EthernetHeader{*Mac::parse("01:00:5e:00:00:12"), Mac::vrrp_virtual(v.vrid), EtherType::Ipv4}.emit(b.bytes);
  v.emit(b.l4(), src, vrrp::kMulticastGroup, mode);
  return b.captured();
}

inline Vrrp sample_vrrp(std::uint8_t version) {
  Vrrp v{.version = version, .vrid = 1, .priority = 100};
  v.addresses.push_back(Ipv4(10, 0, 0, 3));
  v.addresses.push_back(Ipv4(203, 0, 113, 1));
  return v;
}

// The frames of a small exchange, one of each kind the emitters make.
inline std::vector<std::vector<std::byte>> sample_frames() {
  std::vector<std::vector<std::byte>> fr;
  const Ipv4 a(10, 0, 0, 1), b(10, 0, 0, 11), vip(10, 0, 0, 20);
  fr.push_back(arp_frame(Arp::request(Mac::local(1), a, b), Mac::broadcast()));
  fr.push_back(arp_frame(Arp::reply(Mac::local(11), b, Mac::local(1), a), Mac::local(1)));
  fr.push_back(arp_frame(Arp::gratuitous_request(Mac::local(20), vip), Mac::broadcast()));
  fr.push_back(arp_frame(Arp::gratuitous_reply(Mac::local(20), vip), Mac::broadcast()));
  fr.push_back(arp_frame(Arp::probe(Mac::local(20), vip), Mac::broadcast()));
  fr.push_back(icmp_frame(Icmp::echo_request(1, 3), 32, a, b));
  fr.push_back(icmp_frame(Icmp::echo_reply(1, 3), 32, b, a));
  {
    // Time exceeded quoting the UDP frame below, as a router would send it.
    auto orig = udp_frame("hello", 0);
    auto quote = std::span(orig).subspan(ethernet::kHeaderLen, 28);
    auto t = FrameBuilder::ipv4(IpProto::Icmp, a, kClient, 8 + quote.size());
    std::copy(quote.begin(), quote.end(), t.l4().begin() + 8);
    Icmp::time_exceeded().emit(t.l4(), t.l4().subspan(8));
    fr.push_back(t.captured());
  }
  fr.push_back(udp_frame("hello", 0));   // odd payload length
  fr.push_back(udp_frame("abc", 1000));  // virtual payload
  fr.push_back(udp_frame("", 0));        // empty, padded frame
  TcpHeader syn{.src_port = 40000, .dst_port = 80, .seq = 1000, .flags = {TcpFlags::kSyn}, .window = 64240};
  syn.set_options(
      {.mss = 1460, .window_scale = 7, .sack_permitted = true, .timestamps = TcpTimestamps{1, 0}});
  fr.push_back(tcp_frame(syn, "", 0, kClient, kCluster));
  TcpHeader data{.src_port = 40000,
                 .dst_port = 80,
                 .seq = 1001,
                 .ack = 5001,
                 .flags = {TcpFlags::kPsh | TcpFlags::kAck},
                 .window = 502};
  fr.push_back(tcp_frame(data, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, kClient, kCluster));
  TcpHeader bulk{
      .src_port = 80, .dst_port = 40000, .seq = 5001, .ack = 1028, .flags = {TcpFlags::kAck}, .window = 509};
  fr.push_back(tcp_frame(bulk, "H", 1399, kCluster, kClient));  // 1 real + 1399 virtual bytes
  fr.push_back(vrrp_frame(sample_vrrp(3), Ipv4(10, 0, 0, 1), VrrpChecksumMode::PseudoHeader));
  fr.push_back(vrrp_frame(sample_vrrp(2), Ipv4(10, 0, 0, 1), VrrpChecksumMode::PseudoHeader));
  return fr;
}

}  // namespace nlb::wire::test
