// libFuzzer target over every parser of bytes that come off a link (issue #7): the wire
// formats of models/wire, the frame describers the trace and the GUI use, the text forms of
// addresses, and the HTTP heads of models/apps. Built by scripts/fuzz (docs/reliability.md).
//
// Input: [selector][virtual-length byte][bytes...]. The selector's low 7 bits pick one parser so
// that each gets the whole of the fuzzer's attention when its input is chosen; the seeds
// (scripts/fuzz) give every parser real frames from a capture, cut at that parser's layer. Its
// top bit asks for the layer's checksum to be set right before parsing: a mutation almost
// always breaks a checksum, and a parser that verifies it (IPv4's header, the transports'
// pseudo-header sums) would then never show the fuzzer what lies behind. The second byte times
// 8 is the count of virtual zero bytes after the stored ones (link::Frame::virtual_len).
//
// Besides "no crash, no out-of-bounds read, no undefined behaviour" (ASan, UBSan), the target
// checks properties and aborts when one fails:
//  - whatever a parser accepts, emit() writes back into bytes that parse to the same value
//    (TCP options: encode());
//  - decode_frame's fields lie inside the frame (a payload may extend into the virtual bytes),
//    since the GUI's packet inspector highlights them by offset and length;
//  - an address's text form parses back to the same address;
//  - ones_sum agrees with RFC 1071's 16-bit sum on every input.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "models/apps/http_message.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/describe.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ha.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"
#include "models/wire/vrrp.hpp"

using namespace nlb::wire;

namespace {

// Stops the run the way a sanitizer would: libFuzzer saves the input as a crash.
void require(bool ok) {
  if (!ok) std::abort();
}

template <typename T, typename Parse>
void round_trip(const Result<T>& r, Parse&& parse) {
  if (!r) return;
  std::array<std::byte, 2048> buf{};
  require(r->wire_len() <= buf.size());
  r->emit(MutBytes(buf).first(r->wire_len()));
  auto again = parse(Bytes(buf).first(r->wire_len()));
  require(again && *again == *r);
}

const Ipv4 kSrc(10, 0, 0, 1), kDst(10, 0, 0, 2);

// RFC 1071 as written: 16-bit words, an odd last byte padded with zero, end-around carries.
// ones_sum adds 32 bits at a time for speed; on every input both must give the same checksum.
void check_ones_sum(Bytes b, std::uint32_t start) {
  std::uint64_t s = start;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) s += get16(b, i);
  if (b.size() % 2 != 0) s += std::uint32_t{get8(b, b.size() - 1)} << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  require(fold(ones_sum(b, start)) == static_cast<std::uint16_t>(~s & 0xffff));
}

void fuzz_frame(Bytes b, std::uint32_t virt) {
  round_trip(EthernetHeader::parse(b), [](Bytes x) { return EthernetHeader::parse(x); });
  (void)describe_frame(b, virt);
  (void)frame_kind(b, virt);
  for (const Layer& layer : decode_frame(b, virt))
    for (const Field& f : layer.fields)
      require(f.offset + f.length <= b.size() + (f.name == "payload" ? virt : 0));
}

void fuzz_arp(Bytes b) {
  round_trip(Arp::parse(b), [](Bytes x) { return Arp::parse(x); });
}

void fuzz_ipv4(Bytes b, std::uint32_t virt) {
  // emit() computes the checksum; a received 0xffff may come back as its other one's-complement
  // zero 0x0000, so the checksum field is left out of the comparison.
  auto ip = Ipv4Header::parse(b, virt);
  round_trip(ip, [&](Bytes x) {
    auto again = Ipv4Header::parse(x, 0xffff);
    if (again) again.value().checksum = ip->checksum;
    return again;
  });
  (void)Ipv4Header::parse_quoted(b);
}

void fuzz_icmp(Bytes b) {
  // The ICMP checksum covers the data: the header alone is compared structurally.
  round_trip(Icmp::parse(b), [](Bytes x) {
    return Result<Icmp>(Icmp{IcmpType{get8(x, 0)}, get8(x, 1), get16(x, 2), get32(x, 4)});
  });
  (void)Icmp::quoted_header(b);
}

void fuzz_udp(Bytes b, std::uint32_t virt) {
  round_trip(UdpHeader::parse(b, virt), [](Bytes x) { return UdpHeader::parse(x, 0xffff); });
  (void)UdpHeader::parse(b, kSrc, kDst, virt);
}

void fuzz_tcp(Bytes b, std::uint32_t virt) {
  round_trip(TcpHeader::parse(b), [](Bytes x) { return TcpHeader::parse(x); });
  (void)TcpHeader::parse(b, kSrc, kDst, virt);
  // Decoded options encode (in Linux's order, with its padding) to bytes that decode the same.
  if (auto o = TcpOptions::parse(b.first(std::min<std::size_t>(b.size(), OptionBytes::kCapacity)))) {
    auto again = TcpOptions::parse(o->encode().bytes());
    require(again && *again == *o);
  }
}

void fuzz_vrrp(Bytes b) {
  round_trip(Vrrp::parse(b), [](Bytes x) { return Vrrp::parse(x); });
  (void)Vrrp::parse(b, kSrc, vrrp::kMulticastGroup, VrrpChecksumMode::PseudoHeader);
  (void)Vrrp::parse(b, kSrc, vrrp::kMulticastGroup, VrrpChecksumMode::NoPseudoHeader);
}

void fuzz_ha(Bytes b) {
  (void)ha_message_type(b);
  round_trip(HaHeartbeat::parse(b), [](Bytes x) { return HaHeartbeat::parse(x); });
  round_trip(HaSync::parse(b), [](Bytes x) { return HaSync::parse(x); });
}

template <typename Addr>
void text_round_trip(std::string_view text) {
  auto a = Addr::parse(text);
  if (!a) return;
  auto again = Addr::parse(a->str());
  require(again && *again == *a);
}

void fuzz_text(Bytes b) {
  std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
  text_round_trip<Mac>(text);
  text_round_trip<Ipv4>(text);
  text_round_trip<Prefix>(text);
}

void fuzz_http(Bytes b) {
  nlb::apps::HttpHead head;
  if (nlb::apps::parse_request_head(b, head) == nlb::apps::HeadParse::Ok)
    require(head.head_len > 0 && head.head_len <= b.size());
  head = {};
  if (nlb::apps::parse_response_head(b, head) == nlb::apps::HeadParse::Ok)
    require(head.head_len > 0 && head.head_len <= b.size());
}

// Sets the 16-bit checksum at `at` so that the first `end` bytes sum to zero with `sum` (a
// pseudo-header) added, as RFC 1071 checks it.
void set_checksum(MutBytes b, std::size_t at, std::size_t end, std::uint32_t sum = 0) {
  if (end > b.size() || at + 2 > end) return;
  put16(b, at, 0);
  put16(b, at, fold(ones_sum(b.first(end), sum)));
}

void set_ipv4_checksum(MutBytes b) {
  if (b.empty()) return;
  set_checksum(b, ipv4::field::checksum.begin, std::size_t{get8(b, 0) & 0x0fu} * 4);
}

std::uint32_t pseudo(Ipv4 src, Ipv4 dst, IpProto proto, std::size_t stored, std::uint32_t virt) {
  return pseudo_header_sum(src, dst, proto, static_cast<std::uint16_t>(stored + virt));
}

// Sets the checksum of a transport message carried from src to dst (virtual bytes are zeros:
// they add nothing to a sum, but count in the pseudo-header's length).
void set_transport_checksum(IpProto proto, MutBytes b, Ipv4 src, Ipv4 dst, std::uint32_t virt) {
  switch (proto) {
    case IpProto::Icmp:
      set_checksum(b, 2, b.size());
      break;
    case IpProto::Udp:
      set_checksum(b, 6, b.size(), pseudo(src, dst, IpProto::Udp, b.size(), virt));
      break;
    case IpProto::Tcp:
      set_checksum(b, 16, b.size(), pseudo(src, dst, IpProto::Tcp, b.size(), virt));
      break;
    case IpProto::Vrrp:
      if (b.size() >= 8)
        put16(b, 6, vrrp_checksum(b, get8(b, 0) >> 4, src, dst, VrrpChecksumMode::PseudoHeader));
      break;
  }
}

// An IPv4 frame: its header's checksum, then its transport's with the header's addresses, so
// that the describers show the fuzzer the paths of a frame whose sums are right.
void fix_frame(MutBytes b, std::uint32_t virt) {
  if (b.size() <= ethernet::kHeaderLen || get16(b, 12) != 0x0800) return;
  MutBytes ip = b.subspan(ethernet::kHeaderLen);
  set_ipv4_checksum(ip);
  const std::size_t ihl = std::size_t{get8(ip, 0) & 0x0fu} * 4;
  if (ihl < ipv4::kMinHeaderLen || ihl > ip.size()) return;
  const Ipv4 src(get32(ip, ipv4::field::src.begin)), dst(get32(ip, ipv4::field::dst.begin));
  set_transport_checksum(IpProto{get8(ip, ipv4::field::protocol.begin)}, ip.subspan(ihl), src, dst, virt);
}

}  // namespace

// The parsers, by selector (the seed maker tests/fuzz/make_seeds.py writes the same values).
enum Selector : std::uint8_t { kFrame, kArp, kIpv4, kIcmp, kUdp, kTcp, kVrrp, kHa, kText, kHttp, kCount };

namespace {

// The checksum fix of the top selector bit.
void fix_checksum(Selector selector, MutBytes b, std::uint32_t virt) {
  switch (selector) {
    case kFrame:
      fix_frame(b, virt);
      break;
    case kIpv4:
      set_ipv4_checksum(b);
      break;
    case kIcmp:
      set_transport_checksum(IpProto::Icmp, b, kSrc, kDst, virt);
      break;
    case kUdp:
      set_transport_checksum(IpProto::Udp, b, kSrc, kDst, virt);
      break;
    case kTcp:
      set_transport_checksum(IpProto::Tcp, b, kSrc, kDst, virt);
      break;
    case kVrrp:
      set_transport_checksum(IpProto::Vrrp, b, kSrc, vrrp::kMulticastGroup, virt);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto selector = static_cast<Selector>((data[0] & 0x7f) % kCount);
  const std::uint32_t virt = std::uint32_t{data[1]} * 8;
  Bytes b(reinterpret_cast<const std::byte*>(data + 2), size - 2);
  check_ones_sum(b, std::uint32_t{data[1]} * 0x01010101u);  // up to 0xffffffff, as carried sums get
  std::array<std::byte, 4096> fixed;
  if ((data[0] & 0x80) != 0 && b.size() <= fixed.size()) {
    std::copy(b.begin(), b.end(), fixed.begin());
    fix_checksum(selector, MutBytes(fixed).first(b.size()), virt);
    b = Bytes(fixed).first(b.size());
  }
  switch (selector) {
    case kFrame:
      fuzz_frame(b, virt);
      break;
    case kArp:
      fuzz_arp(b);
      break;
    case kIpv4:
      fuzz_ipv4(b, virt);
      break;
    case kIcmp:
      fuzz_icmp(b);
      break;
    case kUdp:
      fuzz_udp(b, virt);
      break;
    case kTcp:
      fuzz_tcp(b, virt);
      break;
    case kVrrp:
      fuzz_vrrp(b);
      break;
    case kHa:
      fuzz_ha(b);
      break;
    case kText:
      fuzz_text(b);
      break;
    case kHttp:
      fuzz_http(b);
      break;
    case kCount:
      break;
  }
  return 0;
}
