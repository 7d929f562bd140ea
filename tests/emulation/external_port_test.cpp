// The emulator's boundary: a simulated host behind an ExternalPort answers real programs
// (ping, curl) running in a network namespace, over a veth pair the test makes and removes
// (veth_lab.hpp), with the real-time pacer driving the simulation. Without root or network
// namespaces these tests say so and skip.

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "models/apps/http_server.hpp"
#include "models/apps/ping_client.hpp"
#include "models/link/external_port.hpp"
#include "models/net/network.hpp"
#include "models/transport/transport_host.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/udp.hpp"
#include "sim/realtime_pacer.hpp"
#include "tests/emulation/veth_lab.hpp"

using namespace nlb;
using nlb::sim::Time;
using nlb::test::VethLab;
using nlb::wire::Ipv4;

namespace {

const Ipv4 kPeerIp(10, 213, 0, 1);  // the real host, in the peer namespace
const Ipv4 kSimIp(10, 213, 0, 2);   // the simulated host
const char* kPeerCidr = "10.213.0.1/24";

// One simulated host on a switch whose other port is the veth end in the lab's sim namespace.
// Members are destroyed port first (its reader thread stops, its NIC leaves the LAN), then the
// transport, the pacer, the network, the simulation.
struct Emulated {
  explicit Emulated(const VethLab& lab, link::LinkConfig link = {}, sim::RealtimeConfig rt = {})
      : net(sim), pacer(sim, rt) {
    link::LanConfig lc;
    lc.link = link;
    lan = &net.add_lan("lan", lc);
    host = &net.add_host("sim-host");
    net.connect(*host, "eth0", *lan);
    host->add_address(0, kSimIp, 24);
    th = std::make_unique<transport::TransportHost>(*host);
    link::ExternalPortConfig cfg;
    cfg.ifname = lab.sim_if;
    cfg.netns = lab.sim_ns;
    auto opened = link::ExternalPort::open(sim, pacer, net.pool(), cfg);
    error = opened.error;
    port = std::move(opened.port);
    if (port) {
      lan->attach(port->device());
      if (!port->start()) error = "reader thread did not start";
    }
  }
  sim::Simulation sim;
  net::Network net;
  sim::RealtimePacer pacer;
  link::Lan* lan = nullptr;
  net::Host* host = nullptr;
  std::unique_ptr<transport::TransportHost> th;
  std::unique_ptr<link::ExternalPort> port;
  std::string error;
};

// Checks `done` every 10 ms of simulated time and stops the real-time run when it holds.
class StopWhen {
 public:
  StopWhen(Emulated& e, std::function<bool()> done)
      : pacer_(e.pacer), done_(std::move(done)), timer_(e.sim, [this] { tick(); }) {
    timer_.schedule_in(Time::ms(10));
  }

 private:
  void tick() {
    if (done_()) {
      pacer_.request_stop();
    } else {
      timer_.schedule_in(Time::ms(10));
    }
  }
  sim::RealtimePacer& pacer_;
  std::function<bool()> done_;
  sim::Timer timer_;
};

// Runs a real command in a thread while the simulation runs in real time, until the command
// has exited and `also` holds (if given), or `limit` of simulated (= wall) time.
test::CommandResult run_alongside(Emulated& e, const std::string& cmd, Time limit,
                                  std::function<bool()> also = {}) {
  std::atomic<bool> finished{false};
  test::CommandResult result;
  std::thread t([&] {
    result = test::run_command("timeout 20 " + cmd);
    finished.store(true);
  });
  e.pacer.clear_stop();  // the previous run's stop request
  StopWhen stop(e, [&] { return finished.load() && (!also || also()); });
  e.pacer.run_until(e.sim.now() + limit);
  t.join();
  return result;
}

std::uint64_t match_count(const std::string& text, const std::string& pattern, int group = 1) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return 0;
  return std::stoull(m[group].str());
}

std::string lag_report(const sim::RealtimeStats& s) {
  return "pacer: " + std::to_string(s.events) + " events, " + std::to_string(s.late) +
         " late (>1ms), max lag " + s.max_lag.str() + ", mean lag " + s.mean_lag().str() + ", " +
         std::to_string(s.injected) + " frames injected, inbox full " + std::to_string(s.inbox_full);
}

#define SKIP_UNLESS_READY(lab)                   \
  if (!(lab).ready()) {                          \
    MESSAGE("skipped: " << (lab).skip_reason()); \
    return;                                      \
  }

}  // namespace

TEST_CASE("opening an external port on a missing interface or namespace is a clear error") {
  sim::Simulation sim;
  sim::RealtimePacer pacer(sim);
  link::FramePool pool;
  link::ExternalPortConfig cfg;
  cfg.ifname = "nlbt-no-such";
  auto r = link::ExternalPort::open(sim, pacer, pool, cfg);
  CHECK(r.port == nullptr);
  // Root is told the interface is missing; anyone else that a raw socket needs CAP_NET_RAW.
  const bool explained = r.error.find("no interface \"nlbt-no-such\"") != std::string::npos ||
                         r.error.find("CAP_NET_RAW") != std::string::npos;
  CHECK_MESSAGE(explained, r.error);

  cfg.netns = "nlbt-no-such-namespace";
  r = link::ExternalPort::open(sim, pacer, pool, cfg);
  CHECK(r.port == nullptr);
  CHECK_MESSAGE(r.error.find("no network namespace \"nlbt-no-such-namespace\"") != std::string::npos,
                r.error);

  cfg.netns = "../etc";
  r = link::ExternalPort::open(sim, pacer, pool, cfg);
  CHECK(r.port == nullptr);
  CHECK(r.error.find("not a network namespace name") != std::string::npos);

  cfg.netns.clear();
  cfg.ifname = "a-name-far-too-long-for-linux";
  r = link::ExternalPort::open(sim, pacer, pool, cfg);
  CHECK(r.port == nullptr);
  CHECK(r.error.find("must have 1 to 15 characters") != std::string::npos);
}

TEST_CASE("a partial UDP checksum left by offload is completed to the right value") {
  // A UDP datagram in a frame, with its correct checksum from the wire library.
  constexpr std::size_t kLen = 14 + 20 + 8 + 5;
  std::array<std::byte, kLen> frame{};
  wire::EthernetHeader{wire::Mac::local(1), wire::Mac::local(2), wire::EtherType::Ipv4}.emit(frame);
  wire::Ipv4Header ip;
  ip.src = kPeerIp;
  ip.dst = kSimIp;
  ip.protocol = wire::IpProto::Udp;
  ip.total_length = 20 + 8 + 5;
  auto ip_bytes = std::span(frame).subspan(14);
  ip.emit(ip_bytes);
  auto udp_bytes = ip_bytes.subspan(20);
  std::memcpy(udp_bytes.data() + 8, "hello", 5);
  wire::UdpHeader{40000, 53}.emit(udp_bytes, kPeerIp, kSimIp, udp_bytes.subspan(8));
  const std::uint16_t good = wire::get16(udp_bytes, 6);
  REQUIRE(wire::UdpHeader::parse(udp_bytes, kPeerIp, kSimIp).ok());

  // What Linux leaves there under CHECKSUM_PARTIAL: the pseudo-header sum, folded, not inverted.
  const auto pseudo = wire::pseudo_header_sum(kPeerIp, kSimIp, wire::IpProto::Udp, 8 + 5);
  wire::put16(udp_bytes, 6, static_cast<std::uint16_t>(~wire::fold(pseudo)));
  REQUIRE_FALSE(wire::UdpHeader::parse(udp_bytes, kPeerIp, kSimIp).ok());

  CHECK(link::complete_partial_checksum(frame));
  CHECK(wire::get16(udp_bytes, 6) == good);
  CHECK(wire::UdpHeader::parse(udp_bytes, kPeerIp, kSimIp).ok());

  // Not IPv4, or an IPv4 length that runs past the frame: left alone.
  auto arp_like = frame;
  wire::put16(arp_like, 12, 0x0806);
  CHECK_FALSE(link::complete_partial_checksum(arp_like));
  auto cut = frame;
  CHECK_FALSE(link::complete_partial_checksum(std::span(cut).first(kLen - 2)));
}

TEST_CASE("a real ping from a network namespace is answered by a simulated host, ARP crossing both ways") {
  VethLab lab(kPeerCidr);
  SKIP_UNLESS_READY(lab);
  Emulated e(lab);
  REQUIRE_MESSAGE(e.port != nullptr, e.error);

  // The simulated host pings the real one too: its ARP request goes out, the kernel's reply
  // comes in.
  apps::PingConfig pc;
  pc.target = kPeerIp;
  pc.count = 3;
  pc.interval = Time::ms(50);
  apps::PingClient sim_ping(*e.th, pc);
  sim_ping.start();

  auto r = run_alongside(e, lab.peer_command("ping -n -c 3 -i 0.2 -W 2 " + kSimIp.str()), Time::s(10),
                         [&] { return sim_ping.pinger().done(); });
  MESSAGE(r.output);
  CHECK(r.status == 0);
  CHECK(match_count(r.output, R"((\d+) received)") == 3);
  CHECK(sim_ping.stats().received == 3);

  // Each side holds the other's MAC: learned across the boundary.
  auto entry = e.host->arp(0).lookup(kPeerIp);
  REQUIRE(entry.has_value());
  CHECK(entry->mac.str() == lab.peer_mac);
  auto neigh = lab.peer("ip neigh show " + kSimIp.str());
  CHECK_MESSAGE(neigh.output.find(e.host->mac(0).str()) != std::string::npos, neigh.output);

  auto c = e.port->counters();
  CHECK(c.rx_frames >= 4);  // an ARP request or reply and three echo requests, at least
  CHECK(c.tx_frames >= 4);
  CHECK(c.tx_errors == 0);
  CHECK(c.rx_oversize == 0);
  CHECK(e.th->counters().echo_requests_answered == 3);
  MESSAGE(lag_report(e.pacer.stats()));
}

TEST_CASE("a real curl in a network namespace fetches pages from a simulated HTTP server over TCP") {
  VethLab lab(kPeerCidr);
  SKIP_UNLESS_READY(lab);
  if (test::run_command("command -v curl").status != 0) {
    MESSAGE("skipped: curl is not installed");
    return;
  }
  Emulated e(lab);
  REQUIRE_MESSAGE(e.port != nullptr, e.error);
  apps::HttpServerConfig sc;
  sc.response_size = 20'000;
  sc.service = apps::ServiceTime::constant(Time::ms(2));
  apps::HttpServer server(e.sim, e.th->tcp(), sc, e.sim.rng().stream("server/service"));
  REQUIRE(server.start());

  // Two requests on one kept-alive connection.
  const std::string url = "http://" + kSimIp.str() + "/";
  auto r = run_alongside(
      e,
      lab.peer_command(
          "curl -sS -o /dev/null -o /dev/null --max-time 5 -w '%{http_code} %{size_download}\\n' " + url +
          " " + url),
      Time::s(10));
  CHECK_MESSAGE(r.status == 0, r.output);
  CHECK(r.output == "200 20000\n200 20000\n");
  CHECK(server.counters().requests_served == 2);
  CHECK(server.counters().connections_accepted == 1);
  CHECK(e.th->counters().tcp_malformed == 0);
  auto c = e.port->counters();
  CHECK(c.rx_oversize == 0);
  MESSAGE("TCP checksums completed after offload: " << c.checksums_completed);
  MESSAGE(lag_report(e.pacer.stats()));
}

// One phase of the measurement: what the command printed and how the pacer kept up.
std::string measured(Emulated& e, const char* what, const std::string& cmd, Time limit,
                     test::CommandResult* out = nullptr) {
  e.pacer.reset_stats();
  test::CommandResult r = run_alongside(e, cmd, limit);
  if (out) *out = r;
  return std::string(what) + ": " + r.output + "  " + lag_report(e.pacer.stats());
}

TEST_CASE("a flood ping and bulk transfers through the external port: rates and lag") {
  VethLab lab(kPeerCidr);
  SKIP_UNLESS_READY(lab);
  const std::string url = "http://" + kSimIp.str() + "/";
  const std::string download =
      "curl -sS -o /dev/null --max-time 10 -H 'X-Response-Size: 20000000' -w "
      "'%{http_code} %{size_download} bytes, %{speed_download} B/s\\n' " +
      url;
  // 5 MB up: the real TCP sending into the simulation (segmentation offload off, as the
  // documentation asks: a 64 KB TSO frame cannot cross).
  const std::string upload =
      "sh -c \"head -c 5000000 /dev/zero | curl -sS -o /dev/null --max-time 10 "
      "--data-binary @- -w '%{http_code} %{size_upload} bytes, %{speed_upload} B/s\\n' " +
      url + "\"";
  for (std::uint64_t bps : {std::uint64_t{1'000'000'000}, std::uint64_t{100'000'000}}) {
    link::LinkConfig link;
    link.bandwidth_bps = bps;
    Emulated e(lab, link);
    REQUIRE_MESSAGE(e.port != nullptr, e.error);
    apps::HttpServerConfig sc;
    sc.service = apps::ServiceTime::constant(Time::zero());
    apps::HttpServer server(e.sim, e.th->tcp(), sc, e.sim.rng().stream("server/service"));
    REQUIRE(server.start());
    MESSAGE("---- simulated links at " << bps / 1'000'000 << " Mb/s");

    if (bps == 1'000'000'000) {
      // RTT at rest, then as fast as replies come back (ping -f sends the next on each reply).
      MESSAGE(measured(e, "ping -i 0.01", lab.peer_command("ping -n -q -c 50 -i 0.01 " + kSimIp.str()),
                       Time::s(10)));
      test::CommandResult flood;
      MESSAGE(measured(e, "ping -f", lab.peer_command("ping -n -q -f -c 5000 " + kSimIp.str()), Time::s(15),
                       &flood));
      const std::uint64_t received = match_count(flood.output, R"((\d+) received)");
      const std::uint64_t ms = match_count(flood.output, R"(time (\d+)ms)");
      CHECK(match_count(flood.output, R"((\d+) packets transmitted)") == 5000);
      CHECK(received >= 4950);
      if (ms > 0) MESSAGE("flood: " << received * 1000 / ms << " echo exchanges/s");
    }

    test::CommandResult down;
    MESSAGE(
        measured(e, "download 20 MB (simulated TCP sends)", lab.peer_command(download), Time::s(15), &down));
    CHECK(down.output.rfind("200 20000000 bytes", 0) == 0);
    if (lab.peer("ethtool -K " + lab.peer_if + " tx off").status == 0) {
      test::CommandResult up;
      MESSAGE(measured(e, "upload 5 MB (real TCP sends)", lab.peer_command(upload), Time::s(15), &up));
      CHECK(up.output.rfind("200 5000000 bytes", 0) == 0);
      lab.peer("ethtool -K " + lab.peer_if + " tx on");
    }
    auto c = e.port->counters();
    MESSAGE("port: rx " << c.rx_frames << " frames, tx " << c.tx_frames << " frames, inbox full "
                        << c.rx_inbox_full << ", tx errors " << c.tx_errors << ", oversize " << c.rx_oversize
                        << ", checksums completed " << c.checksums_completed);
    CHECK(c.rx_oversize == 0);
    CHECK_FALSE(e.pacer.stats().hard_limit_hit);
  }
}
