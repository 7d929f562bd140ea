#pragma once
// Wireshark as referee: write frames into a classic pcap file by hand (global header +
// records, LINKTYPE_ETHERNET) and read tshark's verbose dissection back.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"

namespace nlb::wire::test {

inline bool tshark_available() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

// Frames as captured: real bytes then the virtual ones as zeros, padded to 60 bytes.
inline void write_pcap(const std::string& path, const std::vector<std::vector<std::byte>>& frames) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  auto u32 = [&](std::uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  u32(0xa1b2c3d4);  // microsecond timestamps, host byte order (readers detect it)
  u16(2);
  u16(4);
  u32(0);  // thiszone
  u32(0);  // sigfigs
  u32(65535);
  u32(1);  // LINKTYPE_ETHERNET
  std::uint32_t t = 0;
  for (const auto& fr : frames) {
    u32(t++);
    u32(0);
    u32(static_cast<std::uint32_t>(fr.size()));
    u32(static_cast<std::uint32_t>(fr.size()));
    f.write(reinterpret_cast<const char*>(fr.data()), static_cast<std::streamsize>(fr.size()));
  }
}

// tshark -P -V with every checksum check that tshark can do switched on.
inline std::string tshark_dissect(const std::string& pcap, const std::string& extra_opts = "") {
  std::string cmd = "tshark -r '" + pcap +
                    "' -P -V -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE"
                    " -o udp.check_checksum:TRUE " +
                    extra_opts + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Builds Ethernet + IPv4 around a transport message whose header the caller emits, the way a
// node would: the caller gets the IPv4 payload area to fill.
struct FrameBuilder {
  std::vector<std::byte> bytes;
  std::uint32_t virtual_len = 0;

  static FrameBuilder ipv4(IpProto proto, Ipv4 src, Ipv4 dst, std::size_t real_payload,
                           std::uint32_t virtual_len = 0, std::uint8_t ttl = 64) {
    FrameBuilder b;
    b.virtual_len = virtual_len;
    b.bytes.assign(ethernet::kHeaderLen + ipv4::kMinHeaderLen + real_payload, std::byte{0});
    EthernetHeader{Mac::local(2), Mac::local(1), EtherType::Ipv4}.emit(b.bytes);
    Ipv4Header ip{.ident = 1, .dont_fragment = true, .ttl = ttl, .protocol = proto, .src = src, .dst = dst};
    ip.set_payload_len(real_payload + virtual_len);
    ip.emit(b.ip());
    return b;
  }
  MutBytes ip() { return MutBytes(bytes).subspan(ethernet::kHeaderLen); }
  MutBytes l4() { return ip().subspan(ipv4::kMinHeaderLen); }
  // As captured: virtual bytes become zeros, short frames are padded to 60.
  std::vector<std::byte> captured() const {
    auto out = bytes;
    out.resize(std::max(out.size() + virtual_len, ethernet::kMinFrameLen), std::byte{0});
    return out;
  }
};

}  // namespace nlb::wire::test
