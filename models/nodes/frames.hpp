#pragma once
// Frames a role sends with an Ethernet source other than its NIC's MAC: VRRP adverts, ARP
// replies and gratuitous ARPs from the virtual router MAC (RFC 5798 7.3), so that the switches
// learn where the virtual MAC lives. net::Host always writes the NIC's own MAC; these helpers
// build the frame and hand it to Host::send_frame with the source kept.

#include <cstdint>
#include <functional>

#include "models/net/host.hpp"
#include "models/wire/arp.hpp"

namespace nlb::nodes {

// Sends an ARP packet out of interface i with Ethernet source `src` to `dst`.
bool send_arp_from(net::Host& host, link::IfIndex i, const wire::Arp& arp, wire::Mac src, wire::Mac dst);

// Builds an IPv4 datagram with `real_len` payload bytes (written by `fill`) out of interface
// `spec.iface`, with Ethernet source `src` and destination `dst`.
bool send_ipv4_from(net::Host& host, const net::Ipv4Send& spec, std::size_t real_len,
                    const std::function<void(wire::MutBytes payload, wire::Ipv4 src)>& fill, wire::Mac src,
                    wire::Mac dst);

}  // namespace nlb::nodes
