#include "models/nodes/frames.hpp"

#include "models/wire/ethernet.hpp"

namespace nlb::nodes {

bool send_arp_from(net::Host& host, link::IfIndex i, const wire::Arp& arp, wire::Mac src, wire::Mac dst) {
  link::FrameRef f = host.pool().make(wire::ethernet::kHeaderLen + arp.wire_len());
  wire::MutBytes b = f.mut().mutable_bytes();
  wire::EthernetHeader{dst, src, wire::EtherType::Arp}.emit(b);
  arp.emit(b.subspan(wire::ethernet::kHeaderLen));
  return host.send_frame(i, std::move(f), dst, /*keep_src=*/true);
}

bool send_ipv4_from(net::Host& host, const net::Ipv4Send& spec, std::size_t real_len,
                    const std::function<void(wire::MutBytes payload, wire::Ipv4 src)>& fill, wire::Mac src,
                    wire::Mac dst) {
  link::FrameRef frame;
  {
    net::OutDatagram d = host.prepare(spec, real_len);
    if (d.failure()) {
      host.drop(spec.iface, d.frame(), d.failure());
      return false;
    }
    fill(d.payload(), d.src());
    frame = d.frame();
  }  // the OutDatagram's reference is gone: `frame` is the only one, so it may be written
  wire::put_mac(frame.mut().mutable_bytes(), wire::ethernet::field::src.begin, src);
  return host.send_frame(spec.iface, std::move(frame), dst, /*keep_src=*/true);
}

}  // namespace nlb::nodes
