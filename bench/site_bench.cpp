// Scenario benchmark (issue #8, "Side by side with ns-3"): the seed's Figure 3 at a chosen size,
// built by the runner's builder from bench/scenarios/site-bench.json (the code `nlbsim run`
// uses), with ARP, VRRP, heartbeats, table sync and advisors running, and request/response
// traffic through the balancer pair:
//   --traffic udp  UDP echo (RFC 862, port 7): each client sends a datagram every --interval to
//                  the cluster address; the balancer gives it to a server, which echoes it
//                  straight back through the firewalls (ns-3's UdpEchoClient/Server)
//   --traffic tcp  the scenario's HTTP clients: one TCP connection per request, 512 bytes each
//                  way (Poisson arrivals, clients / interval requests per second in all)
//
// It reports, for the traffic phase only (from the traffic's start to the end): datagrams
// delivered to the clients' and servers' transports (Host::counters().delivered: what ns-3's
// Ipv4L3Protocol LocalDeliver counts), engine events, both per wall-second, events per
// datagram, the process's peak RSS, and heap allocations per delivered datagram over the
// second half of the phase (steady state), counted by the replaced operator new below.
// bench/ns3/ prints the same lines for ns-3; bench/compare runs both (docs/performance.md).
//
// Reading the wall clock is fine here; sim/ and the models never do.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "models/nodes/balancer.hpp"
#include "models/nodes/client.hpp"
#include "models/nodes/server.hpp"
#include "runner/load.hpp"
#include "runner/run/build.hpp"
#include "sim/simulation.hpp"

// The replaced operators below pair malloc with free by construction; g++ sees delete's free
// inlined into callers whose new it cannot see, and would warn of a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// --- heap allocations, counted --------------------------------------------------------------
// Replacing the global operator new is the one way to see every allocation the models make;
// it has to be a global, and this binary is single-threaded.
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

namespace {

using nlb::sim::Time;
using nlb::transport::Endpoint;
using nlb::transport::UdpDatagram;
using nlb::wire::Ipv4;
namespace nodes = nlb::nodes;

constexpr std::uint16_t kEchoPort = 7;  // RFC 862

struct Options {
  std::string scenario = NLBSIM_SOURCE_DIR "/bench/scenarios/site-bench.json";
  std::string traffic = "udp";
  std::size_t clients = 50;
  std::size_t servers = 8;
  std::string interval = "10ms";  // per client
  std::string seconds = "10s";    // of traffic, simulated
  std::string start = "5s";       // the traffic's start: VRRP has elected its masters by then
  std::uint32_t size = 512;       // UDP payload; TCP request and response bytes
  std::uint64_t seed = 1;
  std::vector<std::string> set;  // NAME=VALUE: more scenario parameters (bench/scenarios/scale.json's)
};

// RFC 862's echo service on every address of a server (so also the cluster address on its
// loopback): the reply leaves from the address the request was sent to, by the server's
// default route, around the balancers (the seed's direct return).
class EchoServer final : private nlb::transport::UdpReceiver {
 public:
  explicit EchoServer(nodes::Node& node) : socket_(node.transport().udp().bind({Ipv4::any(), kEchoPort})) {
    socket_->set_receiver(this);
  }
  std::uint64_t echoed() const { return echoed_; }

 private:
  void on_datagram(Time, const UdpDatagram& d) override {
    if (socket_->send_from(d.dst.addr, d.src, d.payload)) ++echoed_;
  }
  nlb::transport::UdpSocket* socket_;
  std::uint64_t echoed_ = 0;
};

// ns-3's UdpEchoClient: a datagram of `size` (virtual: zero bytes that are counted, as ns-3's
// zero-filled packets are) every `interval` from `start`; counts the echoes.
class EchoClient final : private nlb::transport::UdpReceiver {
 public:
  EchoClient(nlb::sim::Simulation& sim, nodes::Node& node, Endpoint server, std::uint32_t size, Time interval,
             Time start)
      : server_(server), size_(size), interval_(interval), timer_(sim, [this] { send(); }) {
    const auto route = node.route_to(server.addr);
    socket_ = node.transport().udp().bind({route ? route->src : Ipv4::any(), 0});
    socket_->set_receiver(this);
    timer_.schedule_at(start);
  }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t received() const { return received_; }

 private:
  void send() {
    if (socket_->send_to(server_, {{}, size_})) ++sent_;
    timer_.schedule_in(interval_);
  }
  void on_datagram(Time, const UdpDatagram&) override { ++received_; }

  Endpoint server_;
  std::uint32_t size_;
  Time interval_;
  nlb::sim::Timer timer_;
  nlb::transport::UdpSocket* socket_ = nullptr;
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
};

Time parse_time_or_exit(const std::string& text, const char* what) {
  Time t;
  if (!nlb::sim::parse_time(text, t) || t <= Time::zero()) {
    std::fprintf(stderr, "nlbsim-site-bench: %s: '%s' is not a positive time (e.g. 10ms, 2s)\n", what,
                 text.c_str());
    std::exit(2);
  }
  return t;
}

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: KiB
}

// The resident set now, in bytes (Linux: /proc/self/statm's second field, in pages); 0 if unknown.
double rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) : 0;
}

// What the counters say at one moment.
struct Snapshot {
  std::chrono::steady_clock::time_point wall;
  std::uint64_t events = 0;
  std::uint64_t delivered = 0;
  std::uint64_t allocations = 0;
  double rss = 0;  // bytes resident
};

class Bench {
 public:
  explicit Bench(const Options& o)
      : o_(o),
        interval_(parse_time_or_exit(o.interval, "--interval")),
        seconds_(parse_time_or_exit(o.seconds, "--seconds")),
        start_(parse_time_or_exit(o.start, "--start")) {}

  int run() {
    if (!load()) return 2;
    sim_ = std::make_unique<nlb::sim::Simulation>(scenario_.seed);
    auto b = nlb::run::build(*sim_, scenario_);
    if (!b.built) return report_diagnostics(b.diagnostics);
    built_ = std::move(*b.built);
    collect_ends();
    if (o_.traffic == "udp") start_echo();
    built_.boot();

    sim_->run_until(start_);
    const Snapshot begin = snapshot();
    sim_->run_until(start_ + seconds_ / 2);
    const Snapshot half = snapshot();
    sim_->run_until(start_ + seconds_);
    const Snapshot end = snapshot();
    print(begin, half, end);
    return 0;
  }

 private:
  bool load() {
    nlb::runner::LoadOptions lo;
    const double rate = static_cast<double>(o_.clients) / interval_.seconds();
    lo.parameters = {{"clients", std::to_string(o_.clients)},
                     {"servers", std::to_string(o_.servers)},
                     {"rate", std::to_string(rate)},
                     {"request_bytes", std::to_string(o_.size)},
                     {"response_bytes", std::to_string(o_.size)},
                     {"start", "\"" + o_.start + "\""}};
    for (const std::string& kv : o_.set) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "nlbsim-site-bench: --set %s: expected NAME=VALUE\n", kv.c_str());
        return false;
      }
      lo.parameters.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    auto r = nlb::runner::load_scenario(o_.scenario, lo);
    if (!r.ok()) {
      report_diagnostics(r.diagnostics);
      return false;
    }
    scenario_ = std::move(*r.scenario);
    scenario_.seed = o_.seed;
    if (o_.traffic == "udp") scenario_.traffic.clear();
    return true;
  }

  static int report_diagnostics(const nlb::runner::Diagnostics& d) {
    for (const auto& x : d) std::fprintf(stderr, "%s\n", x.str().c_str());
    return 2;
  }

  void collect_ends() {
    for (nodes::Node* n : built_.nodes) {
      if (n->role() == nodes::Role::Client) clients_.push_back(n);
      if (n->role() == nodes::Role::Server) servers_.push_back(n);
      if (n->role() == nodes::Role::Balancer) balancers_.push_back(static_cast<nodes::Balancer*>(n));
    }
  }

  void start_echo() {
    const Endpoint cluster{built_.clusters.front(), kEchoPort};
    for (nodes::Node* s : servers_) echo_servers_.push_back(std::make_unique<EchoServer>(*s));
    // Staggered over one interval, as the clients of ns-3's program are.
    const auto n = static_cast<std::int64_t>(clients_.size());
    for (std::int64_t k = 0; k < n; ++k) {
      echo_clients_.push_back(std::make_unique<EchoClient>(*sim_, *clients_[static_cast<std::size_t>(k)],
                                                           cluster, o_.size, interval_,
                                                           start_ + interval_ * k / n));
    }
  }

  Snapshot snapshot() const {
    Snapshot s{std::chrono::steady_clock::now(), sim_->events_executed(), 0, g_allocations, rss_bytes()};
    for (const nodes::Node* n : clients_) s.delivered += n->counters().delivered;
    for (const nodes::Node* n : servers_) s.delivered += n->counters().delivered;
    return s;
  }

  // Requests that completed: echoes received, or HTTP responses.
  std::uint64_t completed() const {
    std::uint64_t n = 0;
    for (const auto& c : echo_clients_) n += c->received();
    for (nodes::Node* node : clients_) {
      auto& c = static_cast<nodes::Client&>(*node);
      for (std::size_t i = 0; i < c.http_count(); ++i) n += c.http(i).counters().ok;
    }
    return n;
  }

  void print(const Snapshot& begin, const Snapshot& half, const Snapshot& end) const {
    const double wall = std::chrono::duration<double>(end.wall - begin.wall).count();
    const auto datagrams = static_cast<double>(end.delivered - begin.delivered);
    const auto events = static_cast<double>(end.events - begin.events);
    const auto steady_datagrams = static_cast<double>(end.delivered - half.delivered);
    const auto steady_allocs = static_cast<double>(end.allocations - half.allocations);
    std::printf(
        "nlbsim site bench: %s, %zu clients, %zu servers, %u B, one request per client every %s, "
        "%s simulated\n",
        o_.traffic == "udp" ? "UDP echo" : "TCP request/response", clients_.size(), servers_.size(), o_.size,
        o_.interval.c_str(), o_.seconds.c_str());
    std::printf("requests completed          %llu\n", static_cast<unsigned long long>(completed()));
    std::printf("datagrams delivered         %.0f\n", datagrams);
    std::printf("events                      %.0f\n", events);
    std::printf("wall seconds                %.3f\n", wall);
    std::printf("datagrams per wall-second   %.0f\n", datagrams / wall);
    std::printf("events per wall-second      %.0f\n", events / wall);
    std::printf("events per datagram         %.2f\n", datagrams > 0 ? events / datagrams : 0.0);
    std::printf("peak RSS MiB                %.1f\n", peak_rss_mib());
    std::printf("allocations per datagram    %.4f\n",
                steady_datagrams > 0 ? steady_allocs / steady_datagrams : 0.0);
    print_state(begin, end);
  }

  // What the run holds at its end: TCP connections open at the ends, and each balancer's
  // connection table (the standby's filled by sync). The resident set's growth over the traffic
  // phase per connection open at its end is what one held connection costs the whole process
  // (both TCP ends, the apps' records, the events, both table entries), when the run ends
  // holding many (bench/scale million).
  void print_state(const Snapshot& begin, const Snapshot& end) const {
    std::size_t open = 0;
    for (const auto* group : {&clients_, &servers_})
      for (nodes::Node* n : *group) open += n->transport().tcp().connection_count();
    std::printf("open TCP connections        %zu\n", open);
    if (open >= 2 && begin.rss > 0 && end.rss > 0) {
      std::printf(
          "RSS growth per connection   %.0f bytes (traffic phase, %zu open at the end, two ends each)\n",
          (end.rss - begin.rss) / (static_cast<double>(open) / 2), open / 2);
    }
    for (const nodes::Balancer* b : balancers_) {
      const auto& t = b->table();
      std::printf("%s table entries            %zu (%s), %.1f heap bytes per entry\n", b->name().c_str(),
                  t.size(), nlb::wire::to_string(b->ha_state()).c_str(),
                  t.size() ? static_cast<double>(t.memory_bytes()) / static_cast<double>(t.size()) : 0.0);
    }
  }

  Options o_;
  Time interval_, seconds_, start_;
  nlb::runner::Scenario scenario_;
  std::unique_ptr<nlb::sim::Simulation> sim_;
  nlb::run::Built built_;
  std::vector<nodes::Node*> clients_, servers_;
  std::vector<nodes::Balancer*> balancers_;
  std::vector<std::unique_ptr<EchoServer>> echo_servers_;
  std::vector<std::unique_ptr<EchoClient>> echo_clients_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"nlbsim scenario benchmark: the seed's Figure 3 site under request/response traffic"};
  app.add_option("--scenario", o.scenario, "the site (parameters clients, servers, rate, ...)");
  app.add_option("--traffic", o.traffic, "udp (echo) or tcp (HTTP request/response)")
      ->check(CLI::IsMember({"udp", "tcp"}));
  app.add_option("--clients", o.clients, "clients")->check(CLI::Range(1, 1'000'000));
  app.add_option("--servers", o.servers, "servers")->check(CLI::Range(1, 60'000));
  app.add_option("--interval", o.interval, "time between one client's requests");
  app.add_option("--seconds", o.seconds, "simulated time of traffic");
  app.add_option("--start", o.start, "when the traffic starts (not measured before)");
  app.add_option("--size", o.size, "UDP payload, TCP request and response bytes")->check(CLI::Range(1, 1400));
  app.add_option("--seed", o.seed, "the scenario's seed");
  app.add_option("--set", o.set, "NAME=VALUE: another scenario parameter (as nlbsim run --set)");
  CLI11_PARSE(app, argc, argv);
  return Bench(o).run();
}
