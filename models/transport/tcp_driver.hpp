#pragma once
// Binds a sans-IO TcpStack to the simulation clock with one member timer, armed at the stack's
// poll_at(). The network side hands inbound segments to deliver() and receives outbound ones
// through the TcpIo it gave; everything else is the stack's.

#include "models/transport/tcp_stack.hpp"
#include "sim/simulation.hpp"

namespace nlb::transport {

class TcpDriver final : private TcpIo {
 public:
  TcpDriver(sim::Simulation& sim, const TcpConfig& cfg, sim::RngStream& isn, TcpIo& net)
      : sim_(sim), net_(net), stack_(cfg, isn, *this), timer_(sim, [this] { on_timer(); }) {}

  TcpStack& stack() { return stack_; }
  const TcpStack& stack() const { return stack_; }

  void deliver(wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) {
    stack_.on_segment(sim_.now(), src, dst, seg);
    rearm();
  }
  // The host crashed: forget every connection and stop the clock.
  void crash() {
    stack_.crash(sim_.now());
    timer_.cancel();
  }

 private:
  void send_segment(wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) override {
    net_.send_segment(src, dst, seg);
  }
  wire::Ipv4 source_for(wire::Ipv4 dst) override { return net_.source_for(dst); }
  void wake() override {
    if (timer_.expiry() > sim_.now()) timer_.schedule_at(sim_.now());
  }
  void on_timer() {
    stack_.poll(sim_.now());
    rearm();
  }
  void rearm() {
    sim::Time at = stack_.poll_at();
    if (at == sim::Time::max()) {
      timer_.cancel();
    } else {
      timer_.schedule_at(std::max(at, sim_.now()));
    }
  }

  sim::Simulation& sim_;
  TcpIo& net_;
  TcpStack stack_;
  sim::Timer timer_;
};

}  // namespace nlb::transport
