#include "models/wire/arp.hpp"

#include "models/wire/ethernet.hpp"

namespace nlb::wire {

std::string to_string(ArpOp op) {
  switch (op) {
    case ArpOp::Request:
      return "request";
    case ArpOp::Reply:
      return "reply";
  }
  return "op=" + std::to_string(static_cast<unsigned>(op));
}

Result<ArpView> ArpView::checked(Bytes packet) {
  namespace f = arp::field;
  // The first field that does not fit is the one named.
  constexpr struct {
    const char* name;
    Range r;
  } fields[] = {{"arp.htype", f::htype}, {"arp.ptype", f::ptype}, {"arp.hlen", f::hlen},
                {"arp.plen", f::plen},   {"arp.op", f::oper},     {"arp.sha", f::sha},
                {"arp.spa", f::spa},     {"arp.tha", f::tha},     {"arp.tpa", f::tpa}};
  for (const auto& f : fields)
    if (packet.size() < f.r.end) return WireError{f.name, f.r.begin, "truncated"};
  return ArpView(packet);
}

Mac ArpView::sha() const { return get_mac(b_, arp::field::sha.begin); }
Ipv4 ArpView::spa() const { return get_ipv4(b_, arp::field::spa.begin); }
Mac ArpView::tha() const { return get_mac(b_, arp::field::tha.begin); }
Ipv4 ArpView::tpa() const { return get_ipv4(b_, arp::field::tpa.begin); }

Result<Arp> Arp::parse(Bytes packet) {
  namespace f = arp::field;
  // Check the types and sizes as soon as they are present: with other sizes the address
  // offsets differ, so "truncated" at arp.tpa would name the wrong problem.
  if (packet.size() >= f::htype.end && get16(packet, f::htype.begin) != arp::kHtypeEthernet)
    return WireError{"arp.htype", f::htype.begin, "unsupported hardware type"};
  if (packet.size() >= f::ptype.end && get16(packet, f::ptype.begin) != arp::kPtypeIpv4)
    return WireError{"arp.ptype", f::ptype.begin, "unsupported protocol type"};
  if (packet.size() >= f::hlen.end && get8(packet, f::hlen.begin) != 6)
    return WireError{"arp.hlen", f::hlen.begin, "hardware address length is not 6"};
  if (packet.size() >= f::plen.end && get8(packet, f::plen.begin) != 4)
    return WireError{"arp.plen", f::plen.begin, "protocol address length is not 4"};
  auto v = ArpView::checked(packet);
  if (!v) return v.error();
  return Arp{v->oper(), v->sha(), v->spa(), v->tha(), v->tpa()};
}

void Arp::emit(MutBytes out) const {
  namespace f = arp::field;
  put16(out, f::htype.begin, arp::kHtypeEthernet);
  put16(out, f::ptype.begin, arp::kPtypeIpv4);
  put8(out, f::hlen.begin, 6);
  put8(out, f::plen.begin, 4);
  put16(out, f::oper.begin, static_cast<std::uint16_t>(op));
  put_mac(out, f::sha.begin, this->sha);
  put_ipv4(out, f::spa.begin, this->spa);
  put_mac(out, f::tha.begin, this->tha);
  put_ipv4(out, f::tpa.begin, this->tpa);
}

}  // namespace nlb::wire
