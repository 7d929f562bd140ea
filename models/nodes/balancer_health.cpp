// The balancer's view of its surroundings: the advisors that probe each server (the seed's
// "response time" input and "avoid choosing a failed server"), and the ND reach targets pinged
// for the HA machine ("reachability criteria ... such as access to gateway routers").
#include <algorithm>
#include <string_view>
#include <variant>

#include "models/nodes/balancer_parts.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/transport/payload.hpp"

namespace nlb::nodes {

namespace adv = protocols::advisor;
using protocols::ServerId;

namespace {
constexpr std::string_view kProbeRequest =
    "GET /advisor HTTP/1.1\r\nHost: advisor\r\nX-Response-Size: 0\r\nConnection: close\r\n\r\n";
constexpr std::string_view kOk = "HTTP/1.1 200";
constexpr std::uint16_t kReachIdentBase = 0x4e00;  // ICMP identifiers of the reach pingers
}  // namespace

// --- probes ----------------------------------------------------------------------------------

void Balancer::Probe::on_connected(transport::TcpConnection& c) {
  if (kind == ProbeKind::TcpConnect) {
    finish(true);
    c.close();
    return;
  }
  c.send(transport::as_bytes(kProbeRequest));
}

void Balancer::Probe::on_readable(transport::TcpConnection& c) {
  const wire::Bytes head = c.received().real_prefix();
  if (!reported && head.size() >= kOk.size()) {
    const std::string_view text(reinterpret_cast<const char*>(head.data()), kOk.size());
    finish(text == kOk);
    c.close();
  }
  c.consume(c.received().size());
}

void Balancer::Probe::on_closed(transport::TcpConnection&, transport::TcpOutcome) {
  conn = nullptr;
  closed = true;
  finish(false);  // refused, reset or timed out before an answer
}

void Balancer::Probe::finish(bool ok) {
  if (reported) return;
  reported = true;
  if (balancer->running() && epoch == balancer->epoch_) balancer->probe_result(server, id, ok);
}

Balancer::Advised::Advised(Balancer& b, ServerId s, const protocols::AdvisorConfig& cfg)
    : advisor(cfg), timer(b, [&b, s] { b.run_advisor(s, b.advisors_[s]->advisor.poll(b.sim().now())); }) {}

bool Balancer::server_up(ServerId s) const { return s >= advisors_.size() || advisors_[s]->advisor.up(); }

// --- health ----------------------------------------------------------------------------------

void Balancer::start_health() {
  const Time now = sim().now();
  advisors_.clear();
  if (cfg_.probe.enabled) {
    for (ServerId s = 0; s < server_ips_.size(); ++s)
      advisors_.push_back(std::make_unique<Advised>(*this, s, cfg_.probe.advisor));
    for (ServerId s = 0; s < server_ips_.size(); ++s) run_advisor(s, advisors_[s]->advisor.start(now));
  }
  reach_ = std::make_unique<Reach>();
  for (std::size_t k = 0; k < cfg_.reach.targets.size(); ++k) {
    apps::PingConfig pc;
    pc.target = cfg_.reach.targets[k];
    pc.ident = static_cast<std::uint16_t>(kReachIdentBase + k);
    pc.interval = cfg_.reach.interval;
    pc.timeout = cfg_.reach.timeout;
    pc.start = now;
    pc.keep_records = false;  // one request a second for as long as the balancer runs
    reach_->pingers.emplace_back(pc);
    reach_->status.push_back(-1);
    transport().set_echo_listener(pc.ident, [this, k](wire::Ipv4, std::uint16_t ident, std::uint16_t seq) {
      if (!running() || !reach_ || k >= reach_->pingers.size()) return;
      reach_->pingers[k].on_reply(sim().now(), ident, seq);
      on_reach_timer();
    });
  }
  on_reach_timer();
}

void Balancer::stop_health() {
  ++epoch_;  // results of probes still in flight belong to no one now
  for (auto& a : advisors_) a->timer.cancel();
  advisors_.clear();
  for (auto& p : probes_) {
    p->reported = true;
    if (p->conn) p->conn->abort();
  }
  reach_timer_.cancel();
  reach_.reset();
}

void Balancer::run_advisor(ServerId s, const protocols::ServerAdvisor::Actions& actions) {
  auto& trace = sim().trace();
  const Time now = sim().now();
  for (const auto& action : actions) {
    if (const auto* p = std::get_if<adv::SendProbe>(&action)) {
      send_probe(s, p->id);
    } else if (const auto* r = std::get_if<adv::ResponseTime>(&action)) {
      for (auto& d : dispatchers_) d->set_response_time(s, r->response_time);
    } else if (const auto* down = std::get_if<adv::MarkedDown>(&action)) {
      if (trace.wants<protocols::ServerHealthChanged>())
        trace.publish(protocols::ServerHealthChanged{now, id(), s, server_ips_[s], false, down->last_ok,
                                                     down->first_failed_sent, Time::zero(), down->why});
      for (std::size_t c = 0; c < dispatchers_.size(); ++c) {
        dispatchers_[c]->set_server_up(s, false);
        publish_weights(c);
      }
    } else if (const auto* up = std::get_if<adv::MarkedUp>(&action)) {
      if (trace.wants<protocols::ServerHealthChanged>())
        trace.publish(protocols::ServerHealthChanged{now, id(), s, server_ips_[s], true, Time::max(),
                                                     Time::max(), up->response_time, "probe answered"});
      for (std::size_t c = 0; c < dispatchers_.size(); ++c) {
        dispatchers_[c]->set_server_up(s, true);
        publish_weights(c);
      }
    }
  }
  advisors_[s]->timer.schedule_at(advisors_[s]->advisor.next_deadline());
}

void Balancer::send_probe(ServerId s, std::uint32_t probe_id) {
  // Probes whose connection is over are no longer referenced by the TCP stack.
  std::erase_if(probes_, [](const std::unique_ptr<Probe>& p) { return p->closed; });
  for (auto& p : probes_) {
    if (p->server == s && p->conn) {
      p->reported = true;  // superseded: its answer, if any, is stale
      p->conn->abort();
    }
  }
  auto probe = std::make_unique<Probe>();
  probe->balancer = this;
  probe->server = s;
  probe->id = probe_id;
  probe->epoch = epoch_;
  probe->kind = cfg_.probe.kind;
  Probe& p = *probe;
  probes_.push_back(std::move(probe));
  const transport::Endpoint local{interfaces().primary(server_side_), 0};
  p.conn = transport().tcp().connect(sim().now(), local, {server_ips_[s], cfg_.probe.port}, p);
  if (!p.conn) {
    p.closed = true;
    p.finish(false);
  }
}

void Balancer::probe_result(ServerId s, std::uint32_t probe_id, bool ok) {
  if (s < advisors_.size()) run_advisor(s, advisors_[s]->advisor.on_result(sim().now(), probe_id, ok));
}

// --- reach targets ---------------------------------------------------------------------------

void Balancer::on_reach_timer() {
  if (!reach_) return;
  const Time now = sim().now();
  Time next = Time::max();
  for (std::size_t k = 0; k < reach_->pingers.size(); ++k) {
    apps::Pinger& p = reach_->pingers[k];
    while (auto req = p.poll(now))
      transport().send_echo_request(req->target, req->ident, req->seq, req->payload_size);
    // What the target last said: the newest request that was answered or given up.
    if (const std::optional<bool> answered = p.last_settled()) reach_->status[k] = *answered ? 1 : 0;
    next = std::min(next, p.poll_at());
  }
  reach_timer_.schedule_at(next);
  report_reach();
}

void Balancer::report_reach() {
  const auto& st = reach_->status;
  if (st.empty() || std::find(st.begin(), st.end(), -1) != st.end()) return;  // not every target tried yet
  const int reached = static_cast<int>(std::count(st.begin(), st.end(), 1));
  if (reached == reach_->reported_reached) return;
  reach_->reported_reached = reached;
  run_ha(
      ha_->on_reach(sim().now(), static_cast<std::uint8_t>(reached), static_cast<std::uint8_t>(st.size())));
}

}  // namespace nlb::nodes
