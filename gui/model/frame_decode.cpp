#include "gui/model/frame_decode.hpp"

#include <cstdio>
#include <span>

#include "gui/model/trace_model.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"

namespace nlb::gui {

namespace {

namespace w = nlb::wire;

w::Bytes as_bytes(FrameBytes b) { return {reinterpret_cast<const std::byte*>(b.data()), b.size()}; }

std::uint8_t u8(FrameBytes b, std::size_t at) { return b[at]; }
std::uint16_t u16(FrameBytes b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint32_t u32(FrameBytes b, std::size_t at) { return (std::uint32_t{u16(b, at)} << 16) | u16(b, at + 2); }

std::string hex16(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

std::string error_text(const w::WireError& e, std::size_t base) {
  return std::string(e.field) + " at byte " + std::to_string(base + e.offset) + ": " + e.what;
}

// Adds a field whose range is given relative to the layer's start.
void add(Layer& l, std::string name, std::string value, w::Range r) {
  l.fields.push_back({std::move(name), std::move(value), static_cast<std::uint32_t>(l.offset + r.begin),
                      static_cast<std::uint32_t>(r.size())});
}

// A layer is cut to the bytes present: a field past the end is reported, not read.
bool fits(Layer& l, FrameBytes b, std::size_t need, const char* what) {
  if (b.size() >= l.offset + need) return true;
  l.error = std::string(what) + " at byte " + std::to_string(l.offset) + ": truncated (" +
            std::to_string(b.size() - std::min<std::size_t>(b.size(), l.offset)) + " of " +
            std::to_string(need) + " bytes)";
  return false;
}

Layer decode_ethernet(FrameBytes b, std::uint16_t& ethertype) {
  namespace f = w::ethernet::field;
  Layer l{"Ethernet II", {}, 0, static_cast<std::uint32_t>(w::ethernet::kHeaderLen), {}, {}};
  auto v = w::EthernetView::checked(as_bytes(b));
  if (!v) {
    l.error = error_text(v.error(), 0);
    return l;
  }
  ethertype = static_cast<std::uint16_t>(v->ethertype());
  std::string type = w::to_string(v->ethertype());
  add(l, "Destination", v->dst().str() + (v->dst().is_broadcast() ? " (broadcast)" : ""), f::dst);
  add(l, "Source", v->src().str(), f::src);
  add(l, "Type", hex16(ethertype) + " (" + type + ")", f::ethertype);
  l.summary = v->src().str() + " > " + v->dst().str() + ", " + type;
  return l;
}

Layer decode_arp(FrameBytes b, std::size_t at) {
  namespace f = w::arp::field;
  Layer l{"ARP", {}, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(w::arp::kLen), {}, {}};
  auto a = w::Arp::parse(as_bytes(b.substr(at)));
  if (!a) {
    l.error = error_text(a.error(), at);
    return l;
  }
  add(l, "Hardware type", "1 (Ethernet)", f::htype);
  add(l, "Protocol type", "0x0800 (IPv4)", f::ptype);
  add(l, "Hardware size", "6", f::hlen);
  add(l, "Protocol size", "4", f::plen);
  add(l, "Opcode", std::to_string(static_cast<unsigned>(a->op)) + " (" + w::to_string(a->op) + ")", f::oper);
  add(l, "Sender MAC", a->sha.str(), f::sha);
  add(l, "Sender IP", a->spa.str(), f::spa);
  add(l, "Target MAC", a->tha.str(), f::tha);
  add(l, "Target IP", a->tpa.str(), f::tpa);
  if (a->is_gratuitous())
    l.summary = "Gratuitous ARP: " + a->spa.str() + " is at " + a->sha.str();
  else if (a->op == w::ArpOp::Request)
    l.summary = "Who has " + a->tpa.str() + "? Tell " + a->spa.str();
  else
    l.summary = a->spa.str() + " is at " + a->sha.str();
  return l;
}

Layer decode_ipv4(FrameBytes b, std::size_t at, std::uint32_t vlen, std::uint8_t& proto,
                  std::size_t& payload_at) {
  namespace f = w::ipv4::field;
  Layer l{"IPv4", {}, static_cast<std::uint32_t>(at), 20, {}, {}};
  auto v = w::Ipv4View::checked(as_bytes(b.substr(at)), vlen);
  if (!v) {
    l.error = error_text(v.error(), at);
    return l;
  }
  l.length = static_cast<std::uint32_t>(v->header_len());
  proto = static_cast<std::uint8_t>(v->protocol());
  payload_at = at + v->header_len();
  add(l, "Version / IHL", std::to_string(v->version()) + " / " + std::to_string(v->header_len()) + " bytes",
      f::ver_ihl);
  add(l, "DSCP / ECN", std::to_string(v->dscp()) + " / " + std::to_string(v->ecn()), f::dscp_ecn);
  add(l, "Total length", std::to_string(v->total_length()), f::total_length);
  add(l, "Identification", hex16(v->ident()), f::ident);
  std::string flags = v->dont_fragment() ? "DF" : "";
  if (v->more_fragments()) flags += flags.empty() ? "MF" : " MF";
  add(l, "Flags / offset", (flags.empty() ? "none" : flags) + " / " + std::to_string(v->fragment_offset()),
      f::flags_frag);
  add(l, "TTL", std::to_string(v->ttl()), f::ttl);
  add(l, "Protocol", std::to_string(proto) + " (" + w::to_string(v->protocol()) + ")", f::protocol);
  add(l, "Header checksum", hex16(v->checksum()) + (v->checksum_ok() ? " (correct)" : " (BAD)"), f::checksum);
  add(l, "Source", v->src().str(), f::src);
  add(l, "Destination", v->dst().str(), f::dst);
  if (v->header_len() > w::ipv4::kMinHeaderLen)
    add(l, "Options", std::to_string(v->header_len() - w::ipv4::kMinHeaderLen) + " bytes",
        {w::ipv4::kMinHeaderLen, v->header_len()});
  l.summary = v->src().str() + " > " + v->dst().str() + ", " + w::to_string(v->protocol()) + ", TTL " +
              std::to_string(v->ttl());
  return l;
}

std::string tcp_flags(std::uint8_t bits) {
  static constexpr const char* kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string out;
  for (int i = 0; i < 8; ++i)
    if (bits & (1 << i)) out += (out.empty() ? "" : ",") + std::string(kNames[i]);
  return out.empty() ? "none" : out;
}

// RFC 9293 3.1.
Layer decode_tcp(FrameBytes b, std::size_t at) {
  Layer l{"TCP", {}, static_cast<std::uint32_t>(at), 20, {}, {}};
  if (!fits(l, b, 20, "tcp")) return l;
  std::size_t hlen = static_cast<std::size_t>(u8(b, at + 12) >> 4) * 4;
  l.length = static_cast<std::uint32_t>(hlen);
  std::uint8_t flags = u8(b, at + 13);
  add(l, "Source port", std::to_string(u16(b, at)), {0, 2});
  add(l, "Destination port", std::to_string(u16(b, at + 2)), {2, 4});
  add(l, "Sequence number", std::to_string(u32(b, at + 4)), {4, 8});
  add(l, "Acknowledgment", std::to_string(u32(b, at + 8)), {8, 12});
  add(l, "Header length", std::to_string(hlen) + " bytes", {12, 13});
  add(l, "Flags", tcp_flags(flags), {13, 14});
  add(l, "Window", std::to_string(u16(b, at + 14)), {14, 16});
  add(l, "Checksum", hex16(u16(b, at + 16)), {16, 18});
  add(l, "Urgent pointer", std::to_string(u16(b, at + 18)), {18, 20});
  if (hlen < 20) {
    l.error = "tcp.data_offset at byte " + std::to_string(at + 12) + ": below 5 words";
    return l;
  }
  if (hlen > 20 && fits(l, b, hlen, "tcp.options"))
    add(l, "Options", std::to_string(hlen - 20) + " bytes", {20, hlen});
  l.summary = std::to_string(u16(b, at)) + " > " + std::to_string(u16(b, at + 2)) + " [" + tcp_flags(flags) +
              "] seq " + std::to_string(u32(b, at + 4));
  return l;
}

// RFC 768.
Layer decode_udp(FrameBytes b, std::size_t at) {
  Layer l{"UDP", {}, static_cast<std::uint32_t>(at), 8, {}, {}};
  if (!fits(l, b, 8, "udp")) return l;
  add(l, "Source port", std::to_string(u16(b, at)), {0, 2});
  add(l, "Destination port", std::to_string(u16(b, at + 2)), {2, 4});
  add(l, "Length", std::to_string(u16(b, at + 4)), {4, 6});
  add(l, "Checksum", hex16(u16(b, at + 6)), {6, 8});
  l.summary = std::to_string(u16(b, at)) + " > " + std::to_string(u16(b, at + 2)) + ", length " +
              std::to_string(u16(b, at + 4));
  return l;
}

// RFC 792 (echo fields only).
Layer decode_icmp(FrameBytes b, std::size_t at) {
  Layer l{"ICMP", {}, static_cast<std::uint32_t>(at), 8, {}, {}};
  if (!fits(l, b, 8, "icmp")) return l;
  unsigned type = u8(b, at), code = u8(b, at + 1);
  std::string name = type == 8    ? "echo request"
                     : type == 0  ? "echo reply"
                     : type == 3  ? "unreachable"
                     : type == 11 ? "time exceeded"
                                  : "";
  add(l, "Type", std::to_string(type) + (name.empty() ? "" : " (" + name + ")"), {0, 1});
  add(l, "Code", std::to_string(code), {1, 2});
  add(l, "Checksum", hex16(u16(b, at + 2)), {2, 4});
  add(l, "Rest of header", hex16(u16(b, at + 4)) + " " + hex16(u16(b, at + 6)), {4, 8});
  l.summary = name.empty() ? "type " + std::to_string(type) : name;
  return l;
}

// RFC 5798 5.1 (v3), also reads v2 (RFC 3768 5.1: the same first four bytes).
Layer decode_vrrp(FrameBytes b, std::size_t at) {
  Layer l{"VRRP", {}, static_cast<std::uint32_t>(at), 8, {}, {}};
  if (!fits(l, b, 8, "vrrp")) return l;
  unsigned version = u8(b, at) >> 4, type = u8(b, at) & 15, vrid = u8(b, at + 1), prio = u8(b, at + 2);
  unsigned count = u8(b, at + 3);
  add(l, "Version / type",
      std::to_string(version) + " / " + std::to_string(type) + (type == 1 ? " (advertisement)" : ""), {0, 1});
  add(l, "Virtual router id", std::to_string(vrid), {1, 2});
  add(l, "Priority",
      std::to_string(prio) + (prio == 0     ? " (master stopping)"
                              : prio == 255 ? " (owner)"
                                            : ""),
      {2, 3});
  add(l, "Address count", std::to_string(count), {3, 4});
  if (version == 3)
    add(l, "Max advert interval", std::to_string(u16(b, at + 4) & 0x0fff) + " cs", {4, 6});
  else
    add(l, "Auth type / advert", std::to_string(u8(b, at + 4)) + " / " + std::to_string(u8(b, at + 5)) + " s",
        {4, 6});
  add(l, "Checksum", hex16(u16(b, at + 6)), {6, 8});
  for (unsigned i = 0; i < count && b.size() >= at + 8 + 4 * (i + 1); ++i) {
    std::size_t o = 8 + 4 * i;
    add(l, "Address " + std::to_string(i + 1), ip_str(u32(b, at + o)), {o, o + 4});
    l.length = static_cast<std::uint32_t>(o + 4);
  }
  l.summary = "VRID " + std::to_string(vrid) + ", priority " + std::to_string(prio);
  return l;
}

// The rest of the frame: its text if it looks like HTTP, else its length.
Layer decode_payload(FrameBytes b, std::size_t at, std::uint32_t vlen) {
  Layer l{"Payload", {}, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(b.size() - at), {}, {}};
  std::string_view text(reinterpret_cast<const char*>(b.data() + at), b.size() - at);
  std::size_t eol = text.find("\r\n");
  bool http = text.starts_with("HTTP/") || text.starts_with("GET ") || text.starts_with("POST ") ||
              text.starts_with("HEAD ") || text.starts_with("PUT ");
  l.summary =
      std::to_string(b.size() - at) + " bytes" + (vlen ? " + " + std::to_string(vlen) + " virtual" : "");
  if (http && eol != std::string_view::npos) {
    l.name = "HTTP";
    l.fields.push_back(
        {"First line", std::string(text.substr(0, eol)), l.offset, static_cast<std::uint32_t>(eol)});
    l.summary = std::string(text.substr(0, eol));
  }
  l.fields.push_back({"Stored bytes", std::to_string(b.size() - at), l.offset, l.length});
  if (vlen) l.fields.push_back({"Virtual bytes", std::to_string(vlen) + " (zeros, not stored)", 0, 0});
  return l;
}

void decode_ip_payload(std::vector<Layer>& out, FrameBytes b, std::size_t at, std::uint8_t proto,
                       std::uint32_t vlen) {
  Layer l;
  switch (proto) {
    case 1:
      l = decode_icmp(b, at);
      break;
    case 6:
      l = decode_tcp(b, at);
      break;
    case 17:
      l = decode_udp(b, at);
      break;
    case 112:
      l = decode_vrrp(b, at);
      break;
    default:
      break;
  }
  std::size_t next = at;
  if (!l.name.empty()) {
    next = at + l.length;
    bool ok = l.error.empty();
    out.push_back(std::move(l));
    if (!ok) return;
  }
  if (next < b.size() || vlen) out.push_back(decode_payload(b, std::min(next, b.size()), vlen));
}

}  // namespace

std::vector<Layer> decode_frame(FrameBytes bytes, std::uint32_t virtual_len) {
  std::vector<Layer> out;
  std::uint16_t type = 0;
  out.push_back(decode_ethernet(bytes, type));
  if (!out.back().error.empty()) return out;
  std::size_t at = w::ethernet::kHeaderLen;
  if (type == static_cast<std::uint16_t>(w::EtherType::Arp)) {
    out.push_back(decode_arp(bytes, at));
    return out;
  }
  if (type != static_cast<std::uint16_t>(w::EtherType::Ipv4)) return out;
  std::uint8_t proto = 0;
  std::size_t payload_at = at;
  out.push_back(decode_ipv4(bytes, at, virtual_len, proto, payload_at));
  if (!out.back().error.empty()) return out;
  // The IP payload ends at total_length: Ethernet padding after it is not data.
  std::size_t ip_end = std::min<std::size_t>(bytes.size(), at + u16(bytes, at + 2));
  decode_ip_payload(out, bytes.substr(0, ip_end), payload_at, proto, virtual_len);
  return out;
}

FrameEndpoints frame_endpoints(FrameBytes b) {
  FrameEndpoints e;
  if (b.size() < 14) return e;
  std::uint16_t type = u16(b, 12);
  if (type == 0x0806 && b.size() >= 14 + 28) {
    return {true, u32(b, 14 + 14), u32(b, 14 + 24), 0, 0};
  }
  if (type != 0x0800 || b.size() < 14 + 20) return e;
  std::size_t hlen = static_cast<std::size_t>(u8(b, 14) & 15u) * 4;
  e = {true, u32(b, 14 + 12), u32(b, 14 + 16), 0, 0};
  std::uint8_t proto = u8(b, 14 + 9);
  std::size_t tp = 14 + hlen;
  if ((proto == 6 || proto == 17) && b.size() >= tp + 4) {
    e.sport = u16(b, tp);
    e.dport = u16(b, tp + 2);
  }
  return e;
}

std::size_t hex_dump_column(std::size_t offset) {
  std::size_t col = offset % 16;
  return (offset / 16) * kHexDumpLineLen + 6 + col * 3 + (col >= 8 ? 1 : 0);
}

std::string hex_dump(FrameBytes b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t line = 0; line < b.size(); line += 16) {
    char head[24];
    std::snprintf(head, sizeof head, "%04zx  ", line & 0xffff);
    out += head;
    std::string ascii;
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 8) out += ' ';
      if (line + i < b.size()) {
        std::uint8_t c = b[line + i];
        out += kHex[c >> 4];
        out += kHex[c & 15];
        out += ' ';
        ascii += (c >= 32 && c < 127) ? static_cast<char>(c) : '.';
      } else {
        out += "   ";
        ascii += ' ';
      }
    }
    out += ' ' + ascii + '\n';
  }
  return out;
}

}  // namespace nlb::gui
