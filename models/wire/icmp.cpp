#include "models/wire/icmp.hpp"

#include <cassert>

namespace nlb::wire {

std::string to_string(IcmpType t) {
  switch (t) {
    case IcmpType::EchoReply:
      return "echo reply";
    case IcmpType::DestUnreachable:
      return "destination unreachable";
    case IcmpType::EchoRequest:
      return "echo request";
    case IcmpType::TimeExceeded:
      return "time exceeded";
  }
  return "type=" + std::to_string(static_cast<unsigned>(t));
}

Result<Icmp> Icmp::parse(Bytes message) {
  namespace f = icmp::field;
  if (message.size() < f::type.end) return WireError{"icmp.type", f::type.begin, "truncated"};
  if (message.size() < f::code.end) return WireError{"icmp.code", f::code.begin, "truncated"};
  if (message.size() < f::checksum.end) return WireError{"icmp.checksum", f::checksum.begin, "truncated"};
  if (message.size() < f::rest.end) return WireError{"icmp.rest", f::rest.begin, "truncated"};
  if (internet_checksum(message) != 0) return WireError{"icmp.checksum", f::checksum.begin, "bad checksum"};
  return Icmp{IcmpType{get8(message, f::type.begin)}, get8(message, f::code.begin),
              get16(message, f::checksum.begin), get32(message, f::rest.begin)};
}

Result<Ipv4Header> Icmp::quoted_header(Bytes message) {
  if (message.size() < icmp::field::data) return WireError{"icmp.rest", icmp::field::rest.begin, "truncated"};
  auto h = Ipv4Header::parse_quoted(message.subspan(icmp::field::data));
  if (!h) {
    WireError e = h.error();
    e.offset += icmp::field::data;  // offsets stay relative to the ICMP message
    return e;
  }
  return h;
}

void Icmp::emit(MutBytes out) const {
  namespace f = icmp::field;
  assert(out.size() >= icmp::kHeaderLen);
  put8(out, f::type.begin, static_cast<std::uint8_t>(type));
  put8(out, f::code.begin, code);
  put16(out, f::checksum.begin, checksum);
  put32(out, f::rest.begin, rest);
}

void Icmp::emit(MutBytes out, Bytes data) const {
  Icmp zeroed = *this;
  zeroed.checksum = 0;
  zeroed.emit(out);
  std::uint32_t sum = ones_sum(data, ones_sum(out.first(icmp::kHeaderLen)));
  put16(out, icmp::field::checksum.begin, fold(sum));
}

}  // namespace nlb::wire
