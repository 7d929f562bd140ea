#include "models/protocols/advisor.hpp"

#include <algorithm>

namespace nlb::protocols {

std::string AdvisorConfig::check() const {
  if (interval <= Time::zero()) return "interval: must be positive";
  if (timeout <= Time::zero()) return "timeout: must be positive";
  if (retry_delay < Time::zero()) return "retry_delay: must not be negative";
  if (retries > 100) return "retries: at most 100";
  return {};
}

ServerAdvisor::ServerAdvisor(AdvisorConfig config) : cfg_(config), up_(cfg_.initially_up) {}

Time ServerAdvisor::next_deadline() const {
  if (!running_) return Time::max();
  return in_flight_ ? sent_at_ + cfg_.timeout : next_probe_at_;
}

ServerAdvisor::Actions ServerAdvisor::start(Time now) {
  Actions out;
  running_ = true;
  send(now, out);
  return out;
}

void ServerAdvisor::stop() {
  running_ = in_flight_ = false;
  next_probe_at_ = Time::max();
}

void ServerAdvisor::send(Time now, Actions& out) {
  in_flight_ = true;
  sent_at_ = now;
  ++probe_id_;
  ++counters_.probes;
  out.push(advisor::SendProbe{probe_id_});
}

void ServerAdvisor::fail(Time now, const char* why, Actions& out) {
  in_flight_ = false;
  ++counters_.failures;
  if (failures_++ == 0) first_failed_sent_ = sent_at_;
  // ND: a server is marked down after retries + 1 consecutive failures.
  if (up_ && failures_ == cfg_.retries + 1) {
    up_ = false;
    out.push(advisor::MarkedDown{last_ok_, first_failed_sent_, failures_, why});
  }
  // A failure within the retries is retried soon; after that, probes keep the interval so that
  // a recovered server is noticed.
  const bool retrying = failures_ <= cfg_.retries;
  next_probe_at_ = retrying ? now + cfg_.retry_delay : std::max(now, sent_at_ + cfg_.interval);
}

ServerAdvisor::Actions ServerAdvisor::on_result(Time now, std::uint32_t id, bool ok) {
  Actions out;
  if (!running_ || !in_flight_ || id != probe_id_) {
    ++counters_.stale_results;
    return out;
  }
  if (!ok) {
    fail(now, "probe failed", out);
  } else {
    in_flight_ = false;
    ++counters_.successes;
    failures_ = 0;
    first_failed_sent_ = Time::max();
    last_ok_ = now;
    response_time_ = now - sent_at_;
    out.push(advisor::ResponseTime{response_time_});
    if (!up_) {
      up_ = true;  // one good answer brings a server back (ND)
      out.push(advisor::MarkedUp{response_time_});
    }
    next_probe_at_ = std::max(now, sent_at_ + cfg_.interval);
  }
  if (next_probe_at_ <= now) send(now, out);
  return out;
}

ServerAdvisor::Actions ServerAdvisor::poll(Time now) {
  Actions out;
  if (!running_) return out;
  if (in_flight_ && sent_at_ + cfg_.timeout <= now) {
    ++counters_.timeouts;
    fail(now, "no answer within the timeout", out);
  }
  if (!in_flight_ && next_probe_at_ <= now) send(now, out);
  return out;
}

}  // namespace nlb::protocols
