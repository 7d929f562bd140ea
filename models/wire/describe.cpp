#include "models/wire/describe.hpp"

#include <array>
#include <cstdio>
#include <string_view>

#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"
#include "models/wire/vrrp.hpp"

namespace nlb::wire {
namespace {

std::string hex(unsigned v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
  return buf;
}

std::string num(std::uint64_t v) { return std::to_string(v); }

std::string malformed(const char* layer, WireError e, std::size_t base) {
  e.offset += base;  // offsets in the text count from the start of the frame
  return std::string("malformed ") + layer + ": " + e.str();
}

// The checksum a header should carry: its one's-complement sum with the checksum field left
// out (`at` is the field's even offset), starting from `sum` (a pseudo-header).
std::uint16_t expected_checksum(Bytes b, std::size_t at, std::uint32_t sum = 0) {
  return fold(ones_sum(b.subspan(at + 2), ones_sum(b.first(at), sum)));
}

std::string checksum_text(std::uint16_t value, std::uint16_t expected) {
  if (value == expected) return hex(value, 4) + " (correct)";
  return hex(value, 4) + " (incorrect, should be " + hex(expected, 4) + ")";
}

// What an IPv4 payload is, once the IPv4 header has been checked.
struct IpPayload {
  Ipv4View ip;
  Bytes bytes;         // stored bytes of the payload
  std::uint32_t virt;  // virtual bytes that follow them
  std::size_t base;    // offset of the payload in the frame
  std::uint32_t len() const { return static_cast<std::uint32_t>(bytes.size()) + virt; }
};

std::uint32_t pseudo(const IpPayload& p, IpProto proto) {
  return pseudo_header_sum(p.ip.src(), p.ip.dst(), proto, static_cast<std::uint16_t>(p.len()));
}

// ---- one-line descriptions ---------------------------------------------------------------

std::string describe_arp(Bytes b, std::size_t base) {
  auto a = Arp::parse(b);
  if (!a) return malformed("ARP", a.error(), base);
  if (a->is_probe()) return "ARP probe who-has " + a->tpa.str();
  if (a->is_gratuitous())
    return "gratuitous ARP " + a->spa.str() + " is-at " + a->sha.str() +
           (a->op == ArpOp::Reply ? " (reply)" : "");
  if (a->op == ArpOp::Request) return "ARP who-has " + a->tpa.str() + " tell " + a->spa.str();
  if (a->op == ArpOp::Reply) return "ARP reply " + a->spa.str() + " is-at " + a->sha.str();
  return "ARP " + to_string(a->op) + " " + a->spa.str() + " > " + a->tpa.str();
}

std::string describe_icmp(const IpPayload& p) {
  std::string head = "ICMP " + p.ip.src().str() + " > " + p.ip.dst().str() + " ";
  if (p.bytes.size() < icmp::kHeaderLen)
    return malformed("ICMP", {"icmp", 0, "truncated"}, p.base + p.bytes.size());
  Icmp m{IcmpType{get8(p.bytes, 0)}, get8(p.bytes, 1), get16(p.bytes, 2), get32(p.bytes, 4)};
  std::string s = head + to_string(m.type);
  if (m.is_echo()) {
    s += " id " + num(m.ident()) + " seq " + num(m.seq()) + " len " + num(p.len() - icmp::kHeaderLen);
  } else if (m.is_error()) {
    s += " code " + num(m.code);
    if (auto q = Icmp::quoted_header(p.bytes))
      s += " (for " + to_string(q->protocol) + " " + q->src.str() + " > " + q->dst.str() + ")";
  } else {
    s += " code " + num(m.code);
  }
  if (internet_checksum(p.bytes) != 0) s += " [bad checksum]";
  return s;
}

std::string endpoints(const IpPayload& p, std::uint16_t sport, std::uint16_t dport) {
  return p.ip.src().str() + ":" + num(sport) + " > " + p.ip.dst().str() + ":" + num(dport);
}

std::string describe_udp(const IpPayload& p) {
  auto h = UdpHeader::parse(p.bytes, p.virt);
  if (!h) return malformed("UDP", h.error(), p.base);
  std::string s = "UDP " + endpoints(p, h->src_port, h->dst_port) + " len " + num(h->payload_len());
  if (!UdpHeader::parse(p.bytes, p.ip.src(), p.ip.dst(), p.virt)) s += " [bad checksum]";
  return s;
}

std::string describe_tcp(const IpPayload& p) {
  auto h = TcpHeader::parse(p.bytes);
  if (!h) return malformed("TCP", h.error(), p.base);
  std::string s =
      "TCP " + endpoints(p, h->src_port, h->dst_port) + " [" + h->flags.str() + "] seq " + num(h->seq);
  if (h->flags.ack()) s += " ack " + num(h->ack);
  s += " win " + num(h->window) + " len " + num(p.len() - h->header_len());
  if (!TcpHeader::parse(p.bytes, p.ip.src(), p.ip.dst(), p.virt)) s += " [bad checksum]";
  return s;
}

std::string describe_vrrp(const IpPayload& p) {
  auto v = Vrrp::parse(p.bytes);
  if (!v) return malformed("VRRP", v.error(), p.base);
  std::string s = "VRRPv" + num(v->version);
  if (v->type != VrrpType::Advertisement) s += " " + to_string(v->type);
  s += " vrid " + num(v->vrid) + " prio " + num(v->priority);
  // Appended piecewise: `" " + a.str()` makes GCC 12 at -O3 report a false -Werror=restrict
  // in the inlined operator+(const char*, string&&) (GCC PR 105329).
  for (Ipv4 a : v->addresses) {
    s += ' ';
    s += a.str();
  }
  if (!Vrrp::parse(p.bytes, p.ip.src(), p.ip.dst())) {
    bool rfc9568 = Vrrp::parse(p.bytes, p.ip.src(), p.ip.dst(), VrrpChecksumMode::NoPseudoHeader).ok();
    s += rfc9568 ? " [checksum without pseudo-header]" : " [bad checksum]";
  }
  return s;
}

std::string describe_ipv4(Bytes b, std::uint32_t virt, std::size_t base) {
  auto v = Ipv4View::checked(b, virt);
  if (!v) return malformed("IPv4", v.error(), base);
  IpPayload p{*v, v->payload(), v->payload_virtual_len(), base + v->header_len()};
  std::string s;
  if (v->fragment_offset() != 0 || v->more_fragments()) {
    s = "IPv4 " + v->src().str() + " > " + v->dst().str() + " " + to_string(v->protocol()) +
        " fragment offset " + num(std::uint32_t{v->fragment_offset()} * 8) + " len " + num(p.len());
  } else {
    switch (v->protocol()) {
      case IpProto::Icmp:
        s = describe_icmp(p);
        break;
      case IpProto::Udp:
        s = describe_udp(p);
        break;
      case IpProto::Tcp:
        s = describe_tcp(p);
        break;
      case IpProto::Vrrp:
        s = describe_vrrp(p);
        break;
      default:
        s = "IPv4 " + v->src().str() + " > " + v->dst().str() + " " + to_string(v->protocol()) + " len " +
            num(p.len());
    }
  }
  if (!v->checksum_ok()) s += " [bad IPv4 checksum]";
  return s;
}

// ---- layered decode ------------------------------------------------------------------------

void add(Layer& l, std::string name, std::string value, std::size_t offset, std::size_t length) {
  l.fields.push_back(Field{std::move(name), std::move(value), offset, length});
}

void add_error(Layer& l, WireError e, std::size_t base) {
  e.offset += base;
  add(l, "error", e.str(), e.offset, 0);
}

void add_payload(Layer& l, Bytes stored, std::uint32_t virt, std::size_t offset) {
  std::string v = num(stored.size() + virt) + " bytes";
  if (virt) v += " (" + num(virt) + " virtual)";
  add(l, "payload", v, offset, stored.size() + virt);
}

void decode_arp(std::vector<Layer>& out, Bytes b, std::size_t base) {
  Layer& l = out.emplace_back(Layer{"ARP", {}});
  auto a = Arp::parse(b);
  if (!a) return add_error(l, a.error(), base);
  namespace f = arp::field;
  add(l, "htype", "1 (Ethernet)", base + f::htype.begin, f::htype.size());
  add(l, "ptype", "0x0800 (IPv4)", base + f::ptype.begin, f::ptype.size());
  add(l, "hlen", "6", base + f::hlen.begin, f::hlen.size());
  add(l, "plen", "4", base + f::plen.begin, f::plen.size());
  add(l, "op", num(static_cast<unsigned>(a->op)) + " (" + to_string(a->op) + ")", base + f::oper.begin,
      f::oper.size());
  add(l, "sha", a->sha.str(), base + f::sha.begin, f::sha.size());
  add(l, "spa", a->spa.str(), base + f::spa.begin, f::spa.size());
  add(l, "tha", a->tha.str(), base + f::tha.begin, f::tha.size());
  add(l, "tpa", a->tpa.str(), base + f::tpa.begin, f::tpa.size());
  if (a->is_probe()) add(l, "kind", "RFC 5227 probe", base, 0);
  if (a->is_announcement()) add(l, "kind", "RFC 5227 announcement (gratuitous)", base, 0);
  if (a->is_gratuitous() && a->op == ArpOp::Reply) add(l, "kind", "gratuitous reply (RFC 5944 4.6)", base, 0);
}

void decode_quoted(std::vector<Layer>& out, Bytes message, std::size_t base) {
  auto q = Icmp::quoted_header(message);
  if (!q) return;  // an error without a readable quote: nothing more to show
  Layer& l = out.emplace_back(Layer{"Quoted IPv4", {}});
  std::size_t at = base + icmp::field::data;
  add(l, "src", q->src.str(), at + ipv4::field::src.begin, 4);
  add(l, "dst", q->dst.str(), at + ipv4::field::dst.begin, 4);
  add(l, "protocol", to_string(q->protocol), at + ipv4::field::protocol.begin, 1);
  add(l, "total_length", num(q->total_length), at + ipv4::field::total_length.begin, 2);
  std::size_t l4 = icmp::field::data + q->header_len();
  if ((q->protocol == IpProto::Udp || q->protocol == IpProto::Tcp) && message.size() >= l4 + 4) {
    add(l, "src_port", num(get16(message, l4)), base + l4, 2);
    add(l, "dst_port", num(get16(message, l4 + 2)), base + l4 + 2, 2);
  }
}

void decode_icmp(std::vector<Layer>& out, const IpPayload& p) {
  Layer& l = out.emplace_back(Layer{"ICMP", {}});
  namespace f = icmp::field;
  if (p.bytes.size() < icmp::kHeaderLen) return add_error(l, {"icmp", p.bytes.size(), "truncated"}, p.base);
  Icmp m{IcmpType{get8(p.bytes, 0)}, get8(p.bytes, 1), get16(p.bytes, 2), get32(p.bytes, 4)};
  add(l, "type", num(static_cast<unsigned>(m.type)) + " (" + to_string(m.type) + ")", p.base + f::type.begin,
      1);
  add(l, "code", num(m.code), p.base + f::code.begin, 1);
  add(l, "checksum", checksum_text(m.checksum, expected_checksum(p.bytes, f::checksum.begin)),
      p.base + f::checksum.begin, 2);
  if (m.is_echo()) {
    add(l, "id", num(m.ident()), p.base + f::ident.begin, 2);
    add(l, "seq", num(m.seq()), p.base + f::seq.begin, 2);
  } else {
    add(l, "rest", hex(m.rest, 8), p.base + f::rest.begin, 4);
  }
  add_payload(l, p.bytes.subspan(icmp::kHeaderLen), p.virt, p.base + icmp::kHeaderLen);
  if (m.is_error()) decode_quoted(out, p.bytes, p.base);
}

void decode_udp(std::vector<Layer>& out, const IpPayload& p) {
  Layer& l = out.emplace_back(Layer{"UDP", {}});
  auto h = UdpHeader::parse(p.bytes, p.virt);
  if (!h) return add_error(l, h.error(), p.base);
  namespace f = udp::field;
  add(l, "src_port", num(h->src_port), p.base + f::src_port.begin, 2);
  add(l, "dst_port", num(h->dst_port), p.base + f::dst_port.begin, 2);
  add(l, "length", num(h->length), p.base + f::length.begin, 2);
  std::string c = "0x0000 (none)";
  if (h->checksum != 0) {
    // The sum covers `length` bytes: the stored ones up to it, then virtual zeros.
    Bytes stored = p.bytes.first(udp::kHeaderLen + h->payload(p.bytes).size());
    std::uint32_t ph = pseudo_header_sum(p.ip.src(), p.ip.dst(), IpProto::Udp, h->length);
    std::uint16_t e = expected_checksum(stored, f::checksum.begin, ph);
    c = checksum_text(h->checksum, e == 0 ? 0xffff : e);
  }
  add(l, "checksum", c, p.base + f::checksum.begin, 2);
  Bytes payload = h->payload(p.bytes);
  add_payload(l, payload, static_cast<std::uint32_t>(h->payload_len() - payload.size()),
              p.base + udp::kHeaderLen);
}

std::string options_text(const TcpOptions& o) {
  std::string s;
  auto item = [&](const std::string& x) { s += (s.empty() ? "" : ", ") + x; };
  if (o.mss) item("mss " + num(*o.mss));
  if (o.sack_permitted) item("sackOK");
  if (o.timestamps) item("TS val " + num(o.timestamps->value) + " ecr " + num(o.timestamps->echo));
  if (o.window_scale) item("wscale " + num(*o.window_scale));
  return s.empty() ? "none decoded" : s;
}

void decode_tcp(std::vector<Layer>& out, const IpPayload& p) {
  Layer& l = out.emplace_back(Layer{"TCP", {}});
  auto h = TcpHeader::parse(p.bytes);
  if (!h) return add_error(l, h.error(), p.base);
  namespace f = tcp::field;
  add(l, "src_port", num(h->src_port), p.base + f::src_port.begin, 2);
  add(l, "dst_port", num(h->dst_port), p.base + f::dst_port.begin, 2);
  add(l, "seq", num(h->seq), p.base + f::seq.begin, 4);
  add(l, "ack", num(h->ack), p.base + f::ack.begin, 4);
  add(l, "data_offset", num(h->header_len()) + " bytes", p.base + f::data_offset.begin, 1);
  add(l, "flags", hex(h->flags.bits, 2) + " [" + h->flags.str() + "]", p.base + f::flags.begin, 1);
  add(l, "window", num(h->window), p.base + f::window.begin, 2);
  std::uint32_t ph = pseudo(p, IpProto::Tcp);
  add(l, "checksum", checksum_text(h->checksum, expected_checksum(p.bytes, f::checksum.begin, ph)),
      p.base + f::checksum.begin, 2);
  add(l, "urgent", num(h->urgent), p.base + f::urgent.begin, 2);
  if (!h->option_bytes.empty())
    add(l, "options", options_text(h->options()), p.base + f::options, h->option_bytes.size());
  add_payload(l, h->payload(p.bytes), p.virt, p.base + h->header_len());
}

void decode_vrrp(std::vector<Layer>& out, const IpPayload& p) {
  Layer& l = out.emplace_back(Layer{"VRRP", {}});
  auto v = Vrrp::parse(p.bytes);
  if (!v) return add_error(l, v.error(), p.base);
  namespace f = vrrp::field;
  add(l, "version", num(v->version), p.base, 1);
  add(l, "type", num(static_cast<unsigned>(v->type)) + " (" + to_string(v->type) + ")", p.base, 1);
  add(l, "vrid", num(v->vrid), p.base + f::vrid.begin, 1);
  add(l, "priority", num(v->priority), p.base + f::priority.begin, 1);
  add(l, "count", num(v->addresses.size()), p.base + f::count.begin, 1);
  if (v->version == 3) {
    add(l, "max_advert_int", num(v->max_advert_interval_cs) + " cs", p.base + f::max_advert_int.begin, 2);
  } else {
    add(l, "auth_type", num(v->auth_type), p.base + f::auth_type.begin, 1);
    add(l, "advert_int", num(v->advert_interval_s) + " s", p.base + f::advert_int.begin, 1);
  }
  std::string c;
  std::uint16_t with =
      vrrp_checksum(p.bytes, v->version, p.ip.src(), p.ip.dst(), VrrpChecksumMode::PseudoHeader);
  std::uint16_t without =
      vrrp_checksum(p.bytes, v->version, p.ip.src(), p.ip.dst(), VrrpChecksumMode::NoPseudoHeader);
  if (v->version == 3 && v->checksum != with && v->checksum == without)
    c = hex(v->checksum, 4) + " (correct without pseudo-header, RFC 9568)";
  else
    c = checksum_text(v->checksum, with);
  add(l, "checksum", c, p.base + f::checksum.begin, 2);
  for (std::size_t i = 0; i < v->addresses.size(); ++i)
    add(l, "address", v->addresses[i].str(), p.base + f::addresses + 4 * i, 4);
  if (v->version == 2) add(l, "auth_data", "8 bytes", p.base + f::addresses + 4 * v->addresses.size(), 8);
}

void decode_ipv4(std::vector<Layer>& out, Bytes b, std::uint32_t virt, std::size_t base) {
  Layer& l = out.emplace_back(Layer{"IPv4", {}});
  auto v = Ipv4View::checked(b, virt);
  if (!v) return add_error(l, v.error(), base);
  namespace f = ipv4::field;
  add(l, "version", "4", base, 1);
  add(l, "ihl", num(v->header_len()) + " bytes", base, 1);
  add(l, "dscp", num(v->dscp()), base + f::dscp_ecn.begin, 1);
  add(l, "ecn", num(v->ecn()), base + f::dscp_ecn.begin, 1);
  add(l, "total_length", num(v->total_length()), base + f::total_length.begin, 2);
  add(l, "ident", hex(v->ident(), 4), base + f::ident.begin, 2);
  std::string flags = std::string(v->dont_fragment() ? "DF" : "") + (v->more_fragments() ? " MF" : "");
  add(l, "flags", flags.empty() ? "none" : flags, base + f::flags_frag.begin, 1);
  add(l, "fragment_offset", num(std::uint32_t{v->fragment_offset()} * 8), base + f::flags_frag.begin, 2);
  add(l, "ttl", num(v->ttl()), base + f::ttl.begin, 1);
  add(l, "protocol", num(static_cast<unsigned>(v->protocol())) + " (" + to_string(v->protocol()) + ")",
      base + f::protocol.begin, 1);
  add(l, "checksum", checksum_text(v->checksum(), expected_checksum(v->header(), f::checksum.begin)),
      base + f::checksum.begin, 2);
  add(l, "src", v->src().str(), base + f::src.begin, 4);
  add(l, "dst", v->dst().str(), base + f::dst.begin, 4);
  if (v->header_len() > ipv4::kMinHeaderLen)
    add(l, "options", num(v->header_len() - ipv4::kMinHeaderLen) + " bytes", base + f::options,
        v->header_len() - ipv4::kMinHeaderLen);
  IpPayload p{*v, v->payload(), v->payload_virtual_len(), base + v->header_len()};
  if (v->fragment_offset() != 0 || v->more_fragments()) return add_payload(l, p.bytes, p.virt, p.base);
  switch (v->protocol()) {
    case IpProto::Icmp:
      return decode_icmp(out, p);
    case IpProto::Udp:
      return decode_udp(out, p);
    case IpProto::Tcp:
      return decode_tcp(out, p);
    case IpProto::Vrrp:
      return decode_vrrp(out, p);
    default:
      return add_payload(l, p.bytes, p.virt, p.base);
  }
}

bool starts_with(Bytes b, std::string_view text) {
  if (b.size() < text.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (get8(b, i) != static_cast<unsigned char>(text[i])) return false;
  return true;
}

}  // namespace

const char* frame_kind(Bytes frame, std::uint32_t virtual_len) {
  auto eth = EthernetView::checked(frame);
  if (!eth) return "other";
  if (eth->ethertype() == EtherType::Arp) {
    auto a = Arp::parse(eth->payload());
    return !a ? "other" : a->is_gratuitous() ? "garp" : "arp";
  }
  if (eth->ethertype() != EtherType::Ipv4) return "other";
  auto ip = Ipv4View::checked(eth->payload(), virtual_len);
  if (!ip || ip->fragment_offset() != 0) return "other";
  switch (ip->protocol()) {
    case IpProto::Icmp:
      return "icmp";
    case IpProto::Udp:
      return "udp";
    case IpProto::Vrrp:
      return "vrrp";
    case IpProto::Tcp: {
      auto tcp = TcpView::checked(ip->payload());
      if (!tcp) return "other";
      Bytes data = tcp->payload();
      // RFC 9110 9.3 methods a client of ours sends; a response starts with its status line.
      for (std::string_view m : {"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS "})
        if (starts_with(data, m)) return "http-request";
      if (starts_with(data, "HTTP/1.")) return "http-response";
      return "tcp";
    }
  }
  return "other";
}

std::string describe_frame(Bytes frame, std::uint32_t virtual_len) {
  auto eth = EthernetView::checked(frame);
  if (!eth) return malformed("Ethernet", eth.error(), 0);
  switch (eth->ethertype()) {
    case EtherType::Arp:
      return describe_arp(eth->payload(), ethernet::kHeaderLen);
    case EtherType::Ipv4:
      return describe_ipv4(eth->payload(), virtual_len, ethernet::kHeaderLen);
  }
  return "Ethernet " + eth->src().str() + " > " + eth->dst().str() + " type " + to_string(eth->ethertype()) +
         " len " + num(frame.size() + virtual_len);
}

std::vector<Layer> decode_frame(Bytes frame, std::uint32_t virtual_len) {
  std::vector<Layer> out;
  Layer& l = out.emplace_back(Layer{"Ethernet", {}});
  auto eth = EthernetView::checked(frame);
  if (!eth) {
    add_error(l, eth.error(), 0);
    return out;
  }
  namespace f = ethernet::field;
  add(l, "dst", eth->dst().str(), f::dst.begin, f::dst.size());
  add(l, "src", eth->src().str(), f::src.begin, f::src.size());
  add(l, "type", hex(static_cast<unsigned>(eth->ethertype()), 4) + " (" + to_string(eth->ethertype()) + ")",
      f::ethertype.begin, f::ethertype.size());
  std::size_t used = frame.size();  // bytes claimed by the inner layers, to show the padding
  switch (eth->ethertype()) {
    case EtherType::Arp:
      decode_arp(out, eth->payload(), ethernet::kHeaderLen);
      used = std::min(frame.size(), ethernet::kHeaderLen + arp::kLen);
      break;
    case EtherType::Ipv4:
      decode_ipv4(out, eth->payload(), virtual_len, ethernet::kHeaderLen);
      if (auto v = Ipv4View::checked(eth->payload(), virtual_len))
        used = std::min<std::size_t>(frame.size(), ethernet::kHeaderLen + v->total_length());
      break;
    default:
      add_payload(out.front(), eth->payload(), virtual_len, ethernet::kHeaderLen);
  }
  if (used < frame.size())  // out.front(): `l` may dangle after the inner layers were added
    add(out.front(), "padding", num(frame.size() - used) + " bytes", used, frame.size() - used);
  return out;
}

}  // namespace nlb::wire
