#include "sim/realtime_pacer.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>

namespace nlb::sim {

namespace {

// Past this, a distance between an event and the anchor is clamped (about 11.5 days): with a
// speed factor of at most 1000 the scaled value still fits in 64 bits.
constexpr std::int64_t kMaxSpan = 1'000'000'000'000'000;

// v * mul / div without overflowing for |v| <= kMaxSpan and mul, div <= 1000.
std::int64_t scale(std::int64_t v, std::int64_t mul, std::int64_t div) {
  v = std::clamp(v, -kMaxSpan, kMaxSpan);
  return v / div * mul + v % div * mul / div;
}

}  // namespace

std::size_t LagHistogram::bucket(Time lag) {
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(lag.nanos(), 0));
  const int top = std::bit_width(ns) - 1;  // the highest set bit; -1 for 0
  if (top < kFirstBit) return 0;
  if (top >= kFirstBit + kOctaves) return kBuckets - 1;
  const auto sub = static_cast<std::size_t>((ns >> (top - 3)) & (kSub - 1));
  return 1 + static_cast<std::size_t>(top - kFirstBit) * kSub + sub;
}

Time LagHistogram::upper(std::size_t b) {
  if (b == 0) return Time::ns(std::int64_t{1} << kFirstBit);
  const int top = kFirstBit + static_cast<int>((b - 1) / kSub);
  const auto sub = static_cast<std::int64_t>((b - 1) % kSub);
  return Time::ns((kSub + 1 + sub) << (top - 3));
}

std::uint64_t LagHistogram::total() const {
  std::uint64_t n = 0;
  for (std::uint64_t c : counts) n += c;
  return n;
}

Time LagHistogram::quantile(double q) const {
  const std::uint64_t n = total();
  if (n == 0) return Time::zero();
  const auto rank =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n))));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += counts[b];
    if (seen >= rank) return upper(b);
  }
  return upper(kBuckets - 1);
}

RealtimePacer::RealtimePacer(Simulation& sim, const RealtimeConfig& cfg) : sim_(sim), cfg_(cfg) {
  assert(cfg_.speed_num >= 1 && cfg_.speed_num <= 1000 && cfg_.speed_den >= 1 && cfg_.speed_den <= 1000);
  assert(cfg_.inbox_slots > 0 && cfg_.inbox_slots < UINT32_MAX && cfg_.slot_bytes > 0);
  slots_.resize(cfg_.inbox_slots);
  storage_.resize(cfg_.inbox_slots * cfg_.slot_bytes);
  free_.reserve(cfg_.inbox_slots);
  posted_.reserve(cfg_.inbox_slots);
  draining_.reserve(cfg_.inbox_slots);
  // Handed out from the back: slot 0 first.
  for (std::size_t i = cfg_.inbox_slots; i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));
  sim_.set_pacer(this);
}

RealtimePacer::~RealtimePacer() {
  sim_.set_pacer(nullptr);
  // Injected events capture `this`: none may outlive the pacer.
  for (Slot& s : slots_) sim_.cancel(s.event);
}

void RealtimePacer::start() {
  anchor_wall_ = Clock::now();
  anchor_sim_ = sim_.now();
  started_ = true;
}

void RealtimePacer::run_until(Time end) {
  if (!started_) start();
  // A do-nothing event at `end` keeps the queue from running empty, so the loop waits in
  // before_event (for the wall clock or a post) instead of returning.
  EventId horizon = sim_.schedule_at(end, [] {});
  sim_.run_until(end);
  sim_.cancel(horizon);
}

bool RealtimePacer::post(InboxSink& sink, std::span<const std::byte> bytes) {
  if (bytes.size() > cfg_.slot_bytes) {
    too_big_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const Clock::time_point arrived = Clock::now();
  std::lock_guard lock(mutex_);
  if (free_.empty()) {
    inbox_full_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::uint32_t i = free_.back();
  free_.pop_back();
  Slot& s = slots_[i];
  s.sink = &sink;
  s.len = static_cast<std::uint32_t>(bytes.size());
  s.arrived = arrived;
  if (!bytes.empty()) std::memcpy(slot_data(i), bytes.data(), bytes.size());
  posted_.push_back(i);
  has_posts_.store(true, std::memory_order_release);
  if (sleeping_) wake_.notify_one();
  return true;
}

void RealtimePacer::request_stop() {
  stop_.store(true, std::memory_order_release);
  std::lock_guard lock(mutex_);
  wake_.notify_one();
}

void RealtimePacer::forget(const InboxSink& sink) {
  std::lock_guard lock(mutex_);
  for (Slot& s : slots_) {
    if (s.sink == &sink) s.sink = nullptr;
  }
}

RealtimeStats RealtimePacer::stats() const {
  RealtimeStats s = stats_;
  s.inbox_full = inbox_full_.load(std::memory_order_relaxed);
  s.too_big = too_big_.load(std::memory_order_relaxed);
  return s;
}

void RealtimePacer::reset_stats() {
  stats_ = {};
  inbox_full_.store(0, std::memory_order_relaxed);
  too_big_.store(0, std::memory_order_relaxed);
}

RealtimePacer::Clock::duration RealtimePacer::wall_span(Time t) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(t.nanos()));
}

Time RealtimePacer::sim_at(Clock::time_point wall) const {
  auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(wall - anchor_wall_).count();
  return anchor_sim_ + Time::ns(scale(d, cfg_.speed_num, cfg_.speed_den));
}

RealtimePacer::Clock::time_point RealtimePacer::wall_at(Time t) const {
  std::int64_t d = scale((t - anchor_sim_).nanos(), cfg_.speed_den, cfg_.speed_num);
  return anchor_wall_ + std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(d));
}

Time RealtimePacer::inject() {
  {
    std::lock_guard lock(mutex_);
    draining_.swap(posted_);
    has_posts_.store(false, std::memory_order_relaxed);
  }
  Time earliest = Time::max();
  for (std::uint32_t i : draining_) {
    // At the simulated time of its arrival, but never in the simulation's past: if the loop
    // is behind, the message waits its turn after what is already due.
    Time at = std::max(sim_.now(), sim_at(slots_[i].arrived));
    slots_[i].event = sim_.schedule_at(at, [this, i] { deliver(i); });
    earliest = std::min(earliest, at);
  }
  draining_.clear();
  return earliest;
}

void RealtimePacer::deliver(std::uint32_t i) {
  Slot& s = slots_[i];
  s.event = {};
  ++stats_.injected;
  if (s.sink) s.sink->on_inbox({slot_data(i), s.len});
  std::lock_guard lock(mutex_);
  s.sink = nullptr;
  free_.push_back(i);
}

bool RealtimePacer::record_lag(Clock::duration lag) {
  Time t = Time::ns(std::chrono::duration_cast<std::chrono::nanoseconds>(lag).count());
  ++stats_.events;
  stats_.total_lag += t;
  stats_.max_lag = std::max(stats_.max_lag, t);
  stats_.lags.add(t);
  if (t > cfg_.late_threshold) ++stats_.late;
  if (t > cfg_.hard_limit) {
    stats_.hard_limit_hit = true;
    return false;
  }
  return true;
}

bool RealtimePacer::before_event(Time next) {
  if (!started_) start();
  for (;;) {
    if (stop_requested()) return false;
    // An injected message earlier than `next` runs first: the queue's order decides.
    if (has_posts_.load(std::memory_order_acquire)) next = std::min(next, inject());
    const Clock::time_point due = wall_at(next);
    const Clock::time_point now = Clock::now();
    if (now >= due) return record_lag(now - due);
    const Clock::duration spin = wall_span(cfg_.spin);
    if (due - now <= spin) {
      ++stats_.spins;
      while (Clock::now() < due && !has_posts_.load(std::memory_order_acquire) && !stop_requested()) {
      }
      continue;
    }

    std::unique_lock lock(mutex_);
    const Clock::time_point wake_at = due - spin;
    // Checked again under the lock: a post or a stop that came after the checks above has
    // either set these already or will see sleeping_ and notify.
    if (!posted_.empty() || stop_requested()) continue;
    sleeping_ = true;
    ++stats_.sleeps;
    wake_.wait_until(lock, wake_at);
    sleeping_ = false;
    if (Clock::now() < wake_at) ++stats_.wakeups;
  }
}

}  // namespace nlb::sim
