#include "models/protocols/advisor.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <vector>

using namespace nlb::protocols;
using nlb::sim::Time;

namespace {
// How the probed server behaves at a given time.
struct Behaviour {
  enum Kind { Answers, Refuses, Silent } kind = Answers;
  Time delay = Time::ms(30);
};

// Runs an advisor against a scripted server; records every action with its time.
struct Bench {
  ServerAdvisor adv;
  std::function<Behaviour(Time)> server;
  struct Pending {
    Time at;
    std::uint32_t id;
    bool ok;
  };
  std::vector<Pending> pending;
  std::vector<std::pair<Time, advisor::Action>> log;

  Bench(AdvisorConfig cfg, std::function<Behaviour(Time)> s) : adv(cfg), server(std::move(s)) {}

  void apply(Time now, const ServerAdvisor::Actions& acts) {
    for (const auto& a : acts) {
      log.emplace_back(now, a);
      if (auto* p = std::get_if<advisor::SendProbe>(&a)) {
        const Behaviour b = server(now);
        if (b.kind == Behaviour::Answers) pending.push_back({now + b.delay, p->id, true});
        if (b.kind == Behaviour::Refuses) pending.push_back({now + Time::ms(1), p->id, false});
      }
    }
  }
  void run_until(Time end) {
    apply(Time::zero(), adv.start(Time::zero()));
    for (;;) {
      Time next = adv.next_deadline();
      for (const auto& p : pending) next = std::min(next, p.at);
      if (next > end) break;
      for (std::size_t i = 0; i < pending.size();) {
        if (pending[i].at == next) {
          const Pending p = pending[i];
          pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
          apply(next, adv.on_result(next, p.id, p.ok));
        } else {
          ++i;
        }
      }
      if (adv.next_deadline() <= next) apply(next, adv.poll(next));
    }
  }
  template <typename A>
  std::vector<std::pair<Time, A>> all() const {
    std::vector<std::pair<Time, A>> out;
    for (const auto& [t, a] : log)
      if (auto* x = std::get_if<A>(&a)) out.emplace_back(t, *x);
    return out;
  }
};
}  // namespace

TEST_CASE("a healthy server is probed every interval and its response time reported") {
  Bench b(AdvisorConfig{}, [](Time) { return Behaviour{}; });
  b.run_until(Time::s(20));
  auto probes = b.all<advisor::SendProbe>();
  REQUIRE(probes.size() == 3);
  CHECK(probes[0].first == Time::zero());
  CHECK(probes[1].first == Time::s(7));
  CHECK(probes[2].first == Time::s(14));
  auto rts = b.all<advisor::ResponseTime>();
  REQUIRE(rts.size() == 3);
  CHECK(rts[0].second.response_time == Time::ms(30));
  CHECK(b.adv.up());
  CHECK(b.all<advisor::MarkedDown>().empty());
}

TEST_CASE("a server that stops answering is marked down when its probe times out") {
  Bench b(AdvisorConfig{},
          [](Time t) { return t < Time::s(10) ? Behaviour{} : Behaviour{Behaviour::Silent}; });
  b.run_until(Time::s(60));
  auto down = b.all<advisor::MarkedDown>();
  REQUIRE(down.size() == 1);
  // The probe of 14 s gets no answer; 21 s later the server is down.
  CHECK(down[0].first == Time::s(35));
  CHECK(down[0].second.last_ok == Time::s(7) + Time::ms(30));
  CHECK(down[0].second.first_failed_sent == Time::s(14));
  CHECK(down[0].second.failures == 1);
  CHECK(std::string(down[0].second.why) == "no answer within the timeout");
  CHECK_FALSE(b.adv.up());
  // Probing goes on: the next probe leaves as the timeout fires (the interval has passed).
  auto probes = b.all<advisor::SendProbe>();
  REQUIRE(probes.size() >= 5);
  CHECK(probes[3].first == Time::s(35));
  CHECK(probes[4].first == Time::s(56));
}

TEST_CASE("with two retries a refusing server is marked down at its third consecutive failure") {
  AdvisorConfig cfg;
  cfg.retries = 2;
  cfg.retry_delay = Time::s(1);
  Bench b(cfg, [](Time t) { return t < Time::s(10) ? Behaviour{} : Behaviour{Behaviour::Refuses}; });
  b.run_until(Time::s(30));
  auto down = b.all<advisor::MarkedDown>();
  REQUIRE(down.size() == 1);
  // Probe 14 s refused at 14.001, retried at 15.001 (refused 15.002), at 16.002 (refused 16.003).
  CHECK(down[0].first == Time::ms(16'003));
  CHECK(down[0].second.failures == 3);
  CHECK(down[0].second.first_failed_sent == Time::s(14));
  CHECK(std::string(down[0].second.why) == "probe failed");
}

TEST_CASE("one successful probe brings a down server back up") {
  Bench b(AdvisorConfig{}, [](Time t) {
    if (t >= Time::s(10) && t < Time::s(40)) return Behaviour{Behaviour::Refuses};
    return Behaviour{Behaviour::Answers, Time::ms(80)};
  });
  b.run_until(Time::s(60));
  auto down = b.all<advisor::MarkedDown>();
  auto up = b.all<advisor::MarkedUp>();
  REQUIRE(down.size() == 1);
  CHECK(down[0].first == Time::ms(14'001));
  REQUIRE(up.size() == 1);
  // Probes at 14, 21, 28, 35 s are refused; the one at 42 s is answered 80 ms later.
  CHECK(up[0].first == Time::ms(42'080));
  CHECK(up[0].second.response_time == Time::ms(80));
  CHECK(b.adv.up());
  CHECK(b.adv.response_time() == Time::ms(80));
}

TEST_CASE("an answer that arrives after its probe timed out is ignored") {
  AdvisorConfig cfg;
  cfg.timeout = Time::s(2);
  Bench b(cfg, [](Time t) {
    return t < Time::s(10) ? Behaviour{} : Behaviour{Behaviour::Answers, Time::s(3)};  // too slow
  });
  b.run_until(Time::s(30));
  CHECK_FALSE(b.adv.up());
  CHECK(b.adv.counters().stale_results >= 1);
  CHECK(b.all<advisor::MarkedUp>().empty());
}

TEST_CASE("a stopped advisor sends nothing and ignores results") {
  ServerAdvisor a(AdvisorConfig{});
  auto acts = a.start(Time::zero());
  REQUIRE(acts.count<advisor::SendProbe>() == 1);
  a.stop();
  CHECK(a.next_deadline() == Time::max());
  CHECK(a.on_result(Time::ms(10), 1, true).empty());
  CHECK(a.poll(Time::s(100)).empty());
}

TEST_CASE("advisor configuration errors name the field") {
  AdvisorConfig c;
  CHECK(c.check().empty());
  c.interval = Time::zero();
  CHECK(c.check().rfind("interval:", 0) == 0);
  c = {};
  c.timeout = Time::s(-1);
  CHECK(c.check().rfind("timeout:", 0) == 0);
}
