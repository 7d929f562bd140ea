#include "models/wire/tcp.hpp"

#include <array>
#include <cassert>

#include "models/wire/ipv4.hpp"

namespace nlb::wire {

std::string TcpFlags::str() const {
  // tcpdump (print-tcp.c tcp_flag_values): F S R P . U E W, no separator.
  constexpr std::array<std::pair<std::uint8_t, char>, 8> letters{{{kFin, 'F'},
                                                                  {kSyn, 'S'},
                                                                  {kRst, 'R'},
                                                                  {kPsh, 'P'},
                                                                  {kAck, '.'},
                                                                  {kUrg, 'U'},
                                                                  {kEce, 'E'},
                                                                  {kCwr, 'W'}}};
  std::string s;
  for (auto [bit, c] : letters)
    if (bits & bit) s += c;
  return s.empty() ? "none" : s;
}

namespace {

// RFC 9293 3.2 and the option RFCs: the only valid length of each option we decode.
constexpr std::uint8_t expected_len(std::uint8_t kind) {
  switch (kind) {
    case tcp::option::kMss:
      return 4;
    case tcp::option::kWindowScale:
      return 3;
    case tcp::option::kSackPermitted:
      return 2;
    case tcp::option::kTimestamps:
      return 10;
    default:
      return 0;  // any length >= 2
  }
}

constexpr const char* option_field(std::uint8_t kind) {
  switch (kind) {
    case tcp::option::kMss:
      return "tcp.option.mss";
    case tcp::option::kWindowScale:
      return "tcp.option.window_scale";
    case tcp::option::kSackPermitted:
      return "tcp.option.sack_permitted";
    case tcp::option::kTimestamps:
      return "tcp.option.timestamps";
    default:
      return "tcp.option";
  }
}

}  // namespace

Result<TcpOptions> TcpOptions::parse(Bytes raw, std::size_t base) {
  TcpOptions o;
  std::size_t i = 0;
  while (i < raw.size()) {
    std::uint8_t kind = get8(raw, i);
    if (kind == tcp::option::kEnd) break;  // the rest is padding
    if (kind == tcp::option::kNop) {
      ++i;
      continue;
    }
    const char* name = option_field(kind);
    if (i + 1 >= raw.size()) return WireError{name, base + i, "option length missing"};
    std::size_t len = get8(raw, i + 1);
    if (len < 2) return WireError{name, base + i + 1, "bad option length"};
    if (i + len > raw.size()) return WireError{name, base + i + 1, "option longer than header"};
    if (expected_len(kind) != 0 && len != expected_len(kind))
      return WireError{name, base + i + 1, "bad option length"};
    switch (kind) {
      case tcp::option::kMss:
        o.mss = get16(raw, i + 2);
        break;
      case tcp::option::kWindowScale:
        o.window_scale = get8(raw, i + 2);
        break;
      case tcp::option::kSackPermitted:
        o.sack_permitted = true;
        break;
      case tcp::option::kTimestamps:
        o.timestamps = TcpTimestamps{get32(raw, i + 2), get32(raw, i + 6)};
        break;
      default:
        break;  // SACK blocks and unknown kinds: skipped by length
    }
    i += len;
  }
  return o;
}

OptionBytes TcpOptions::encode() const {
  std::array<std::byte, OptionBytes::kCapacity> b{};
  std::size_t n = 0;
  auto u8 = [&](std::uint8_t v) { b[n++] = std::byte{v}; };
  auto u16 = [&](std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  };
  auto u32 = [&](std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  };
  // Linux tcp_options_write(): every option starts 4-byte aligned thanks to NOPs.
  if (mss) {
    u8(tcp::option::kMss);
    u8(4);
    u16(*mss);
  }
  if (sack_permitted && timestamps) {
    u8(tcp::option::kSackPermitted);
    u8(2);
  } else if (timestamps || sack_permitted) {
    u8(tcp::option::kNop);
    u8(tcp::option::kNop);
    if (sack_permitted) {
      u8(tcp::option::kSackPermitted);
      u8(2);
    }
  }
  if (timestamps) {
    u8(tcp::option::kTimestamps);
    u8(10);
    u32(timestamps->value);
    u32(timestamps->echo);
  }
  if (window_scale) {
    u8(tcp::option::kNop);
    u8(tcp::option::kWindowScale);
    u8(3);
    u8(*window_scale);
  }
  OptionBytes out;
  bool ok = out.assign(Bytes(b.data(), n));  // at most 4 + 2 + 10 + 4 = 20 bytes, aligned
  assert(ok);
  (void)ok;
  return out;
}

TcpOptions TcpHeader::options() const {
  auto o = TcpOptions::parse(option_bytes.bytes());
  return o ? *o : TcpOptions{};
}

Result<TcpView> TcpView::checked(Bytes segment) {
  namespace f = tcp::field;
  constexpr struct {
    const char* name;
    Range r;
  } fields[] = {
      {"tcp.src_port", f::src_port}, {"tcp.dst_port", f::dst_port},       {"tcp.seq", f::seq},
      {"tcp.ack", f::ack},           {"tcp.data_offset", f::data_offset}, {"tcp.flags", f::flags},
      {"tcp.window", f::window},     {"tcp.checksum", f::checksum},       {"tcp.urgent", f::urgent}};
  for (const auto& fl : fields)
    if (segment.size() < fl.r.end) return WireError{fl.name, fl.r.begin, "truncated"};
  std::size_t hl = std::size_t{get8(segment, f::data_offset.begin)} / 16 * 4;
  if (hl < tcp::kMinHeaderLen)
    return WireError{"tcp.data_offset", f::data_offset.begin, "header length below 20"};
  if (segment.size() < hl) return WireError{"tcp.options", f::options, "truncated"};
  return TcpView(segment);
}

Result<TcpHeader> TcpHeader::parse(Bytes segment) {
  namespace f = tcp::field;
  auto v = TcpView::checked(segment);
  if (!v) return v.error();
  Bytes raw = v->options();
  auto opts = TcpOptions::parse(raw);
  if (!opts) return opts.error();
  TcpHeader h;
  h.src_port = v->src_port();
  h.dst_port = v->dst_port();
  h.seq = v->seq();
  h.ack = v->ack();
  h.reserved = get8(segment, f::data_offset.begin) & 0x0f;
  h.flags = v->flags();
  h.window = v->window();
  h.checksum = v->checksum();
  h.urgent = v->urgent();
  h.option_bytes.assign(raw);  // a multiple of 4 by construction
  return h;
}

Result<TcpHeader> TcpHeader::parse(Bytes segment, Ipv4 src, Ipv4 dst, std::uint32_t virtual_len) {
  auto h = parse(segment);
  if (!h) return h;
  if (segment.size() + virtual_len > 0xffff) return WireError{"tcp", 0, "segment longer than 65535"};
  std::size_t hl = h->header_len();
  if (transport_checksum(src, dst, IpProto::Tcp, segment.first(hl), segment.subspan(hl), virtual_len) != 0)
    return WireError{"tcp.checksum", tcp::field::checksum.begin, "bad checksum"};
  return h;
}

void TcpHeader::emit(MutBytes out) const {
  namespace f = tcp::field;
  assert(out.size() >= header_len());
  put16(out, f::src_port.begin, src_port);
  put16(out, f::dst_port.begin, dst_port);
  put32(out, f::seq.begin, seq);
  put32(out, f::ack.begin, ack);
  put8(out, f::data_offset.begin, static_cast<std::uint8_t>(((header_len() / 4) << 4) | (reserved & 0x0f)));
  put8(out, f::flags.begin, flags.bits);
  put16(out, f::window.begin, window);
  put16(out, f::checksum.begin, checksum);
  put16(out, f::urgent.begin, urgent);
  std::copy(option_bytes.bytes().begin(), option_bytes.bytes().end(), out.begin() + f::options);
}

void TcpHeader::emit(MutBytes out, Ipv4 src, Ipv4 dst, Bytes payload, std::uint32_t virtual_len) const {
  TcpHeader h = *this;
  h.checksum = 0;
  h.emit(out);
  put16(out, tcp::field::checksum.begin,
        transport_checksum(src, dst, IpProto::Tcp, out.first(header_len()), payload, virtual_len));
}

}  // namespace nlb::wire
