#pragma once
// Real-time mode (issue #9, docs/emulation.md): a Pacer that holds each event back until the
// wall clock reaches its simulated time, so a simulated network can exchange frames with real
// hosts. This file and its .cpp are the only places in sim/ that read the wall clock: a
// real-time run is not deterministic by nature (DESIGN.md, "Determinism" holds for replayed
// scenarios, not for emulation), and keeping the clock here keeps every model free of it.
//
// Pacing follows ns-3's RealtimeSimulatorImpl: simulated time is anchored to a steady_clock
// instant; before an event runs, the loop sleeps until the wall clock reaches the event's
// time (scaled by an optional speed factor). If the simulation falls behind, events run at
// once and their lag (how late, on the wall clock, each one started) is measured; best effort
// by default, or ns-3's hard limit: the run stops when the lag exceeds a bound.
//
// Outside threads (an external port's socket reader) never touch the simulation. They post
// bytes to a bounded inbox; the loop takes them before each event, and while it sleeps a post
// wakes it at once (condition variable). Each message becomes an event at the simulated time
// matching its arrival on the wall clock (never before the simulation's now), which then hands
// the bytes to its InboxSink on the simulation's thread.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "sim/simulation.hpp"

namespace nlb::sim {

// Receives posted bytes on the simulation's thread, inside an event.
class InboxSink {
 public:
  virtual void on_inbox(std::span<const std::byte> bytes) = 0;

 protected:
  ~InboxSink() = default;
};

struct RealtimeConfig {
  // Simulated time runs speed_num/speed_den times as fast as the wall clock: 1/1 real time,
  // 1/10 ten times slower (headroom for a heavy model). Integers: no floating point enters
  // the engine's time. Each of them at most 1000.
  std::int64_t speed_num = 1;
  std::int64_t speed_den = 1;
  // The lag settings below are wall-clock durations (the same as simulated ones at speed 1/1).
  // An event that starts more than this behind its wall-clock time counts as late.
  Time late_threshold = Time::ms(1);
  // ns-3's SYNC_HARD_LIMIT: the run stops (stats().hard_limit_hit) when an event would start
  // more than this behind the wall clock. Time::max(): best effort, never stops.
  Time hard_limit = Time::max();
  // The last stretch before an event is spent polling the clock (and the inbox) instead of
  // sleeping, as ns-3's wall-clock synchronizer does below its jiffy: a sleeping thread wakes
  // tens of microseconds late (timer slack, scheduling), more on a loaded host. Costs a CPU
  // while it spins; zero: always sleep.
  Time spin = Time::zero();
  // The inbox: messages waiting to become events, and the largest message (a frame is 1514).
  std::size_t inbox_slots = 1024;
  std::size_t slot_bytes = 2048;
};

// Lags by magnitude, for percentiles without keeping every lag: bucket 0 holds lags under
// 1024 ns; above, each power of two of nanoseconds is split in 8, so a percentile read from it
// (the upper edge of its bucket) is at most 12.5 % above the true value. 2.5 KB, no allocation.
struct LagHistogram {
  static constexpr int kSub = 8;        // buckets per power of two
  static constexpr int kFirstBit = 10;  // 2^10 ns: the first octave
  static constexpr int kOctaves = 40;   // up to 2^50 ns, about 13 days
  static constexpr std::size_t kBuckets = 1 + kOctaves * kSub;

  std::array<std::uint64_t, kBuckets> counts{};

  void add(Time lag) { ++counts[bucket(lag)]; }
  std::uint64_t total() const;
  // The upper edge of the bucket that holds the q-quantile (0 < q <= 1); zero when empty.
  Time quantile(double q) const;
  static std::size_t bucket(Time lag);
  static Time upper(std::size_t bucket);  // lags in `bucket` are below this
};

struct RealtimeStats {
  std::uint64_t events = 0;  // events paced
  std::uint64_t late = 0;    // events that started more than late_threshold behind
  Time max_lag;              // wall-clock nanoseconds an event started behind its time, worst
  Time total_lag;            // and summed over every event
  std::uint64_t sleeps = 0;
  std::uint64_t spins = 0;       // waits done by polling the clock (config spin)
  std::uint64_t wakeups = 0;     // sleeps cut short by a post or a stop request
  std::uint64_t injected = 0;    // posted messages that became events
  std::uint64_t inbox_full = 0;  // posts refused: every slot in use
  std::uint64_t too_big = 0;     // posts refused: larger than slot_bytes
  bool hard_limit_hit = false;
  LagHistogram lags;
  Time mean_lag() const { return events ? total_lag / static_cast<std::int64_t>(events) : Time::zero(); }
  // A lag percentile, e.g. lag_quantile(0.99): an upper bound, at most 12.5 % above the true
  // value and never above max_lag.
  Time lag_quantile(double q) const { return std::min(lags.quantile(q), max_lag); }
};

class RealtimePacer final : public Pacer {
 public:
  using Clock = std::chrono::steady_clock;

  // Installs itself as the simulation's pacer (and removes itself when destroyed).
  explicit RealtimePacer(Simulation& sim, const RealtimeConfig& cfg = {});
  ~RealtimePacer() override;
  RealtimePacer(const RealtimePacer&) = delete;
  RealtimePacer& operator=(const RealtimePacer&) = delete;

  // Anchors the simulation's now to the wall clock's now. The first run does it if no one did.
  void start();
  // Runs in real time until simulated time `end`, stop() or request_stop(). Unlike
  // Simulation::run_until it also waits through an empty queue, for posted messages.
  void run_until(Time end);

  // --- any thread ---------------------------------------------------------------------------
  // Copies `bytes` into the inbox for `sink`. False (and counted) when the inbox is full or
  // the message is larger than a slot: the caller drops it, as a full NIC ring would.
  bool post(InboxSink& sink, std::span<const std::byte> bytes);
  // Makes the run return before its next event (sticky: later runs return at once too).
  void request_stop();
  bool stop_requested() const { return stop_.load(std::memory_order_acquire); }
  // Re-arms the pacer after a stop request, for another run.
  void clear_stop() { stop_.store(false, std::memory_order_release); }

  // --- the simulation's thread --------------------------------------------------------------
  // Messages for `sink` that are still waiting are dropped; call it before a sink goes away.
  void forget(const InboxSink& sink);
  RealtimeStats stats() const;
  // Starts the lag statistics and the refusal counters afresh (to report one phase of a run).
  void reset_stats();
  const RealtimeConfig& config() const { return cfg_; }
  // The simulated time the wall clock stands at now (after start()).
  Time wall_now() const { return sim_at(Clock::now()); }

  bool before_event(Time next) override;

 private:
  struct Slot {
    InboxSink* sink = nullptr;
    std::uint32_t len = 0;
    Clock::time_point arrived;
    EventId event;
  };

  Time inject();  // turns posted messages into events; returns the earliest one's time
  void deliver(std::uint32_t slot);
  bool record_lag(Clock::duration lag);
  Time sim_at(Clock::time_point wall) const;
  Clock::time_point wall_at(Time t) const;
  static Clock::duration wall_span(Time t);  // lag settings are wall-clock durations
  std::byte* slot_data(std::uint32_t slot) { return storage_.data() + std::size_t{slot} * cfg_.slot_bytes; }

  Simulation& sim_;
  RealtimeConfig cfg_;
  Clock::time_point anchor_wall_;
  Time anchor_sim_;
  bool started_ = false;
  RealtimeStats stats_;  // the simulation thread's own counters

  // Shared with posting threads.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool sleeping_ = false;               // guarded by mutex_
  std::vector<std::uint32_t> free_;     // guarded by mutex_
  std::vector<std::uint32_t> posted_;   // guarded by mutex_, in arrival order
  std::atomic<bool> has_posts_{false};  // a hint, read without the lock before every event
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> inbox_full_{0};
  std::atomic<std::uint64_t> too_big_{0};
  std::vector<Slot> slots_;              // a slot is owned by whoever holds its index
  std::vector<std::byte> storage_;       // slot_bytes per slot, allocated once
  std::vector<std::uint32_t> draining_;  // simulation thread only: swapped with posted_
};

}  // namespace nlb::sim
