// The ns-3 side of the scenario benchmark (issue #8, docs/performance.md): the same work as
// `nlbsim-site-bench --traffic udp` in ns-3 3.37 (Debian's ns3 + libns3-dev), printing the same
// lines. Built and run by bench/ns3/run, never by the normal build or CI.
//
//   clients 100.64.0.10...  --CSMA "internet"--  inet  --point-to-point, 20 ms--  fw
//   fw, lb1, lb2            --CSMA "access" 192.168.10.0/24
//   fw, lb1, lb2, servers   --CSMA "servers" 10.0.0.0/16, servers in 10.0.128.0/17
//
// Static routes only: clients default via inet; inet 10.0.0.0/16 via fw; fw default via inet
// and 10.0.128.0/17 via lb1 (longer than its own /16 on the server LAN, so requests go through
// the balancer), lb1 and lb2 on both LANs; servers default via fw (direct return, as in the
// seed's Figure 3). ns-3 has no MAC-rewriting balancer: lb1 is a router that forwards each
// request to its server, which is the nearest it has. Client k sends a UDP echo request of
// `size` bytes every `interval` to server k mod M (ns-3's UdpEchoClient/UdpEchoServer), the
// clients staggered over one interval; ARP runs as ns-3 has it.
//
// Counted: datagrams handed to the transport of clients and servers (Ipv4L3Protocol's
// LocalDeliver trace, what nlbsim's Host::counters().delivered counts), the engine's events
// (Simulator::GetEventCount), wall time of Simulator::Run, the peak RSS, and heap allocations
// per datagram over the second half of the run (operator new counted, as in site_bench.cpp).

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/version-defines.h"

// The replaced operators below pair malloc with free by construction; g++ sees delete's free
// inlined into callers whose new it cannot see, and would warn of a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// --- heap allocations, counted (the one global: see site_bench.cpp) -------------------------
namespace {
std::uint64_t g_allocations = 0;
void* counted_alloc(std::size_t n) {
  ++g_allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t a) {
  ++g_allocations;
  const auto align = static_cast<std::size_t>(a);
  return std::aligned_alloc(align, (n + align - 1) / align * align);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted_aligned_alloc(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace ns3;

namespace {

std::uint64_t g_delivered = 0;
std::uint64_t g_echoes = 0;
std::uint64_t g_half_delivered = 0;
std::uint64_t g_half_allocations = 0;

void on_local_deliver(const Ipv4Header&, Ptr<const Packet>, uint32_t) { ++g_delivered; }
void on_echo(Ptr<const Packet>) { ++g_echoes; }
void at_half() {
  g_half_delivered = g_delivered;
  g_half_allocations = g_allocations;
}

Ipv4Address plus(Ipv4Address base, uint32_t k) { return Ipv4Address(base.Get() + k); }

void address(Ptr<NetDevice> dev, Ipv4Address a, Ipv4Mask m) {
  Ptr<Ipv4> ip = dev->GetNode()->GetObject<Ipv4>();
  int32_t i = ip->GetInterfaceForDevice(dev);
  if (i < 0) i = static_cast<int32_t>(ip->AddInterface(dev));
  ip->AddAddress(static_cast<uint32_t>(i), Ipv4InterfaceAddress(a, m));
  ip->SetUp(static_cast<uint32_t>(i));
}

Ptr<Ipv4StaticRouting> routing(Ptr<Node> n) {
  return Ipv4RoutingHelper::GetRouting<Ipv4StaticRouting>(n->GetObject<Ipv4>()->GetRoutingProtocol());
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t clients = 50, servers = 8, size = 512;
  double interval = 0.01, seconds = 10, start = 1;
  CommandLine cmd;
  cmd.AddValue("clients", "clients", clients);
  cmd.AddValue("servers", "servers", servers);
  cmd.AddValue("interval", "seconds between one client's requests", interval);
  cmd.AddValue("seconds", "simulated seconds of traffic", seconds);
  cmd.AddValue("start", "when the traffic starts (s)", start);
  cmd.AddValue("size", "UDP payload bytes", size);
  cmd.Parse(argc, argv);

  NodeContainer client_nodes, server_nodes, site;
  client_nodes.Create(clients);
  server_nodes.Create(servers);
  site.Create(4);  // inet, fw, lb1, lb2
  Ptr<Node> inet = site.Get(0), fw = site.Get(1), lb1 = site.Get(2), lb2 = site.Get(3);

  InternetStackHelper stack;
  stack.SetRoutingHelper(Ipv4StaticRoutingHelper());
  stack.Install(client_nodes);
  stack.Install(server_nodes);
  stack.Install(site);

  CsmaHelper csma;
  csma.SetChannelAttribute("DataRate", StringValue("1Gbps"));
  csma.SetChannelAttribute("Delay", TimeValue(MicroSeconds(1)));
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
  p2p.SetChannelAttribute("Delay", TimeValue(MilliSeconds(20)));

  NodeContainer internet_lan(client_nodes);
  internet_lan.Add(inet);
  NetDeviceContainer internet_devs = csma.Install(internet_lan);
  NetDeviceContainer wan_devs = p2p.Install(inet, fw);
  NetDeviceContainer access_devs = csma.Install(NodeContainer(fw, lb1, lb2));
  NodeContainer server_lan(fw, lb1, lb2);
  server_lan.Add(server_nodes);
  NetDeviceContainer server_devs = csma.Install(server_lan);

  const Ipv4Mask m10("255.192.0.0"), m30("255.255.255.252"), m24("255.255.255.0"), m16("255.255.0.0");
  const Ipv4Address client_base("100.64.0.10"), server_base("10.0.128.0");
  for (uint32_t k = 0; k < clients; ++k) address(internet_devs.Get(k), plus(client_base, k + 1), m10);
  address(internet_devs.Get(clients), Ipv4Address("100.64.0.1"), m10);
  address(wan_devs.Get(0), Ipv4Address("172.31.255.1"), m30);
  address(wan_devs.Get(1), Ipv4Address("172.31.255.2"), m30);
  address(access_devs.Get(0), Ipv4Address("192.168.10.2"), m24);
  address(access_devs.Get(1), Ipv4Address("192.168.10.4"), m24);
  address(access_devs.Get(2), Ipv4Address("192.168.10.5"), m24);
  address(server_devs.Get(0), Ipv4Address("10.0.2.2"), m16);
  address(server_devs.Get(1), Ipv4Address("10.0.2.4"), m16);
  address(server_devs.Get(2), Ipv4Address("10.0.2.5"), m16);
  for (uint32_t k = 0; k < servers; ++k) address(server_devs.Get(3 + k), plus(server_base, k + 1), m16);

  for (uint32_t k = 0; k < clients; ++k) routing(client_nodes.Get(k))->SetDefaultRoute("100.64.0.1", 1);
  routing(inet)->AddNetworkRouteTo("10.0.0.0", m16, "172.31.255.2", 2);
  routing(fw)->SetDefaultRoute("172.31.255.1", 1);
  routing(fw)->AddNetworkRouteTo("10.0.128.0", Ipv4Mask("255.255.128.0"), "192.168.10.4", 2);
  for (uint32_t k = 0; k < servers; ++k) routing(server_nodes.Get(k))->SetDefaultRoute("10.0.2.2", 1);

  const uint16_t port = 9;
  UdpEchoServerHelper echo_server(port);
  ApplicationContainer server_apps = echo_server.Install(server_nodes);
  server_apps.Start(Seconds(0));
  for (uint32_t k = 0; k < clients; ++k) {
    UdpEchoClientHelper c(plus(server_base, k % servers + 1), port);
    c.SetAttribute("MaxPackets", UintegerValue(0xffffffffu));
    c.SetAttribute("Interval", TimeValue(Seconds(interval)));
    c.SetAttribute("PacketSize", UintegerValue(size));
    ApplicationContainer app = c.Install(client_nodes.Get(k));
    app.Start(Seconds(start + interval * k / clients));
    app.Stop(Seconds(start + seconds));
    app.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&on_echo));
  }
  for (NodeContainer::Iterator n = client_nodes.Begin(); n != client_nodes.End(); ++n)
    (*n)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext("LocalDeliver",
                                                                  MakeCallback(&on_local_deliver));
  for (NodeContainer::Iterator n = server_nodes.Begin(); n != server_nodes.End(); ++n)
    (*n)->GetObject<Ipv4L3Protocol>()->TraceConnectWithoutContext("LocalDeliver",
                                                                  MakeCallback(&on_local_deliver));

  Simulator::Schedule(Seconds(start + seconds / 2), &at_half);
  Simulator::Stop(Seconds(start + seconds));
  const auto t0 = std::chrono::steady_clock::now();
  Simulator::Run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto events = static_cast<double>(Simulator::GetEventCount());
  const auto datagrams = static_cast<double>(g_delivered);
  const auto steady = static_cast<double>(g_delivered - g_half_delivered);
  const auto steady_allocs = static_cast<double>(g_allocations - g_half_allocations);
  Simulator::Destroy();

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "ns-3 %d.%d site bench: UDP echo, %u clients, %u servers, %u B, one request per client every %gs, "
      "%gs simulated\n",
      NS3_VERSION_MAJOR, NS3_VERSION_MINOR, clients, servers, size, interval, seconds);
  std::printf("requests completed          %llu\n", static_cast<unsigned long long>(g_echoes));
  std::printf("datagrams delivered         %.0f\n", datagrams);
  std::printf("events                      %.0f\n", events);
  std::printf("wall seconds                %.3f\n", wall);
  std::printf("datagrams per wall-second   %.0f\n", datagrams / wall);
  std::printf("events per wall-second      %.0f\n", events / wall);
  std::printf("events per datagram         %.2f\n", datagrams > 0 ? events / datagrams : 0.0);
  std::printf("peak RSS MiB                %.1f\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  std::printf("allocations per datagram    %.4f\n", steady > 0 ? steady_allocs / steady : 0.0);
  return 0;
}
