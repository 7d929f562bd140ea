// End to end: client - router - server with ARP, ICMP echo and UDP, captured per LAN and
// checked by Wireshark's own dissectors when tshark is installed (issue #3, "Captures").
#include <doctest/doctest.h>
#include <pcap/pcap.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "models/link/pcap_writer.hpp"
#include "models/net/network.hpp"
#include "models/wire/icmp.hpp"
#include "models/wire/udp.hpp"
#include "tests/net/net_helpers.hpp"

using namespace nlb;
using namespace nlb::net;
using namespace nlb::net::test;
using sim::Time;
namespace fs = std::filesystem;

namespace {
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

std::size_t count_records(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  REQUIRE_MESSAGE(p, err);
  std::size_t n = 0;
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1) ++n;
  pcap_close(p);
  return n;
}

// Answers ICMP echo requests, as a kernel does.
void echo_responder(Host& h) {
  h.on_protocol(wire::IpProto::Icmp, [&h](const RxDatagram& d) {
    auto m = wire::Icmp::parse(d.payload);
    if (!m || m->type != wire::IcmpType::EchoRequest) return;
    wire::Bytes data = d.payload.subspan(wire::icmp::kHeaderLen);
    Ipv4Send s;
    s.dst = d.src();
    s.src = d.dst();
    s.proto = wire::IpProto::Icmp;
    OutDatagram o = h.prepare(s, wire::icmp::kHeaderLen + data.size());
    std::copy(data.begin(), data.end(), o.payload().begin() + wire::icmp::kHeaderLen);
    wire::Icmp::echo_reply(m->ident(), m->seq())
        .emit(o.payload(), o.payload().subspan(wire::icmp::kHeaderLen));
    h.send(std::move(o));
  });
}

void send_ping(Host& h, wire::Ipv4 dst, std::uint16_t seq) {
  Ipv4Send s;
  s.dst = dst;
  s.proto = wire::IpProto::Icmp;
  const char text[] = "nlbsim ping payload";
  OutDatagram o = h.prepare(s, wire::icmp::kHeaderLen + sizeof text);
  std::memcpy(o.payload().data() + wire::icmp::kHeaderLen, text, sizeof text);
  wire::Icmp::echo_request(0x4242, seq).emit(o.payload(), o.payload().subspan(wire::icmp::kHeaderLen));
  h.send(std::move(o));
}

// A UDP datagram with `real` stored bytes and `virt` virtual ones.
void send_udp(Host& h, wire::Ipv4 dst, std::size_t real, std::uint32_t virt) {
  auto r = h.route_to(dst);
  REQUIRE(r);
  Ipv4Send s;
  s.dst = dst;
  s.src = r->src;
  s.proto = wire::IpProto::Udp;
  OutDatagram o = h.prepare(s, wire::udp::kHeaderLen + real, virt);
  auto payload = o.payload().subspan(wire::udp::kHeaderLen);
  for (std::size_t i = 0; i < real; ++i) payload[i] = std::byte(static_cast<std::uint8_t>('a' + i % 26));
  wire::UdpHeader u;
  u.src_port = 40000;
  u.dst_port = 9;
  u.emit(o.payload(), o.src(), o.dst(), payload, virt);
  h.send(std::move(o));
}
}  // namespace

TEST_CASE("a client-router-server exchange is captured per LAN and dissects cleanly in Wireshark") {
  sim::Simulation sim;
  Network net(sim);
  link::Lan& lan1 = net.add_lan("lan1");
  link::Lan& lan2 = net.add_lan("lan2");
  HostConfig rc;
  rc.forwarding = true;
  Host& client = net.add_host("client");
  Host& router = net.add_host("router", rc);
  Host& server = net.add_host("server");
  net.connect(client, "eth0", lan1);
  net.connect(router, "eth0", lan1);
  net.connect(router, "eth1", lan2);
  net.connect(server, "eth0", lan2);
  client.add_address(0, ip("10.0.1.2"), 24);
  router.add_address(0, ip("10.0.1.1"), 24);
  router.add_address(1, ip("10.0.2.1"), 24);
  server.add_address(0, ip("10.0.2.2"), 24);
  client.add_default_route(ip("10.0.1.1"));
  server.add_default_route(ip("10.0.2.1"));
  echo_responder(server);
  int replies = 0;
  client.on_protocol(wire::IpProto::Icmp, [&](const RxDatagram& d) {
    auto m = wire::Icmp::parse(d.payload);
    if (m && m->type == wire::IcmpType::EchoReply) ++replies;
  });
  int udp_received = 0;
  server.on_protocol(wire::IpProto::Udp, [&](const RxDatagram& d) {
    udp_received += wire::UdpHeader::parse(d.payload, d.src(), d.dst(), d.virtual_len).ok() ? 1 : 0;
  });

  fs::path dir = fs::path(NLBSIM_BINARY_DIR) / "test-out" / "net";
  fs::create_directories(dir);
  std::string p1 = (dir / "lan1.pcap").string(), p2 = (dir / "lan2.pcap").string();
  std::string error;
  auto w1 = link::PcapWriter::for_lan(sim, lan1.id(), p1, error);
  auto w2 = link::PcapWriter::for_lan(sim, lan2.id(), p2, error);
  REQUIRE_MESSAGE((w1 && w2), error);

  send_ping(client, ip("10.0.2.2"), 1);
  sim.run_until(Time::ms(1));
  send_ping(client, ip("10.0.2.2"), 2);
  send_udp(client, ip("10.0.2.2"), 32, 0);
  send_udp(client, ip("10.0.2.2"), 100, 1000);  // virtual payload: zeros in the capture
  sim.run_until(Time::ms(2));
  CHECK(replies == 2);
  CHECK(udp_received == 2);
  REQUIRE(w1->close(error));
  REQUIRE(w2->close(error));

  // Each LAN: ARP request + reply, 2 echo requests + 2 replies, 2 UDP = 8 frames.
  CHECK(count_records(p1) == 8);
  CHECK(count_records(p2) == 8);

  if (run("command -v tshark").empty()) {
    MESSAGE("tshark is not installed: the captures were written but not dissected");
    return;
  }
  for (const auto& p : {p1, p2}) {
    std::string out =
        run("tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -r '" + p + "' -V 2>/dev/null");
    CAPTURE(p);
    REQUIRE(out.find("Frame 8:") != std::string::npos);
    CHECK(out.find("Malformed") == std::string::npos);
    CHECK(out.find("[Checksum Status: Bad]") == std::string::npos);
    CHECK(out.find("incorrect") == std::string::npos);
    CHECK(out.find("Expert Info (Error") == std::string::npos);
    CHECK(out.find("Expert Info (Warning") == std::string::npos);
    CHECK(out.find("Echo (ping) reply") != std::string::npos);
    CHECK(out.find("Address Resolution Protocol (reply)") != std::string::npos);
    CHECK(out.find("User Datagram Protocol, Src Port: 40000, Dst Port: 9") != std::string::npos);
    // Checksums were verified, not skipped.
    CHECK(out.find("[Header checksum status: Good]") != std::string::npos);
  }
}
