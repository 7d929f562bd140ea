#include "models/wire/ipv4.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace nlb::wire {

std::string to_string(IpProto p) {
  switch (p) {
    case IpProto::Icmp:
      return "ICMP";
    case IpProto::Tcp:
      return "TCP";
    case IpProto::Udp:
      return "UDP";
    case IpProto::Vrrp:
      return "VRRP";
  }
  return "proto=" + std::to_string(static_cast<unsigned>(p));
}

namespace {

// Version, IHL and the fixed header; shared by parse and parse_quoted.
Result<std::size_t> check_header(Bytes b) {
  namespace f = ipv4::field;
  if (b.size() < f::ver_ihl.end) return WireError{"ipv4.version", 0, "truncated"};
  if ((get8(b, 0) >> 4) != 4) return WireError{"ipv4.version", 0, "unsupported version"};
  std::size_t ihl = std::size_t{get8(b, 0) & 0x0fu} * 4;
  if (ihl < ipv4::kMinHeaderLen) return WireError{"ipv4.ihl", 0, "header length below 20"};
  constexpr struct {
    const char* name;
    Range r;
  } fields[] = {{"ipv4.dscp_ecn", f::dscp_ecn},
                {"ipv4.total_length", f::total_length},
                {"ipv4.ident", f::ident},
                {"ipv4.flags_fragment", f::flags_frag},
                {"ipv4.ttl", f::ttl},
                {"ipv4.protocol", f::protocol},
                {"ipv4.checksum", f::checksum},
                {"ipv4.src", f::src},
                {"ipv4.dst", f::dst}};
  for (const auto& f : fields)
    if (b.size() < f.r.end) return WireError{f.name, f.r.begin, "truncated"};
  if (b.size() < ihl) return WireError{"ipv4.options", f::options, "truncated"};
  return ihl;
}

Ipv4Header from_view(const Ipv4View& v) {
  Ipv4Header h;
  h.dscp = v.dscp();
  h.ecn = v.ecn();
  h.total_length = v.total_length();
  h.ident = v.ident();
  h.reserved_flag = (get16(v.header(), ipv4::field::flags_frag.begin) & 0x8000) != 0;
  h.dont_fragment = v.dont_fragment();
  h.more_fragments = v.more_fragments();
  h.fragment_offset = v.fragment_offset();
  h.ttl = v.ttl();
  h.protocol = v.protocol();
  h.checksum = v.checksum();
  h.src = v.src();
  h.dst = v.dst();
  h.options.assign(v.header().subspan(ipv4::field::options));  // IHL makes it a multiple of 4
  return h;
}

}  // namespace

Result<Ipv4View> Ipv4View::checked(Bytes packet, std::uint32_t virtual_len) {
  auto ihl = check_header(packet);
  if (!ihl) return ihl.error();
  std::size_t total = get16(packet, ipv4::field::total_length.begin);
  if (total < *ihl)
    return WireError{"ipv4.total_length", ipv4::field::total_length.begin, "shorter than header"};
  if (total > packet.size() + virtual_len)
    return WireError{"ipv4.total_length", ipv4::field::total_length.begin, "longer than packet"};
  return Ipv4View(packet);
}

Bytes Ipv4View::payload() const {
  std::size_t end = std::min<std::size_t>(total_length(), b_.size());
  return b_.subspan(header_len(), end - header_len());
}

std::uint32_t Ipv4View::payload_virtual_len() const {
  return static_cast<std::uint32_t>(total_length() - header_len() - payload().size());
}

Result<Ipv4Header> Ipv4Header::parse(Bytes packet, std::uint32_t virtual_len) {
  auto v = Ipv4View::checked(packet, virtual_len);
  if (!v) return v.error();
  if (!v->checksum_ok()) return WireError{"ipv4.checksum", ipv4::field::checksum.begin, "bad checksum"};
  return from_view(*v);
}

Result<Ipv4Header> Ipv4Header::parse_quoted(Bytes quoted) {
  auto ihl = check_header(quoted);
  if (!ihl) return ihl.error();
  // A view over exactly the header; total_length describes the original datagram, not this.
  auto v = Ipv4View::checked(quoted.first(*ihl), 0xffff);
  if (!v) return v.error();  // only when total_length < IHL
  return from_view(*v);
}

void Ipv4Header::emit(MutBytes out) const {
  namespace f = ipv4::field;
  assert(out.size() >= header_len());
  put8(out, f::ver_ihl.begin, static_cast<std::uint8_t>(0x40 | (header_len() / 4)));
  put8(out, f::dscp_ecn.begin, static_cast<std::uint8_t>((dscp << 2) | (ecn & 3)));
  put16(out, f::total_length.begin, total_length);
  put16(out, f::ident.begin, ident);
  std::uint16_t ff = static_cast<std::uint16_t>((reserved_flag ? 0x8000 : 0) | (dont_fragment ? 0x4000 : 0) |
                                                (more_fragments ? 0x2000 : 0) | (fragment_offset & 0x1fff));
  put16(out, f::flags_frag.begin, ff);
  put8(out, f::ttl.begin, this->ttl);
  put8(out, f::protocol.begin, static_cast<std::uint8_t>(this->protocol));
  put16(out, f::checksum.begin, 0);
  put32(out, f::src.begin, this->src.value());
  put32(out, f::dst.begin, this->dst.value());
  std::copy(options.bytes().begin(), options.bytes().end(), out.begin() + ipv4::field::options);
  put16(out, f::checksum.begin, internet_checksum(out.first(header_len())));
}

std::uint32_t pseudo_header_sum(Ipv4 src, Ipv4 dst, IpProto proto, std::uint16_t length) {
  return (src.value() >> 16) + (src.value() & 0xffff) + (dst.value() >> 16) + (dst.value() & 0xffff) +
         static_cast<std::uint8_t>(proto) + length;
}

std::uint16_t transport_checksum(Ipv4 src, Ipv4 dst, IpProto proto, Bytes header, Bytes payload,
                                 std::uint32_t virtual_len) {
  assert(header.size() % 2 == 0);
  std::size_t length = header.size() + payload.size() + virtual_len;
  assert(length <= 0xffff);
  std::uint32_t sum = pseudo_header_sum(src, dst, proto, static_cast<std::uint16_t>(length));
  // 64 KiB of 0xffff words cannot overflow 32 bits: 32768 * 0xffff < 2^31.
  return fold(ones_sum(payload, ones_sum(header, sum)));
}

std::uint16_t checksum_update(std::uint16_t hc, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t sum = static_cast<std::uint16_t>(~hc) +
                      static_cast<std::uint32_t>(static_cast<std::uint16_t>(~old_word)) + new_word;
  return fold(sum);  // fold() complements
}

std::uint8_t decrement_ttl_in_place(MutBytes header) {
  namespace f = ipv4::field;
  assert(header.size() >= ipv4::kMinHeaderLen && get8(header, f::ttl.begin) > 0);
  // TTL shares its 16-bit word with the protocol (RFC 1624 works on 16-bit words).
  std::uint16_t old_word = get16(header, f::ttl.begin);
  std::uint16_t new_word = static_cast<std::uint16_t>(old_word - 0x0100);
  put16(header, f::ttl.begin, new_word);
  put16(header, f::checksum.begin, checksum_update(get16(header, f::checksum.begin), old_word, new_word));
  return static_cast<std::uint8_t>(new_word >> 8);
}

}  // namespace nlb::wire
