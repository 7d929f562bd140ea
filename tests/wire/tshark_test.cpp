// Wireshark as referee (issue #3): every frame our emitters build must dissect with no
// "Malformed" and with every checksum Good. Skipped, with a message, when tshark is absent.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"
#include "models/wire/vrrp.hpp"
#include "tests/wire/sample_frames.hpp"
#include "tests/wire/tshark_util.hpp"
#include "tests/wire/wire_test_util.hpp"

using namespace nlb::wire;
using namespace nlb::wire::test;

TEST_CASE("tshark dissects every emitted frame with good checksums and nothing malformed") {
  if (!tshark_available()) {
    MESSAGE("tshark not found: Wireshark cross-check skipped");
    return;
  }
  auto frames = sample_frames();
  std::string path = std::string(NLBSIM_BINARY_DIR) + "/wire_tshark_sample.pcap";
  write_pcap(path, frames);
  std::string out = tshark_dissect(path);
  INFO(out);
  CHECK(count_of(out, "Frame ") >= frames.size());
  CHECK(count_of(out, "Malformed") == 0);
  CHECK(count_of(out, "Checksum Status: Bad") == 0);
  CHECK(count_of(out, "incorrect") == 0);
  CHECK(count_of(out, "Bad checksum") == 0);
  // Every IPv4 frame: the IP header and the ICMP/UDP/TCP/VRRP checksums verified (11 frames),
  // plus the IPv4 header quoted by Time Exceeded; only the quoted, cut UDP header is unverified.
  CHECK(count_of(out, "[correct]") == 2 * 11 + 1);
  CHECK(count_of(out, "[Checksum Status: Unverified]") == 1);
  CHECK(out.find("Who has 10.0.0.11? Tell 10.0.0.1") != std::string::npos);
  CHECK(out.find("10.0.0.11 is at 02:00:00:00:00:0b") != std::string::npos);
  CHECK(out.find("ARP Announcement for 10.0.0.20") != std::string::npos);
  CHECK(out.find("Who has 10.0.0.20? (ARP Probe)") != std::string::npos);
  CHECK(out.find("Maximum segment size: 1460 bytes") != std::string::npos);
  CHECK(out.find("Announcement (v3)") != std::string::npos);
  CHECK(out.find("Announcement (v2)") != std::string::npos);
}

TEST_CASE("tshark accepts the rfc 9568 vrrpv3 checksum only with its v3_checksum_as_in_v2 preference") {
  if (!tshark_available()) {
    MESSAGE("tshark not found: Wireshark cross-check skipped");
    return;
  }
  std::string path = std::string(NLBSIM_BINARY_DIR) + "/wire_tshark_vrrp9568.pcap";
  write_pcap(path, {vrrp_frame(sample_vrrp(3), Ipv4(10, 0, 0, 1), VrrpChecksumMode::NoPseudoHeader)});
  std::string as_v2 = tshark_dissect(path, "-o vrrp.v3_checksum_as_in_v2:TRUE");
  INFO(as_v2);
  CHECK(count_of(as_v2, "[correct]") == 2);
  CHECK(count_of(as_v2, "incorrect") == 0);
  std::string by_default = tshark_dissect(path);
  INFO(by_default);
  CHECK(count_of(by_default, "incorrect") == 1);
}

TEST_CASE("tshark flags a corrupted checksum, so the cross-check above can fail") {
  if (!tshark_available()) {
    MESSAGE("tshark not found: Wireshark cross-check skipped");
    return;
  }
  auto f = udp_frame("hello", 0);
  f[ethernet::kHeaderLen + 20 + 8] ^= std::byte{1};
  std::string path = std::string(NLBSIM_BINARY_DIR) + "/wire_tshark_bad.pcap";
  write_pcap(path, {f});
  std::string out = tshark_dissect(path);
  INFO(out);
  CHECK(count_of(out, "Checksum Status: Bad") == 1);
}
