#include "models/wire/udp.hpp"

#include <algorithm>
#include <cassert>

#include "models/wire/ipv4.hpp"

namespace nlb::wire {

Bytes UdpHeader::payload(Bytes datagram) const {
  std::size_t end = std::min<std::size_t>(length, datagram.size());
  return datagram.subspan(udp::kHeaderLen, end - udp::kHeaderLen);
}

Result<UdpHeader> UdpHeader::parse(Bytes datagram, std::uint32_t virtual_len) {
  namespace f = udp::field;
  constexpr struct {
    const char* name;
    Range r;
  } fields[] = {{"udp.src_port", f::src_port},
                {"udp.dst_port", f::dst_port},
                {"udp.length", f::length},
                {"udp.checksum", f::checksum}};
  for (const auto& fl : fields)
    if (datagram.size() < fl.r.end) return WireError{fl.name, fl.r.begin, "truncated"};
  UdpHeader h{get16(datagram, f::src_port.begin), get16(datagram, f::dst_port.begin),
              get16(datagram, f::length.begin), get16(datagram, f::checksum.begin)};
  if (h.length < udp::kHeaderLen) return WireError{"udp.length", f::length.begin, "shorter than header"};
  if (h.length > datagram.size() + virtual_len)
    return WireError{"udp.length", f::length.begin, "longer than datagram"};
  return h;
}

Result<UdpView> UdpView::checked(Bytes datagram, std::uint32_t virtual_len) {
  auto h = UdpHeader::parse(datagram, virtual_len);
  if (!h) return h.error();
  return UdpView(datagram);
}

Bytes UdpView::payload() const {
  std::size_t end = std::min<std::size_t>(length(), b_.size());
  return b_.subspan(udp::kHeaderLen, end - udp::kHeaderLen);
}

Result<UdpHeader> UdpHeader::parse(Bytes datagram, Ipv4 src, Ipv4 dst, std::uint32_t virtual_len) {
  auto h = parse(datagram, virtual_len);
  if (!h || h->checksum == 0) return h;
  // The checksum covers `length` bytes: the stored ones up to it, then virtual zeros.
  Bytes payload = h->payload(datagram);
  auto virt = static_cast<std::uint32_t>(h->payload_len() - payload.size());
  if (transport_checksum(src, dst, IpProto::Udp, datagram.first(udp::kHeaderLen), payload, virt) != 0)
    return WireError{"udp.checksum", udp::field::checksum.begin, "bad checksum"};
  return h;
}

void UdpHeader::emit(MutBytes out) const {
  namespace f = udp::field;
  assert(out.size() >= udp::kHeaderLen);
  put16(out, f::src_port.begin, src_port);
  put16(out, f::dst_port.begin, dst_port);
  put16(out, f::length.begin, length);
  put16(out, f::checksum.begin, checksum);
}

void UdpHeader::emit(MutBytes out, Ipv4 src, Ipv4 dst, Bytes payload, std::uint32_t virtual_len) const {
  UdpHeader h = *this;
  std::size_t len = udp::kHeaderLen + payload.size() + virtual_len;
  assert(len <= 0xffff);
  h.length = static_cast<std::uint16_t>(len);
  h.checksum = 0;
  h.emit(out);
  std::uint16_t c =
      transport_checksum(src, dst, IpProto::Udp, out.first(udp::kHeaderLen), payload, virtual_len);
  put16(out, udp::field::checksum.begin, c == 0 ? 0xffff : c);  // RFC 768: 0 means "none"
}

}  // namespace nlb::wire
