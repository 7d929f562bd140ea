#include "models/protocols/dispatcher.hpp"

#include <doctest/doctest.h>

#include <queue>
#include <string>
#include <vector>

using namespace nlb::protocols;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace {
std::vector<ServerSpec> servers(std::initializer_list<unsigned> weights) {
  std::vector<ServerSpec> out;
  std::uint8_t n = 11;
  for (unsigned w : weights) out.push_back({Ipv4(10, 2, 0, n++), w});
  return out;
}

Dispatcher make(SchedulerKind k, std::initializer_list<unsigned> weights, ManagerConfig m = {}) {
  return Dispatcher(DispatcherConfig{k, m}, servers(weights));
}

std::string picks(Dispatcher& d, int n, std::span<const ServerConns> conns = {}) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    const ServerId id = d.choose_server(conns);
    s += id == kNoServer ? '-' : static_cast<char>('A' + id);
  }
  return s;
}

// A cluster under steady load, closed through the dispatcher: a new connection every 10 ms,
// each held by its server for that server's service time. Counts the share each server gets
// in each 2 s window.
struct Farm {
  Dispatcher d;
  std::vector<ServerConns> conns;
  std::vector<Time> service;
  std::priority_queue<std::pair<Time, ServerId>, std::vector<std::pair<Time, ServerId>>, std::greater<>>
      leaving;
  std::vector<std::vector<unsigned>> chosen;  // [window][server]
  Time now;

  Farm(Dispatcher dispatcher, std::size_t n) : d(std::move(dispatcher)), conns(n), service(n, Time::ms(50)) {
    d.start(Time::zero());
  }
  void run_until(Time end) {
    for (; now < end; now = now + Time::ms(10)) {
      while (!leaving.empty() && leaving.top().first <= now) {
        --conns[leaving.top().second].active;
        leaving.pop();
      }
      if (d.next_deadline() <= now) d.poll(now, conns);
      const ServerId s = d.choose_server(conns);
      REQUIRE(s != kNoServer);
      ++conns[s].active;
      ++conns[s].created;
      leaving.emplace(now + service[s], s);
      const auto window = static_cast<std::size_t>(now / Time::s(2));
      if (chosen.size() <= window) chosen.resize(window + 1, std::vector<unsigned>(conns.size(), 0));
      ++chosen[window][s];
    }
  }
  // Share of server s among the connections of the 2 s window starting at `from`.
  // Share of server s among the connections given out in [from, to) (whole 2 s windows).
  double share(ServerId s, Time from, Time to) const {
    unsigned mine = 0, total = 0;
    for (auto k = static_cast<std::size_t>(from / Time::s(2)); k < static_cast<std::size_t>(to / Time::s(2));
         ++k) {
      mine += chosen[k][s];
      for (unsigned c : chosen[k]) total += c;
    }
    return double(mine) / total;
  }
};
}  // namespace

TEST_CASE("scheduler names parse and print as ipvsadm and the scenario files spell them") {
  CHECK(parse_scheduler("wlc") == SchedulerKind::WeightedLeastConnections);
  CHECK(parse_scheduler("manager") == SchedulerKind::Manager);
  CHECK_FALSE(parse_scheduler("sed"));
  CHECK(std::string(to_string(SchedulerKind::RoundRobin)) == "rr");
}

TEST_CASE("rr cycles through the servers in order and skips a down one") {
  Dispatcher d = make(SchedulerKind::RoundRobin, {1, 1, 1});
  CHECK(picks(d, 7) == "ABCABCA");
  d.set_server_up(1, false);
  CHECK(picks(d, 4) == "CACA");
  d.set_server_up(1, true);
  CHECK(picks(d, 3) == "BCA");  // IPVS carries on after the last server chosen
}

TEST_CASE("wrr follows IPVS's passes: weights 4, 3, 2 give A A B A B C A B C") {
  Dispatcher d = make(SchedulerKind::WeightedRoundRobin, {4, 3, 2});
  CHECK(picks(d, 18) == "AABABCABCAABABCABC");
}

TEST_CASE("wrr steps by the weights' gcd: 4 and 2 give A A B") {
  Dispatcher d = make(SchedulerKind::WeightedRoundRobin, {4, 2});
  CHECK(picks(d, 6) == "AABAAB");
  Dispatcher e = make(SchedulerKind::WeightedRoundRobin, {0, 5});
  CHECK(picks(e, 3) == "BBB");  // weight 0 is quiesced
}

TEST_CASE("lc prefers the fewest connections, an active one weighing as much as 256 inactive ones") {
  Dispatcher d = make(SchedulerKind::LeastConnections, {1, 1});
  std::vector<ServerConns> c(2);
  c[0].active = 1;      // overhead 256
  c[1].inactive = 255;  // overhead 255
  CHECK(d.choose_server(c) == 1);
  c[1].inactive = 256;  // a tie goes to the first server
  CHECK(d.choose_server(c) == 0);
  c[1].inactive = 257;
  CHECK(d.choose_server(c) == 0);
}

TEST_CASE("wlc prefers the server with the lowest overhead per weight, as IPVS does") {
  Dispatcher d = make(SchedulerKind::WeightedLeastConnections, {1, 3, 2});
  std::vector<ServerConns> c(3);
  c[0].active = 1;  // 256 per weight 1
  c[1].active = 2;  // 512 / 3 = 170.7
  c[2].active = 1;  // 256 / 2 = 128
  CHECK(d.choose_server(c) == 2);
  c[2].active = 2;  // 512 / 2 = 256: now server 1 is lightest
  CHECK(d.choose_server(c) == 1);
  c[1].active = 3;  // 768 / 3 = 256 = 256 / 1: a tie keeps the first
  CHECK(d.choose_server(c) == 0);
  d.set_server_up(0, false);
  CHECK(d.choose_server(c) == 1);  // 256 vs 256: first live one
}

TEST_CASE("with every server down the IPVS schedulers find none") {
  for (auto k : {SchedulerKind::RoundRobin, SchedulerKind::WeightedRoundRobin,
                 SchedulerKind::LeastConnections, SchedulerKind::WeightedLeastConnections}) {
    CAPTURE(to_string(k));
    Dispatcher d = make(k, {1, 2});
    d.set_server_up(0, false);
    d.set_server_up(1, false);
    std::vector<ServerConns> c(2);
    CHECK(d.choose_server(c) == kNoServer);
    CHECK(d.counters().no_server == 1);
  }
}

TEST_CASE("the manager starts from the configured weights scaled to average weightbound / 2") {
  Dispatcher a = make(SchedulerKind::Manager, {10, 10, 10});
  CHECK(std::vector<unsigned>(a.weights().begin(), a.weights().end()) == std::vector<unsigned>{10, 10, 10});
  Dispatcher b = make(SchedulerKind::Manager, {1, 1, 2});
  CHECK(std::vector<unsigned>(b.weights().begin(), b.weights().end()) == std::vector<unsigned>{8, 8, 15});
  Dispatcher c = make(SchedulerKind::Manager, {1, 1, 50});  // bounded by weightbound
  CHECK(std::vector<unsigned>(c.weights().begin(), c.weights().end()) == std::vector<unsigned>{1, 1, 20});
}

TEST_CASE("within an interval the manager dispatches by smooth weighted round robin") {
  Dispatcher d = make(SchedulerKind::Manager, {5, 1, 1});  // weights 20, 4, 4
  CHECK(picks(d, 14) == "AABACAAAABACAA");
}

TEST_CASE(
    "a down server gets weight 0 and no new connections at once; all down gives everyone weightbound / 2") {
  Dispatcher d = make(SchedulerKind::Manager, {10, 10, 10});
  d.set_server_up(1, false);
  CHECK(d.weights()[1] == 0);
  CHECK(picks(d, 4) == "ACAC");
  d.set_server_up(0, false);
  d.set_server_up(2, false);
  // ND: with every server down the manager gives each weightbound / 2 and keeps dispatching.
  CHECK(std::vector<unsigned>(d.weights().begin(), d.weights().end()) == std::vector<unsigned>{10, 10, 10});
  CHECK(picks(d, 3) == "ABC");
}

TEST_CASE("the manager leaves the weights alone while the load stays even (sensitivity)") {
  Farm f(make(SchedulerKind::Manager, {10, 10, 10}), 3);
  f.run_until(Time::s(30));
  CHECK(std::vector<unsigned>(f.d.weights().begin(), f.d.weights().end()) ==
        std::vector<unsigned>{10, 10, 10});
  CHECK(f.d.counters().manager_skipped >= 10);
  for (ServerId s = 0; s < 3; ++s)
    CHECK(f.share(s, Time::s(20), Time::s(30)) == doctest::Approx(1.0 / 3).epsilon(0.05));
}

TEST_CASE(
    "a server that slows down loses share within three manager intervals, and regains it when it recovers") {
  Farm f(make(SchedulerKind::Manager, {10, 10, 10}), 3);
  f.run_until(Time::s(20));
  const double before = f.share(2, Time::s(10), Time::s(20));
  f.service[2] = Time::s(2);  // 40 times slower from 20 s
  f.run_until(Time::s(60));
  // Updates at 22, 24 and 26 s; from 24 s on it must be well below its third.
  const double slow = f.share(2, Time::s(24), Time::s(30));
  const double settled = f.share(2, Time::s(40), Time::s(60));
  f.service[2] = Time::ms(50);
  f.run_until(Time::s(80));
  const double recovered = f.share(2, Time::s(64), Time::s(70));
  MESSAGE("share of the slow server: before " << before << ", 4-10 s after slowing " << slow << ", settled "
                                              << settled << ", 4-10 s after recovering " << recovered);
  CHECK(before == doctest::Approx(1.0 / 3).epsilon(0.05));
  CHECK(slow < 0.2);
  CHECK(settled < 0.2);
  CHECK(settled > 0.05);  // the worst server still shoulders some of the burden (the seed)
  CHECK(recovered > 0.3);
  for (unsigned w : f.d.weights()) {
    CHECK(w >= 1);
    CHECK(w <= 20);
  }
}

TEST_CASE("a higher smoothing index moves the weights less in one interval") {
  auto first_update = [](unsigned smoothing_milli) {
    ManagerConfig m;
    m.smoothing_milli = smoothing_milli;
    Dispatcher d = make(SchedulerKind::Manager, {10, 10}, m);
    d.start(Time::zero());
    std::vector<ServerConns> c(2);
    c[0].active = 1;
    c[1].active = 30;
    c[0].created = c[1].created = 40;
    REQUIRE(d.poll(Time::s(2), c));
    return d.weights()[0];
  };
  const unsigned fast = first_update(1500);
  const unsigned slow = first_update(5000);
  MESSAGE("light server's weight after one interval: smoothing 1.5 -> " << fast << ", 5.0 -> " << slow);
  CHECK(fast > slow);
  CHECK(slow > 10);
}

TEST_CASE("with the advisor's proportion only, a slower response time lowers the weight") {
  ManagerConfig m;
  m.proportions = {0, 0, 100, 0};
  Dispatcher d = make(SchedulerKind::Manager, {10, 10, 10}, m);
  d.start(Time::zero());
  d.set_response_time(0, Time::ms(10));
  d.set_response_time(1, Time::ms(10));
  d.set_response_time(2, Time::ms(200));
  std::vector<ServerConns> c(3);
  for (int i = 1; i <= 5; ++i) d.poll(Time::s(2) * i, c);
  CHECK(d.weights()[2] < d.weights()[0]);
  CHECK(d.weights()[0] == d.weights()[1]);
  CHECK(d.weights()[2] >= 1);
  CHECK(d.weights()[0] <= 20);
}

TEST_CASE("the manager's weights stay within [1, weightbound] whatever the inputs") {
  Dispatcher d = make(SchedulerKind::Manager, {1, 100, 50, 3});
  d.start(Time::zero());
  std::vector<ServerConns> c(4);
  for (int i = 1; i <= 20; ++i) {
    c[0].active = 0;
    c[1].active = 100000u * static_cast<unsigned>(i);
    c[2].active = static_cast<unsigned>(i % 2) * 5000;
    c[3].created += static_cast<std::uint64_t>(i) * 1000;
    d.poll(Time::s(2) * i, c);
    for (unsigned w : d.weights()) {
      CHECK(w >= 1);
      CHECK(w <= 20);
    }
  }
}

TEST_CASE("the manager is deterministic: the same inputs give the same weights and choices") {
  auto run = [] {
    Farm f(make(SchedulerKind::Manager, {10, 20, 10, 5}), 4);
    f.service = {Time::ms(50), Time::ms(80), Time::ms(400), Time::ms(20)};
    f.run_until(Time::s(40));
    std::vector<unsigned> out(f.d.weights().begin(), f.d.weights().end());
    for (const auto& w : f.chosen) out.insert(out.end(), w.begin(), w.end());
    return out;
  };
  CHECK(run() == run());
}

TEST_CASE("dispatcher configuration errors name the field") {
  DispatcherConfig c;
  CHECK(c.check().empty());
  c.manager.proportions = {50, 40, 0, 0};
  CHECK(c.check().rfind("manager.proportions:", 0) == 0);
  c.manager.proportions = {50, 50, 0, 0};
  c.manager.weight_bound = 0;
  CHECK(c.check().rfind("manager.weight_bound:", 0) == 0);
  c.manager.weight_bound = 20;
  c.manager.smoothing_milli = 500;
  CHECK(c.check().rfind("manager.smoothing_milli:", 0) == 0);
  c.scheduler = SchedulerKind::RoundRobin;
  CHECK(c.check().empty());  // the manager's settings are not used
}
