#include "models/apps/ping.hpp"

#include <algorithm>

namespace nlb::apps {

using sim::Time;

std::optional<EchoRequest> Pinger::poll(Time now) {
  expire(now);
  if (stopped_ || now < next_send_ || (cfg_.count != 0 && stats_.sent >= cfg_.count)) return std::nullopt;
  EchoRequest req{cfg_.target, cfg_.ident, next_seq_++, cfg_.payload_size};
  records_.push_back({req.seq, now, std::nullopt, false});
  ++stats_.sent;
  next_send_ = next_send_ + cfg_.interval;
  return req;
}

void Pinger::expire(Time now) {
  while (first_open_ < records_.size()) {
    PingRecord& r = records_[first_open_];
    if (!r.rtt && !r.lost) {
      if (now < r.sent + cfg_.timeout) break;
      r.lost = true;
      ++stats_.lost;
      settled(first_open_, false);
    }
    ++first_open_;
  }
  if (!cfg_.keep_records && first_open_ >= kForgetAfter) {  // keeps the vector's capacity
    records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(first_open_));
    base_ += first_open_;
    first_open_ = 0;
  }
}

void Pinger::settled(std::size_t i, bool answered) {
  if (base_ + i + 1 <= newest_settled_) return;  // an older request settled after a newer one
  newest_settled_ = base_ + i + 1;
  last_settled_ = answered;
}

bool Pinger::on_reply(Time now, std::uint16_t ident, std::uint16_t seq) {
  expire(now);
  if (ident == cfg_.ident) {
    // Sequence numbers wrap at 2^16: search the open requests, newest last.
    for (std::size_t i = first_open_; i < records_.size(); ++i) {
      PingRecord& r = records_[i];
      if (r.seq != seq || r.rtt || r.lost) continue;
      Time rtt = now - r.sent;
      r.rtt = rtt;
      ++stats_.received;
      stats_.rtt_min = std::min(stats_.rtt_min, rtt);
      stats_.rtt_max = std::max(stats_.rtt_max, rtt);
      stats_.rtt_sum += rtt;
      settled(i, true);
      expire(now);
      return true;
    }
  }
  ++stats_.late_or_duplicate;
  return false;
}

Time Pinger::poll_at() const {
  Time at = Time::max();
  bool more = !stopped_ && (cfg_.count == 0 || stats_.sent < cfg_.count);
  if (more) at = next_send_;
  for (std::size_t i = first_open_; i < records_.size(); ++i) {
    const PingRecord& r = records_[i];
    if (!r.rtt && !r.lost) {
      at = std::min(at, r.sent + cfg_.timeout);
      break;
    }
  }
  return at;
}

bool Pinger::done() const {
  bool all_sent = stopped_ || (cfg_.count != 0 && stats_.sent >= cfg_.count);
  return all_sent && first_open_ == records_.size();
}

}  // namespace nlb::apps
