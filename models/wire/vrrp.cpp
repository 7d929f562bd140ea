#include "models/wire/vrrp.hpp"

#include <algorithm>
#include <cassert>

#include "models/wire/ethernet.hpp"

namespace nlb::wire {

std::string to_string(VrrpType t) {
  if (t == VrrpType::Advertisement) return "advertisement";
  return "type=" + std::to_string(static_cast<unsigned>(t));
}

bool VrrpAddresses::operator==(const VrrpAddresses& o) const { return std::ranges::equal(span(), o.span()); }

std::size_t Vrrp::wire_len() const {
  return vrrp::kHeaderLen + 4 * addresses.size() + (version == 2 ? vrrp::kV2AuthLen : 0);
}

Result<Vrrp> Vrrp::parse(Bytes message) {
  namespace f = vrrp::field;
  if (message.size() < f::ver_type.end) return WireError{"vrrp.version", 0, "truncated"};
  Vrrp v;
  v.version = get8(message, 0) >> 4;
  v.type = VrrpType{static_cast<std::uint8_t>(get8(message, 0) & 0x0f)};
  if (v.version != 2 && v.version != 3) return WireError{"vrrp.version", 0, "unsupported version"};
  constexpr struct {
    const char* name;
    Range r;
  } fields[] = {{"vrrp.vrid", f::vrid},
                {"vrrp.priority", f::priority},
                {"vrrp.count", f::count},
                {"vrrp.advert_int", f::max_advert_int},
                {"vrrp.checksum", f::checksum}};
  for (const auto& fl : fields)
    if (message.size() < fl.r.end) return WireError{fl.name, fl.r.begin, "truncated"};
  v.vrid = get8(message, f::vrid.begin);
  v.priority = get8(message, f::priority.begin);
  std::size_t count = get8(message, f::count.begin);
  if (v.version == 3) {
    std::uint16_t w = get16(message, f::max_advert_int.begin);
    v.reserved = static_cast<std::uint8_t>(w >> 12);
    v.max_advert_interval_cs = w & 0x0fff;
  } else {
    v.auth_type = get8(message, f::auth_type.begin);
    v.advert_interval_s = get8(message, f::advert_int.begin);
  }
  v.checksum = get16(message, f::checksum.begin);
  if (message.size() < f::addresses + 4 * count)
    return WireError{"vrrp.addresses", f::addresses + (message.size() - f::addresses) / 4 * 4, "truncated"};
  for (std::size_t i = 0; i < count; ++i) v.addresses.push_back(get_ipv4(message, f::addresses + 4 * i));
  if (v.version == 2) {
    std::size_t at = f::addresses + 4 * count;
    if (message.size() < at + vrrp::kV2AuthLen) return WireError{"vrrp.auth_data", at, "truncated"};
    for (std::size_t i = 0; i < vrrp::kV2AuthLen; ++i) v.auth_data[i] = get8(message, at + i);
  }
  return v;
}

Result<Vrrp> Vrrp::parse(Bytes message, Ipv4 src, Ipv4 dst, VrrpChecksumMode mode) {
  auto v = parse(message);
  if (!v) return v;
  if (vrrp_checksum(message, v->version, src, dst, mode) != v->checksum)
    return WireError{"vrrp.checksum", vrrp::field::checksum.begin, "bad checksum"};
  return v;
}

void Vrrp::emit(MutBytes out) const {
  namespace f = vrrp::field;
  assert(out.size() >= wire_len());
  put8(out, f::ver_type.begin,
       static_cast<std::uint8_t>((version << 4) | (static_cast<std::uint8_t>(type) & 0x0f)));
  put8(out, f::vrid.begin, vrid);
  put8(out, f::priority.begin, priority);
  put8(out, f::count.begin, static_cast<std::uint8_t>(addresses.size()));
  if (version == 2) {
    put8(out, f::auth_type.begin, auth_type);
    put8(out, f::advert_int.begin, advert_interval_s);
  } else {
    put16(out, f::max_advert_int.begin,
          static_cast<std::uint16_t>((reserved << 12) | (max_advert_interval_cs & 0x0fff)));
  }
  put16(out, f::checksum.begin, checksum);
  for (std::size_t i = 0; i < addresses.size(); ++i) put_ipv4(out, f::addresses + 4 * i, addresses[i]);
  if (version == 2)
    for (std::size_t i = 0; i < vrrp::kV2AuthLen; ++i)
      put8(out, f::addresses + 4 * addresses.size() + i, auth_data[i]);
}

void Vrrp::emit(MutBytes out, Ipv4 src, Ipv4 dst, VrrpChecksumMode mode) const {
  emit(out);
  put16(out, vrrp::field::checksum.begin, vrrp_checksum(out.first(wire_len()), version, src, dst, mode));
}

std::uint16_t vrrp_checksum(Bytes message, std::uint8_t version, Ipv4 src, Ipv4 dst, VrrpChecksumMode mode) {
  namespace f = vrrp::field;
  assert(message.size() >= vrrp::kHeaderLen);
  // The sum with the checksum field left out, i.e. counted as zero.
  std::uint32_t sum = ones_sum(message.first(f::checksum.begin));
  sum = ones_sum(message.subspan(f::checksum.end), sum);
  if (version == 3 && mode == VrrpChecksumMode::PseudoHeader)
    sum += pseudo_header_sum(src, dst, vrrp::kIpProto, static_cast<std::uint16_t>(message.size()));
  return fold(sum);
}

}  // namespace nlb::wire
