#pragma once
// ping on a node: a Pinger (sans-IO) driven by a member timer, its requests sent and its
// replies received through the node's TransportHost.

#include "models/apps/ping.hpp"
#include "models/transport/transport_host.hpp"
#include "sim/simulation.hpp"

namespace nlb::apps {

class PingClient {
 public:
  PingClient(transport::TransportHost& host, const PingConfig& cfg)
      : host_(host), sim_(host.host().sim()), pinger_(cfg), timer_(sim_, [this] { on_timer(); }) {
    host_.set_echo_listener(cfg.ident, [this](wire::Ipv4, std::uint16_t ident, std::uint16_t seq) {
      pinger_.on_reply(sim_.now(), ident, seq);
      rearm();
    });
  }
  ~PingClient() { host_.remove_echo_listener(pinger_.config().ident); }
  PingClient(const PingClient&) = delete;
  PingClient& operator=(const PingClient&) = delete;

  void start() { rearm(); }
  void stop() {
    pinger_.stop();
    rearm();
  }
  const Pinger& pinger() const { return pinger_; }
  const PingStats& stats() const { return pinger_.stats(); }

 private:
  void on_timer() {
    while (auto req = pinger_.poll(sim_.now())) {
      host_.send_echo_request(req->target, req->ident, req->seq, req->payload_size);
    }
    rearm();
  }
  void rearm() {
    sim::Time at = pinger_.poll_at();
    if (at == sim::Time::max()) {
      timer_.cancel();
    } else {
      timer_.schedule_at(std::max(at, sim_.now()));
    }
  }

  transport::TransportHost& host_;
  sim::Simulation& sim_;
  Pinger pinger_;
  sim::Timer timer_;
};

}  // namespace nlb::apps
