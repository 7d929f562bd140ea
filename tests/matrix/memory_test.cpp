// Memory that does not grow with the length of a run (the soak run, docs/reliability.md): the
// report's response-time histogram, the balance meter and metrics.csv's sampler hold as much
// after many requests as after a few, and give what keeping everything gave.
#include <doctest/doctest.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/link/trace_events.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"
#include "runner/measure/balance.hpp"
#include "runner/measure/failover.hpp"
#include "runner/measure/histogram.hpp"
#include "runner/run/metrics.hpp"
#include "sim/rng.hpp"

namespace nlb::measure {
namespace {

using sim::Time;

// Bytes the process has allocated and not freed (glibc), to see growth that a structure's own
// footprint() would not count. ASan's allocator does not report it: zero there.
std::size_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  return 0;
#else
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // large blocks are mapped apart
#endif
}

// Response times spread over five orders of magnitude, as a run's are (µs to seconds).
Time spread(sim::RngStream& rng) {
  const double ms = std::exp(rng.unit() * std::log(1e5)) * 0.02;  // 20 us .. 2 s
  return Time::ns(static_cast<std::int64_t>(ms * 1e6));
}

TEST_CASE("a duration histogram's buckets tile the line: exact below 1024 ns, then 512 per power of two") {
  for (std::uint64_t v : {0ull, 1ull, 1023ull})
    CHECK(DurationHistogram::lower(DurationHistogram::bucket(v)) == v);
  std::size_t last = DurationHistogram::bucket(1023);
  for (std::uint64_t v = 1024; v < (1ull << 40); v = v * 3 / 2 + 7) {
    const std::size_t b = DurationHistogram::bucket(v);
    CAPTURE(v);
    CHECK(DurationHistogram::lower(b) <= v);
    CHECK(v < DurationHistogram::lower(b) + DurationHistogram::width(b));
    CHECK(DurationHistogram::width(b) * 512 <= DurationHistogram::lower(b));  // relative width
    CHECK(DurationHistogram::lower(b + 1) == DurationHistogram::lower(b) + DurationHistogram::width(b));
    CHECK(b > last);
    last = b;
  }
  CHECK(DurationHistogram::bucket(std::uint64_t{1} << 62) < 30'000);  // the largest time: 240 KiB
}

TEST_CASE("a histogram's quantiles lie within 2^-10 of the exact nearest rank, min and max exact") {
  sim::RngStream rng(7, "test");
  DurationHistogram h;
  std::vector<Time> all;
  for (int i = 0; i < 20'000; ++i) {
    const Time t = spread(rng);
    h.add(t);
    all.push_back(t);
  }
  std::sort(all.begin(), all.end());
  CHECK(h.count() == all.size());
  CHECK(h.min() == all.front());
  CHECK(h.max() == all.back());
  for (double q : {0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = static_cast<double>(percentile(all, q).nanos());
    const double got = static_cast<double>(h.quantile(q).nanos());
    CAPTURE(q);
    CHECK(std::abs(got - exact) <= exact / 1024);
  }
  CHECK(h.quantile(1.0) == all.back());
  DurationHistogram few;
  for (std::int64_t ns : {900, 5, 300}) few.add(Time::ns(ns));
  CHECK(few.quantile(0.5) == Time::ns(300));  // exact under 1024 ns
  CHECK(DurationHistogram{}.quantile(0.5) == Time::zero());
}

// A balancer's new connections and clients' requests, published as the models would.
struct Feed {
  sim::Simulation sim{1};
  std::vector<wire::Ipv4> servers{wire::Ipv4(10, 0, 2, 11), wire::Ipv4(10, 0, 2, 12),
                                  wire::Ipv4(10, 0, 2, 13)};
  sim::RngStream rng{3, "feed"};
  std::vector<std::pair<Time, std::size_t>> conns;  // what the meter saw, kept here to compare
  // One new connection and one request every 10 ms from `from` to `to`; server 2 gets a share
  // `share2` of them.
  void run(Time from, Time to, double share2, bool keep = true) {
    for (Time t = from; t < to; t += Time::ms(10)) {
      const std::size_t s = rng.unit() < share2 ? 2 : (rng.unit() < 0.5 ? 0 : 1);
      nodes::Dispatched d;
      d.at = t;
      d.server_address = servers[s];
      d.new_connection = true;
      sim.trace().publish(d);
      if (keep) conns.emplace_back(t, s);
      nodes::RequestDone r;
      r.at = t;
      r.record.start = t;
      r.record.end = r.record.start + spread(rng);
      r.record.outcome = rng.unit() < 0.01 ? apps::HttpOutcome::Reset : apps::HttpOutcome::Ok;
      sim.trace().publish(r);
    }
  }
  // What the meter computed before it followed shifts as they came: every connection kept.
  std::optional<Time> shift(std::size_t server, Time at, double threshold, bool falling,
                            std::size_t window) const {
    std::size_t in = 0;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      in += conns[i].second == server;
      if (i >= window) in -= conns[i - window].second == server;
      if (i + 1 < window || conns[i].first < at) continue;
      const double share = static_cast<double>(in) / static_cast<double>(window);
      if (falling ? share <= threshold : share >= threshold) return conns[i].first - at;
    }
    return std::nullopt;
  }
};

TEST_CASE("the balance meter holds as much after an hour of requests as after a minute") {
  Feed f;
  BalanceMeter meter(f.sim, f.servers);
  meter.watch(Time::s(20), Time::s(40));
  ShiftSpec away;
  away.server = f.servers[2];
  away.at = Time::s(30);
  meter.watch_shift(away);
  f.run(Time::zero(), Time::s(30), 0.33, false);
  f.run(Time::s(30), Time::s(600), 0.05, false);
  const std::size_t ten_minutes = meter.footprint(), heap = heap_in_use();
  f.run(Time::s(600), Time::s(3600), 0.33, false);
  CHECK(heap_in_use() < heap + 16'384);
  CHECK(meter.connections() == 360'000);
  CHECK(meter.latency().ok + meter.latency().failed == 360'000);
  CHECK(meter.footprint() == ten_minutes);
  // Three histograms (the run, the window, the shift's 10 s before) of response times up to 2 s:
  // 12,288 buckets each. Keeping every request and connection took 8.6 MB here.
  CHECK(meter.footprint() < 310'000);
}

TEST_CASE("the balance meter's windows and load shifts match what keeping every connection gives") {
  Feed f;
  BalanceMeter meter(f.sim, f.servers);
  meter.watch(Time::s(5), Time::s(15));
  ShiftSpec away, back;
  away.server = back.server = f.servers[2];
  away.at = Time::s(10);
  back.at = Time::s(20);
  back.window = away.window = 40;
  meter.watch_shift(away);
  meter.watch_shift(back);
  f.run(Time::zero(), Time::s(10), 0.4);
  f.run(Time::s(10), Time::s(20), 0.02);  // the server slows: its share falls
  f.run(Time::s(20), Time::s(30), 0.4);   // and comes back

  const BalanceStats w = meter.balance(Time::s(5), Time::s(15));
  std::uint64_t in_window = 0, of2 = 0;
  for (auto [t, s] : f.conns)
    if (t >= Time::s(5) && t < Time::s(15)) {
      ++in_window;
      of2 += s == 2;
    }
  CHECK(w.total == in_window);
  CHECK(w.servers[2].connections == of2);

  const ShiftResult a = *meter.shift(f.servers[2], Time::s(10));
  std::uint64_t before = 0, before2 = 0;
  for (auto [t, s] : f.conns)
    if (t >= Time::zero() && t < Time::s(10)) {
      ++before;
      before2 += s == 2;
    }
  CHECK(a.share_before == doctest::Approx(static_cast<double>(before2) / static_cast<double>(before)));
  CHECK(a.falling == doctest::Approx(a.share_before * 0.5));
  REQUIRE(a.fell);
  CHECK(a.fell == f.shift(2, Time::s(10), a.falling, true, 40));
  const ShiftResult b = *meter.shift(f.servers[2], Time::s(20));
  REQUIRE(b.rose);
  CHECK(b.rose == f.shift(2, Time::s(20), b.rising, false, 40));
  CHECK(!meter.shift(f.servers[1], Time::s(20)));
}

// A stream that keeps only the count of lines and the last one: what is written costs nothing.
class TailBuf : public std::streambuf {
 public:
  std::size_t lines = 0;
  std::string last, current;

 protected:
  int_type overflow(int_type c) override {
    if (c == '\n') {
      ++lines;
      last.swap(current);
      current.clear();
    } else if (c != traits_type::eof()) {
      current += static_cast<char>(c);
    }
    return c;
  }
};

TEST_CASE("metrics.csv's sampler writes its rows as they close and holds only a few KiB") {
  sim::Simulation sim(1);
  TailBuf buf;
  std::ostream out(&buf);
  run::MetricsSampler m(sim, out, {wire::Ipv4(203, 0, 113, 10)}, {{5, "srv1"}});
  std::size_t held = 0, heap = 0;
  for (int i = 1; i <= 36'000; ++i) {  // an hour of 100 ms rows, one request each
    if (i == 6'000) heap = heap_in_use();
    nodes::RequestDone r;
    r.at = Time::ms(100) * i - Time::ms(50);
    r.record.start = r.at - Time::ms(20);
    r.record.end = r.at;
    sim.trace().publish(r);
    held = std::max(held, m.footprint());
  }
  CHECK(heap_in_use() < heap + 16'384);
  CHECK(held < 40'000);
  m.finish(Time::s(3600));
  CHECK(m.rows() == 36'000);
  CHECK(buf.lines == 36'001);  // the header and a row per 100 ms
  CHECK(buf.last == "3600,0,1,0,0,20.000,20.000,0");
}

// A client's datagram to the cluster address, dropped at `at` ("filtered": by a NIC's address
// filter, lost only if no NIC took the frame).
struct LossFeed {
  static constexpr wire::Ipv4 kCluster{203, 0, 113, 10};
  sim::Simulation sim{1};
  link::FramePool pool;
  FailoverMeter meter{sim, [] {
                        FailoverTargets t;
                        t.clusters = {kCluster};
                        return t;
                      }()};
  link::FrameRef datagram() {
    link::FrameRef f = pool.make(wire::ethernet::kHeaderLen + wire::ipv4::kMinHeaderLen);
    wire::MutBytes bytes{f.mut().data, f->len};
    wire::EthernetHeader{}.emit(bytes);
    wire::Ipv4Header ip;
    ip.src = wire::Ipv4(198, 51, 100, 11);
    ip.dst = kCluster;
    ip.emit(bytes.subspan(wire::ethernet::kHeaderLen));
    return f;
  }
  void drop(Time at, const link::FrameRef& f, const char* reason = "no-route") {
    sim.trace().publish(link::FrameDropped{at, 1, 0, 0, f, reason});
  }
  void receive(Time at, const link::FrameRef& f) { sim.trace().publish(link::FrameReceived{at, 2, 0, 0, f}); }
};

TEST_CASE("a fault's lost datagrams are counted once each, in its window, and the frames forgotten after") {
  LossFeed feed;
  feed.drop(Time::s(1), feed.datagram());  // before any fault: nobody asks
  feed.meter.mark(Time::s(10), 5);
  const link::FrameRef twice = feed.datagram();
  feed.drop(Time::s(11), twice);
  feed.drop(Time::s(12), twice);                        // a frame lost twice counts once
  feed.drop(Time::s(13), feed.datagram(), "filtered");  // no NIC took it: lost
  const link::FrameRef taken = feed.datagram();
  feed.drop(Time::s(14), taken, "filtered");
  feed.receive(Time::s(14), taken);                               // another NIC took it: not lost
  CHECK(feed.meter.measure(Time::s(10), 5).datagrams_lost == 2);  // one settled later
  feed.drop(Time::s(39), feed.datagram());
  feed.drop(Time::s(41), feed.datagram());  // after the 30 s window
  CHECK(feed.meter.measure(Time::s(10), 5).datagrams_lost == 3);
  feed.meter.mark(Time::s(50), 6);
  feed.drop(Time::s(51), twice);  // lost again in the next fault's window: counts there
  feed.meter.mark(Time::s(52), 7);
  feed.drop(Time::s(53), feed.datagram());  // the second fault's window ended at the third
  CHECK(feed.meter.measure(Time::s(10), 5).datagrams_lost == 3);
  CHECK(feed.meter.measure(Time::s(50), 6).datagrams_lost == 1);
  CHECK(feed.meter.measure(Time::s(52), 7).datagrams_lost == 1);
  // Many faults, each losing datagrams: what the meter holds does not grow with the losses.
  const std::size_t heap = heap_in_use();
  for (int k = 0; k < 2000; ++k) {
    const Time at = Time::s(100 + 60 * k);
    feed.meter.mark(at, 5);
    for (int j = 0; j < 100; ++j) feed.drop(at + Time::ms(10 * j), feed.datagram());
  }
  CHECK(feed.meter.measure(Time::s(100 + 60 * 1999), 5).datagrams_lost == 100);
  // The 2000 faults' own records (~100 bytes, vectors that double) take well under 1 MB;
  // keeping the 200,000 lost frames took 16 bytes each, 3.2 MB, on top.
  CHECK(heap_in_use() < heap + 1'000'000);
}

}  // namespace
}  // namespace nlb::measure
