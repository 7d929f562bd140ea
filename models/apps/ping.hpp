#pragma once
// ping's logic (ICMP echo, RFC 792), sans-IO: poll(now) hands out the next echo request when it
// is due, on_reply() matches a reply by identifier and sequence number, and a request with no
// reply after `timeout` counts as lost. The IP glue turns requests into ICMP datagrams and
// replies back into on_reply(); answering echo requests is the IP layer's job.

#include <cstdint>
#include <optional>
#include <vector>

#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::apps {

struct PingConfig {
  wire::Ipv4 target;
  std::uint16_t ident = 1;               // ICMP identifier (Linux ping: its process id)
  std::uint32_t count = 0;               // requests to send; 0 = until stopped (ping without -c)
  sim::Time interval = sim::Time::s(1);  // ping -i default
  sim::Time timeout = sim::Time::s(1);   // a reply later than this is counted lost
  std::uint16_t payload_size = 56;       // ping -s default
  sim::Time start = sim::Time::zero();
  // false: settled requests (answered or lost) are forgotten, so that a pinger that runs for
  // hours (a balancer's reach targets) holds only the open ones; stats() still counts them all.
  bool keep_records = true;
};

struct EchoRequest {
  wire::Ipv4 target;
  std::uint16_t ident;
  std::uint16_t seq;
  std::uint16_t payload_size;
};

struct PingRecord {
  std::uint16_t seq = 0;
  sim::Time sent;
  std::optional<sim::Time> rtt;  // set when answered in time
  bool lost = false;             // the timeout passed with no reply
};

struct PingStats {
  std::uint32_t sent = 0;
  std::uint32_t received = 0;
  std::uint32_t lost = 0;
  std::uint32_t late_or_duplicate = 0;  // replies that matched nothing outstanding
  sim::Time rtt_min = sim::Time::max();
  sim::Time rtt_max = sim::Time::zero();
  sim::Time rtt_sum = sim::Time::zero();
  sim::Time rtt_avg() const { return received ? rtt_sum / received : sim::Time::zero(); }
};

class Pinger {
 public:
  explicit Pinger(const PingConfig& cfg) : cfg_(cfg), next_send_(cfg.start) {}

  // The request due now, if any; call again until it returns nothing. Also marks timeouts.
  std::optional<EchoRequest> poll(sim::Time now);
  // A reply arrived; true if it answered an outstanding request of ours.
  bool on_reply(sim::Time now, std::uint16_t ident, std::uint16_t seq);
  // When poll() next has work; Time::max() when done.
  sim::Time poll_at() const;
  void stop() { stopped_ = true; }
  // Every request sent and answered or timed out.
  bool done() const;

  const PingStats& stats() const { return stats_; }
  // Every request (keep_records), or the open ones and at most kForgetAfter settled.
  const std::vector<PingRecord>& records() const { return records_; }
  // The newest request that is settled: true if it was answered, false if lost; nothing yet.
  std::optional<bool> last_settled() const { return last_settled_; }
  static constexpr std::size_t kForgetAfter = 64;
  const PingConfig& config() const { return cfg_; }

 private:
  void expire(sim::Time now);
  void settled(std::size_t i, bool answered);

  PingConfig cfg_;
  sim::Time next_send_;
  std::uint16_t next_seq_ = 1;  // Linux ping starts at icmp_seq=1
  std::size_t first_open_ = 0;  // records before this index are answered or lost
  bool stopped_ = false;
  PingStats stats_;
  std::vector<PingRecord> records_;
  std::uint64_t base_ = 0;            // requests forgotten before records_[0]
  std::uint64_t newest_settled_ = 0;  // 1 + the newest settled request's number from the first
  std::optional<bool> last_settled_;
};

}  // namespace nlb::apps
