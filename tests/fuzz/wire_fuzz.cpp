// libFuzzer entry point over every wire parser and the frame decoders (issue #7).
// Build: cmake -DNLBSIM_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... && ./wire_fuzz corpus/
// Besides "no crash, no out-of-bounds read" (ASan/UBSan), it checks one property: whatever a
// parser accepts, its emit() writes back into bytes that parse to the same value.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "models/wire/arp.hpp"
#include "models/wire/describe.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"
#include "models/wire/vrrp.hpp"

using namespace nlb::wire;

namespace {

template <typename T, typename Parse>
void round_trip(const Result<T>& r, Parse&& parse) {
  if (!r) return;
  std::array<std::byte, 2048> buf{};
  if (r->wire_len() > buf.size()) std::abort();
  r->emit(MutBytes(buf).first(r->wire_len()));
  auto again = parse(Bytes(buf).first(r->wire_len()));
  if (!again || !(*again == *r)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes b(reinterpret_cast<const std::byte*>(data), size);
  // The first byte also picks a virtual payload length, so that those paths are explored.
  std::uint32_t virt = size > 0 ? std::to_integer<std::uint32_t>(b[0]) * 8 : 0;
  const Ipv4 src(10, 0, 0, 1), dst(10, 0, 0, 2);

  round_trip(EthernetHeader::parse(b), [](Bytes x) { return EthernetHeader::parse(x); });
  round_trip(Arp::parse(b), [](Bytes x) { return Arp::parse(x); });
  // emit() computes the IPv4 checksum; a received 0xffff may come back as its other one's-
  // complement zero 0x0000, so the checksum field is left out of the comparison.
  auto ip = Ipv4Header::parse(b, virt);
  round_trip(ip, [&](Bytes x) {
    auto again = Ipv4Header::parse(x, 0xffff);
    if (again) again.value().checksum = ip->checksum;
    return again;
  });
  (void)Ipv4Header::parse_quoted(b);
  // The ICMP checksum covers the data: the header alone is compared structurally.
  round_trip(Icmp::parse(b), [](Bytes x) {
    return Result<Icmp>(Icmp{IcmpType{get8(x, 0)}, get8(x, 1), get16(x, 2), get32(x, 4)});
  });
  (void)Icmp::quoted_header(b);
  round_trip(UdpHeader::parse(b, virt), [](Bytes x) { return UdpHeader::parse(x, 0xffff); });
  (void)UdpHeader::parse(b, src, dst, virt);
  round_trip(TcpHeader::parse(b), [](Bytes x) { return TcpHeader::parse(x); });
  (void)TcpHeader::parse(b, src, dst, virt);
  (void)TcpOptions::parse(b.first(std::min<std::size_t>(size, 40)));
  round_trip(Vrrp::parse(b), [](Bytes x) { return Vrrp::parse(x); });
  (void)Vrrp::parse(b, src, vrrp::kMulticastGroup);

  (void)describe_frame(b, virt);
  (void)decode_frame(b, virt);
  (void)frame_kind(b, virt);
  return 0;
}
