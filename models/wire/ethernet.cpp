#include "models/wire/ethernet.hpp"

#include <cstdio>

namespace nlb::wire {

std::string to_string(EtherType t) {
  switch (t) {
    case EtherType::Ipv4:
      return "IPv4";
    case EtherType::Arp:
      return "ARP";
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(t));
  return buf;
}

Mac get_mac(Bytes b, std::size_t at) {
  std::array<std::uint8_t, 6> m{};
  for (std::size_t i = 0; i < 6; ++i) m[i] = get8(b, at + i);
  return Mac(m);
}

void put_mac(MutBytes b, std::size_t at, Mac m) {
  for (std::size_t i = 0; i < 6; ++i) put8(b, at + i, m.bytes()[i]);
}

Result<EthernetView> EthernetView::checked(Bytes frame) {
  if (frame.size() < ethernet::kHeaderLen) {
    // Name the first field that does not fit.
    if (frame.size() < ethernet::field::dst.end) return WireError{"eth.dst", 0, "truncated"};
    if (frame.size() < ethernet::field::src.end) return WireError{"eth.src", 6, "truncated"};
    return WireError{"eth.type", 12, "truncated"};
  }
  return EthernetView(frame);
}

Mac EthernetView::mac_at(std::size_t at) const { return get_mac(b_, at); }

Result<EthernetHeader> EthernetHeader::parse(Bytes frame) {
  auto v = EthernetView::checked(frame);
  if (!v) return v.error();
  return EthernetHeader{v->dst(), v->src(), v->ethertype()};
}

void EthernetHeader::emit(MutBytes out) const {
  put_mac(out, ethernet::field::dst.begin, dst);
  put_mac(out, ethernet::field::src.begin, src);
  put16(out, ethernet::field::ethertype.begin, static_cast<std::uint16_t>(ethertype));
}

}  // namespace nlb::wire
