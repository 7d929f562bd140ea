#pragma once
// The advisor of one server: IBM Network Dispatcher's advisors (REFERENCE.md 2.4), which probe
// each server periodically, time the answer for the manager ("response time", one of the
// seed's four inputs) and mark a server down when it stops answering, so that "one of its
// basic functions is to avoid choosing a failed server" (the seed, "High Availability").
//
// Sans-IO: the node glue sends the actual probe (an HTTP GET or a TCP connect to the server)
// when told, and reports its outcome; the advisor keeps the clock, the retries and the verdict.

#include <cstdint>
#include <string>
#include <variant>

#include "models/protocols/actions.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

using sim::Time;

struct AdvisorConfig {
  Time interval = Time::s(7);       // between probes (ND's advisor interval; docs/protocols.md)
  Time timeout = Time::s(21);       // a probe unanswered this long has failed (ND: 3 x interval)
  unsigned retries = 0;             // mark down after retries + 1 consecutive failures
  Time retry_delay = Time::zero();  // a failed probe is retried this long after (not after `interval`)
  bool initially_up = true;         // servers are assumed up until a probe fails (ND)

  std::string check() const;
};

namespace advisor {

// Send probe `id` to the server now; report with on_result(now, id, ok).
struct SendProbe {
  std::uint32_t id = 0;
};
// The manager's input: how long the last successful probe took.
struct ResponseTime {
  Time response_time;
};
// The verdict changed. `last_ok` is when the server last answered (Time::max() if never),
// `first_failed_sent` when the first probe of the failing run was sent: what a report needs to
// tell the detection time from the time of the fault.
struct MarkedDown {
  Time last_ok = Time::max();
  Time first_failed_sent = Time::max();
  unsigned failures = 0;
  const char* why = "";
};
struct MarkedUp {
  Time response_time;
};

using Action = std::variant<SendProbe, ResponseTime, MarkedDown, MarkedUp>;

}  // namespace advisor

struct AdvisorCounters {
  std::uint64_t probes = 0;
  std::uint64_t successes = 0;
  std::uint64_t failures = 0;  // refused, errors and timeouts
  std::uint64_t timeouts = 0;
  std::uint64_t stale_results = 0;  // results for a probe no longer awaited
};

class ServerAdvisor {
 public:
  using Actions = ActionList<advisor::Action, 4>;

  explicit ServerAdvisor(AdvisorConfig config);

  // The first probe leaves at `now`.
  Actions start(Time now);
  void stop();
  // The outcome of probe `id`: ok = the server answered correctly; false = refused, reset or
  // an error status. A result for another probe than the one awaited is ignored.
  Actions on_result(Time now, std::uint32_t id, bool ok);
  Actions poll(Time now);
  Time next_deadline() const;

  bool up() const { return up_; }
  // The last measured response time (zero before any success).
  Time response_time() const { return response_time_; }
  unsigned consecutive_failures() const { return failures_; }
  const AdvisorCounters& counters() const { return counters_; }

 private:
  void send(Time now, Actions& out);
  void fail(Time now, const char* why, Actions& out);

  AdvisorConfig cfg_;
  bool running_ = false;
  bool up_ = true;
  bool in_flight_ = false;
  std::uint32_t probe_id_ = 0;
  Time sent_at_;
  Time next_probe_at_ = Time::max();
  unsigned failures_ = 0;
  Time last_ok_ = Time::max();
  Time first_failed_sent_ = Time::max();
  Time response_time_;
  AdvisorCounters counters_;
};

}  // namespace nlb::protocols
