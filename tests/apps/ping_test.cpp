#include <doctest/doctest.h>

#include "models/apps/ping.hpp"

using namespace nlb::apps;
using nlb::sim::Time;
using nlb::wire::Ipv4;

TEST_CASE("ping sends one request per interval and measures each reply's RTT") {
  PingConfig cfg;
  cfg.target = Ipv4(10, 0, 0, 2);
  cfg.count = 3;
  cfg.ident = 77;
  Pinger p(cfg);
  CHECK(p.poll_at() == Time::zero());
  auto r1 = p.poll(Time::zero());
  REQUIRE(r1.has_value());
  CHECK(r1->seq == 1);
  CHECK(r1->ident == 77);
  CHECK(r1->payload_size == 56);
  CHECK_FALSE(p.poll(Time::zero()).has_value());  // the next one is due in 1 s
  CHECK(p.poll_at() == Time::s(1));               // the timeout of #1 and the next send coincide
  CHECK(p.on_reply(Time::ms(3), 77, 1));
  CHECK(p.poll_at() == Time::s(1));
  auto r2 = p.poll(Time::s(1));
  REQUIRE(r2.has_value());
  CHECK(r2->seq == 2);
  CHECK(p.on_reply(Time::s(1) + Time::ms(5), 77, 2));
  auto r3 = p.poll(Time::s(2));
  REQUIRE(r3.has_value());
  CHECK(p.on_reply(Time::s(2) + Time::ms(4), 77, 3));
  CHECK(p.done());
  CHECK(p.poll_at() == Time::max());
  CHECK(p.stats().sent == 3);
  CHECK(p.stats().received == 3);
  CHECK(p.stats().lost == 0);
  CHECK(p.stats().rtt_min == Time::ms(3));
  CHECK(p.stats().rtt_max == Time::ms(5));
  CHECK(p.stats().rtt_avg() == Time::ms(4));
  CHECK(*p.records()[1].rtt == Time::ms(5));
}

TEST_CASE("an unanswered echo request is lost after the timeout and a late reply does not count") {
  PingConfig cfg;
  cfg.count = 2;
  cfg.timeout = Time::ms(500);
  Pinger p(cfg);
  p.poll(Time::zero());
  CHECK(p.poll_at() == Time::ms(500));
  CHECK_FALSE(p.poll(Time::ms(500)).has_value());
  CHECK(p.stats().lost == 1);
  CHECK(p.records()[0].lost);
  CHECK_FALSE(p.on_reply(Time::ms(600), cfg.ident, 1));  // too late
  CHECK(p.stats().late_or_duplicate == 1);
  p.poll(Time::s(1));
  CHECK(p.on_reply(Time::s(1) + Time::ms(1), cfg.ident, 2));
  CHECK_FALSE(p.on_reply(Time::s(1) + Time::ms(2), cfg.ident, 2));      // duplicate
  CHECK_FALSE(p.on_reply(Time::s(1) + Time::ms(2), cfg.ident + 1, 2));  // someone else's
  CHECK(p.stats().received == 1);
  CHECK(p.stats().late_or_duplicate == 3);
  CHECK(p.done());
}

TEST_CASE("ping without a count runs until stopped") {
  PingConfig cfg;
  cfg.interval = Time::ms(200);
  cfg.start = Time::s(1);
  Pinger p(cfg);
  CHECK_FALSE(p.poll(Time::zero()).has_value());
  CHECK(p.poll_at() == Time::s(1));
  int sent = 0;
  for (Time t = Time::s(1); t < Time::s(3); t += Time::ms(200)) sent += p.poll(t).has_value() ? 1 : 0;
  CHECK(sent == 10);
  CHECK_FALSE(p.done());
  p.stop();
  CHECK_FALSE(p.poll(Time::s(10)).has_value());
  CHECK(p.stats().lost == 10);
  CHECK(p.done());
}

TEST_CASE("a pinger that keeps no records holds only its open requests however long it runs") {
  PingConfig cfg;
  cfg.target = Ipv4(10, 0, 0, 2);
  cfg.keep_records = false;
  Pinger p(cfg);
  std::size_t most = 0;
  std::uint32_t answered = 0;
  for (std::uint32_t n = 0; n < 36'000; ++n) {  // ten hours, one a second; every fifth lost
    auto req = p.poll(Time::s(n));
    REQUIRE(req.has_value());
    if (req->seq % 5 != 0) answered += p.on_reply(Time::s(n) + Time::ms(3), 1, req->seq);
    most = std::max(most, p.records().size());
  }
  CHECK(p.stats().sent == 36'000);
  CHECK(p.stats().received == answered);
  CHECK(answered == 28'800);
  CHECK(p.stats().lost == 36'000 - 28'800 - 1);  // the last lost one is still open
  CHECK(most <= Pinger::kForgetAfter + 2);
}

TEST_CASE("last_settled is the outcome of the newest request answered or lost, not of the last to settle") {
  PingConfig cfg;
  cfg.target = Ipv4(10, 0, 0, 2);
  cfg.interval = Time::ms(500);
  cfg.keep_records = false;
  Pinger p(cfg);
  REQUIRE(p.poll(Time::zero()));  // #1
  CHECK_FALSE(p.last_settled().has_value());
  REQUIRE(p.poll(Time::ms(500)));  // #2
  CHECK(p.on_reply(Time::ms(600), 1, 2));
  CHECK(p.last_settled() == std::optional<bool>(true));
  REQUIRE(p.poll(Time::s(1)));  // #1 times out now, older than #2: no news
  CHECK(p.stats().lost == 1);
  CHECK(p.last_settled() == std::optional<bool>(true));
  CHECK_FALSE(p.poll(Time::s(2) + Time::ms(100)) == std::nullopt);  // #3 (sent at 1 s) lost
  CHECK(p.last_settled() == std::optional<bool>(false));
}
