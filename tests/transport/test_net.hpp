#pragma once
// A tiny in-test network for the sans-IO transport: hosts (one TcpDriver each) joined by a
// constant-delay queue that can lose segments on demand (drop the next N, an outage window, a
// predicate, a loss rate). It records every segment sent, dropped or not, so tests can read the
// exact times of retransmissions.

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/transport/tcp_driver.hpp"
#include "sim/simulation.hpp"

namespace doctest {
template <>
struct StringMaker<nlb::sim::Time> {
  static String convert(const nlb::sim::Time& t) { return t.str().c_str(); }
};
template <>
struct StringMaker<nlb::transport::TcpOutcome> {
  static String convert(const nlb::transport::TcpOutcome& o) {
    return std::string(nlb::transport::to_string(o)).c_str();
  }
};
}  // namespace doctest

namespace nlb::transport::testing {

using sim::Time;
using wire::Ipv4;

struct SentRecord {
  Time at;
  Ipv4 src;
  Ipv4 dst;
  TcpSegment seg;  // payload.real is cleared (the bytes are gone); real_len keeps its size
  std::size_t real_len = 0;
  bool dropped = false;
  std::uint32_t len() const { return static_cast<std::uint32_t>(real_len) + seg.payload.virtual_len; }
};

class TestNet {
 public:
  explicit TestNet(Time delay = Time::ms(10), std::uint64_t seed = 1) : sim(seed), delay_(delay) {}

  struct Host final : TcpIo {
    Host(TestNet& net, Ipv4 addr, const TcpConfig& cfg)
        : net_(net), addr(addr), driver(net.sim, cfg, net.sim.rng().stream("isn/" + addr.str()), *this) {}
    void send_segment(Ipv4 src, Ipv4 dst, const TcpSegment& seg) override { net_.transmit(src, dst, seg); }
    Ipv4 source_for(Ipv4) override { return addr; }
    TcpStack& stack() { return driver.stack(); }
    TestNet& net_;
    Ipv4 addr;
    TcpDriver driver;
  };

  Host& add_host(Ipv4 addr, const TcpConfig& cfg = {}) {
    auto h = std::make_unique<Host>(*this, addr, cfg);
    Host& ref = *h;
    hosts_[addr] = std::move(h);
    return ref;
  }

  // ---- loss controls ----
  void drop_next(int n) { drop_next_ += n; }
  void outage(Time from, Time to) { outages_.push_back({from, to}); }
  void drop_if(std::function<bool(Ipv4 src, const TcpSegment&)> pred) { drop_if_ = std::move(pred); }
  void loss_rate(double p) { loss_rate_ = p; }

  std::vector<SentRecord> log;
  sim::Simulation sim;

  // Records from src (any destination), optionally only those that carry data.
  std::vector<SentRecord> sent_by(Ipv4 src, bool data_only = false) const {
    std::vector<SentRecord> out;
    for (const auto& r : log) {
      if (r.src == src && (!data_only || r.len() > 0)) out.push_back(r);
    }
    return out;
  }

 private:
  struct InFlight {
    Ipv4 src, dst;
    TcpSegment seg;
    std::vector<std::byte> real;
  };

  bool lose(Ipv4 src, const TcpSegment& seg) {
    if (drop_next_ > 0) {
      --drop_next_;
      return true;
    }
    for (auto [from, to] : outages_) {
      if (sim.now() >= from && sim.now() < to) return true;
    }
    if (drop_if_ && drop_if_(src, seg)) return true;
    if (loss_rate_ > 0 && sim.rng().stream("testnet/loss").bernoulli(loss_rate_)) return true;
    return false;
  }

  void transmit(Ipv4 src, Ipv4 dst, const TcpSegment& seg) {
    SentRecord rec{sim.now(), src, dst, seg, seg.payload.real.size(), false};
    rec.seg.payload.real = {};
    rec.dropped = lose(src, seg);
    log.push_back(rec);
    if (rec.dropped) return;
    InFlight f{src, dst, seg, std::vector<std::byte>(seg.payload.real.begin(), seg.payload.real.end())};
    queue_.push_back(std::move(f));
    // Constant delay keeps arrivals in sending order: one FIFO, one event per segment.
    sim.schedule_in(delay_, [this] { arrive(); });
  }

  void arrive() {
    InFlight f = std::move(queue_.front());
    queue_.pop_front();
    f.seg.payload.real = f.real;
    auto it = hosts_.find(f.dst);
    if (it != hosts_.end()) it->second->driver.deliver(f.src, f.dst, f.seg);
  }

  Time delay_;
  std::map<Ipv4, std::unique_ptr<Host>> hosts_;
  std::deque<InFlight> queue_;
  int drop_next_ = 0;
  std::vector<std::pair<Time, Time>> outages_;
  std::function<bool(Ipv4, const TcpSegment&)> drop_if_;
  double loss_rate_ = 0;
};

// An observer that reads everything it is given and remembers what happened.
struct Recorder : TcpObserver {
  bool connected = false;
  bool peer_closed = false;
  bool closed = false;
  bool consume = true;  // read data as it arrives
  bool close_on_peer_close = false;
  TcpOutcome outcome = TcpOutcome::Open;
  Time closed_at = Time::max();
  std::string text;            // real bytes received
  std::uint64_t received = 0;  // all bytes received (real + virtual)
  std::uint64_t virtual_received = 0;
  TcpConnection* conn = nullptr;
  sim::Simulation* sim = nullptr;

  void on_connected(TcpConnection& c) override {
    connected = true;
    conn = &c;
  }
  void on_readable(TcpConnection& c) override {
    conn = &c;
    if (consume) drain(c);
  }
  void drain(TcpConnection& c) {
    while (!c.received().empty()) {
      wire::Bytes real = c.received().real_prefix();
      if (!real.empty()) {
        text.append(reinterpret_cast<const char*>(real.data()), real.size());
        received += real.size();
        c.consume(real.size());
      } else {
        std::uint64_t v = c.received().virtual_prefix();
        virtual_received += v;
        received += v;
        c.consume(v);
      }
    }
  }
  void on_peer_closed(TcpConnection& c) override {
    peer_closed = true;
    if (close_on_peer_close) c.close();
  }
  void on_closed(TcpConnection&, TcpOutcome o) override {
    closed = true;
    outcome = o;
    conn = nullptr;
    if (sim) closed_at = sim->now();
  }
};

// A listener that gives every accepted connection its own Recorder.
struct Acceptor : TcpListener {
  std::vector<std::unique_ptr<Recorder>> accepted;
  bool refuse = false;
  bool close_on_peer_close = true;
  sim::Simulation* sim = nullptr;
  TcpObserver* on_accept(TcpConnection& c) override {
    if (refuse) return nullptr;
    accepted.push_back(std::make_unique<Recorder>());
    accepted.back()->conn = &c;
    accepted.back()->close_on_peer_close = close_on_peer_close;
    accepted.back()->sim = sim;
    return accepted.back().get();
  }
};

}  // namespace nlb::transport::testing
