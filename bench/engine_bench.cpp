// Engine benchmark (issue #2, "Speed"): the hold model on the engine's real events and timers,
// the same model on bare baselines (std::priority_queue of 24-byte PODs, and of std::function
// payloads), and timer cancel/reschedule churn.
//
// Every hold variant draws its delays from an RngStream of the same (seed, name), one draw per
// event in the order events run, so when the variants run the same events in the same order
// they print the same checksum. The checksum hashes (time, payload) of every event in order: it
// keeps the compiler from dropping work and checks the engine's order against the baseline's.
// Reading the wall clock is fine here; sim/ never does.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/rng.hpp"
#include "sim/simulation.hpp"

namespace {

using nlb::sim::RngStream;
using nlb::sim::Simulation;
using nlb::sim::Time;
using nlb::sim::Timer;

struct Options {
  std::uint64_t events = 50'000'000;
  std::uint32_t pending = 1000;
  std::uint64_t seed = 1;
  std::uint32_t timers = 100'000;
  std::uint64_t churn_ops = 10'000'000;
  std::uint64_t slice = 1'000'000;
  std::string only;  // one variant (for callgrind): pod, function, events, timers, churn
};

// Hold delays: uniform in [0, 2 us]. Zero is included on purpose, so ties at the current time
// happen and are checked by the checksum.
constexpr Time kMaxDelay = Time::us(2);
constexpr const char* kHoldStream = "hold";

Time next_delay(RngStream& rng) { return rng.uniform_time(Time::zero(), kMaxDelay); }

// Order-sensitive hash of what ran.
struct Checksum {
  std::uint64_t value = 0;
  void add(Time at, std::uint64_t payload) {
    value = (value ^ static_cast<std::uint64_t>(at.nanos())) * 0x100000001b3ULL + payload;
  }
};

struct Result {
  double seconds = 0;
  std::uint64_t count = 0;
  std::uint64_t checksum = 0;
  double rate() const { return static_cast<double>(count) / seconds; }
};

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// --- bare baselines ---------------------------------------------------------------------------

struct PodEvent {
  std::int64_t at;
  std::uint64_t seq;
  std::uint64_t payload;
};
static_assert(sizeof(PodEvent) == 24);

struct PodLater {
  bool operator()(const PodEvent& a, const PodEvent& b) const {
    return a.at > b.at || (a.at == b.at && a.seq > b.seq);
  }
};

// A hold model that can be advanced by a number of events at a time. The driver runs the
// variants in turns, a slice each, so that the load of this shared machine spreads over all
// of them alike instead of favouring whichever ran in a quiet second.
class HoldModel {
 public:
  virtual ~HoldModel() = default;
  virtual void advance(std::uint64_t events) = 0;
  virtual std::uint64_t checksum() const = 0;
};

class HoldBarePod : public HoldModel {
 public:
  explicit HoldBarePod(const Options& o) : rng_(o.seed, kHoldStream) {
    std::vector<PodEvent> storage;
    storage.reserve(o.pending + 1);
    q_ = decltype(q_)(PodLater{}, std::move(storage));
    for (std::uint32_t i = 0; i < o.pending; ++i) q_.push({next_delay(rng_).nanos(), seq_++, i});
  }

  void advance(std::uint64_t events) override {
    for (std::uint64_t n = 0; n < events; ++n) {
      PodEvent e = q_.top();
      q_.pop();
      Time now = Time::ns(e.at);
      sum_.add(now, e.payload);
      q_.push({(now + next_delay(rng_)).nanos(), seq_++, e.payload});
    }
  }
  std::uint64_t checksum() const override { return sum_.value; }

 private:
  RngStream rng_;
  std::priority_queue<PodEvent, std::vector<PodEvent>, PodLater> q_;
  std::uint64_t seq_ = 0;
  Checksum sum_;
};

struct FnEvent {
  std::int64_t at;
  std::uint64_t seq;
  std::function<void()> fn;
};

struct FnLater {
  bool operator()(const FnEvent& a, const FnEvent& b) const {
    return a.at > b.at || (a.at == b.at && a.seq > b.seq);
  }
};

class HoldStdFunction : public HoldModel {
 public:
  explicit HoldStdFunction(const Options& o) : rng_(o.seed, kHoldStream) {
    for (std::uint32_t i = 0; i < o.pending; ++i) schedule(next_delay(rng_), i);
  }

  void advance(std::uint64_t events) override {
    for (std::uint64_t n = 0; n < events; ++n) {
      // priority_queue::top is const: the function is copied out, as a std::function queue must.
      FnEvent e = q_.top();
      q_.pop();
      now_ = Time::ns(e.at);
      e.fn();
    }
  }
  std::uint64_t checksum() const override { return sum_.value; }

 private:
  void schedule(Time at, std::uint64_t payload) {
    q_.push({at.nanos(), seq_++, [this, payload] { on_event(payload); }});
  }
  void on_event(std::uint64_t payload) {
    sum_.add(now_, payload);
    schedule(now_ + next_delay(rng_), payload);
  }

  RngStream rng_;
  std::priority_queue<FnEvent, std::vector<FnEvent>, FnLater> q_;
  std::uint64_t seq_ = 0;
  Time now_;
  Checksum sum_;
};

// --- the engine -------------------------------------------------------------------------------

// Shared by the engine variants: run() until `events` more have executed.
class EngineHold : public HoldModel {
 public:
  explicit EngineHold(const Options& o) : sim_(o.seed), rng_(sim_.rng().stream(kHoldStream)) {}

  void advance(std::uint64_t events) override {
    target_ = executed_ + events;
    sim_.run();
  }
  std::uint64_t checksum() const override { return sum_.value; }

 protected:
  void ran(std::uint64_t payload) {
    sum_.add(sim_.now(), payload);
    if (++executed_ == target_) sim_.stop();
  }

  Simulation sim_;
  RngStream& rng_;

 private:
  std::uint64_t executed_ = 0;
  std::uint64_t target_ = 0;
  Checksum sum_;
};

// One-shot events: each callback schedules the next one through Simulation::schedule_in.
class HoldEngineEvents : public EngineHold {
 public:
  explicit HoldEngineEvents(const Options& o) : EngineHold(o) {
    for (std::uint32_t i = 0; i < o.pending; ++i) schedule(i);
  }

 private:
  void schedule(std::uint64_t payload) {
    sim_.schedule_in(next_delay(rng_), [this, payload] { on_event(payload); });
  }
  void on_event(std::uint64_t payload) {
    ran(payload);
    schedule(payload);
  }
};

// Member timers re-armed from their own callbacks, the way models keep their timers.
class HoldEngineTimers : public EngineHold {
 public:
  explicit HoldEngineTimers(const Options& o) : EngineHold(o) {
    for (std::uint32_t i = 0; i < o.pending; ++i) {
      timers_.emplace_back(sim_, [this, i] { on_timer(i); });
      timers_.back().schedule_in(next_delay(rng_));
    }
  }

 private:
  void on_timer(std::uint32_t i) {
    ran(i);
    timers_[i].schedule_in(next_delay(rng_));
  }

  std::deque<Timer> timers_;
};

// Runs the hold variants in turns, `slice` events each, and times each one's share.
std::vector<Result> run_hold(const Options& o, const std::vector<HoldModel*>& models) {
  std::vector<Result> results(models.size());
  for (std::uint64_t done = 0; done < o.events;) {
    std::uint64_t n = std::min(o.slice, o.events - done);
    for (std::size_t i = 0; i < models.size(); ++i) {
      Stopwatch watch;
      models[i]->advance(n);
      results[i].seconds += watch.seconds();
      results[i].count += n;
    }
    done += n;
  }
  for (std::size_t i = 0; i < models.size(); ++i) results[i].checksum = models[i]->checksum();
  return results;
}

// Many armed timers, each step moving a random one earlier or later (TCP RTO, ARP reachable
// timers re-armed per packet) or, one step in four, cancelling it; a cancelled timer is
// armed again when it is picked next. Time advances a little every 64 steps, so the
// earliest timers fire too. Reports operations (re-arm or cancel) per second.
class TimerChurn {
 public:
  explicit TimerChurn(const Options& o) : o_(o), sim_(o.seed), rng_(sim_.rng().stream("churn")) {}

  Result run() {
    for (std::uint32_t i = 0; i < o_.timers; ++i) {
      timers_.emplace_back(sim_, [this, i] { sum_.add(sim_.now(), i); });
      timers_.back().schedule_in(delay());
    }
    Stopwatch watch;
    for (std::uint64_t n = 0; n < o_.churn_ops; ++n) {
      std::uint32_t r = rng_.next_u32();
      Timer& t = timers_[rng_.uniform(0, o_.timers - 1)];
      if ((r & 3) == 0) {
        t.cancel();
      } else {
        t.schedule_in(delay());
        sum_.add(t.expiry(), n);
      }
      if ((n & 63) == 63) sim_.run_until(sim_.now() + Time::us(10));
    }
    Result result{watch.seconds(), o_.churn_ops, 0};
    sim_.run();
    result.checksum = sum_.value;
    return result;
  }

 private:
  Time delay() { return rng_.uniform_time(Time::ms(1), Time::s(1)); }

  const Options& o_;
  Simulation sim_;
  RngStream& rng_;
  std::deque<Timer> timers_;
  Checksum sum_;
};

void print(const char* name, const Result& r, const char* unit) {
  std::printf("%-28s %8.2f M %s/s  %7.3f s  checksum %016llx\n", name, r.rate() / 1e6, unit, r.seconds,
              static_cast<unsigned long long>(r.checksum));
}

// One variant alone, so that a profiler sees only its cost.
int run_one(const Options& o) {
  std::unique_ptr<HoldModel> model;
  if (o.only == "pod") model = std::make_unique<HoldBarePod>(o);
  if (o.only == "function") model = std::make_unique<HoldStdFunction>(o);
  if (o.only == "events") model = std::make_unique<HoldEngineEvents>(o);
  if (o.only == "timers") model = std::make_unique<HoldEngineTimers>(o);
  if (model) {
    print(o.only.c_str(), run_hold(o, {model.get()})[0], "events");
  } else {
    print("timer churn", TimerChurn(o).run(), "ops");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"nlbsim engine benchmark: hold model and timer churn (issue #2)"};
  app.add_option("--events", o.events, "events per hold run")->check(CLI::PositiveNumber);
  app.add_option("--pending", o.pending, "pending events in the hold model")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "seed of the delay streams");
  app.add_option("--slice", o.slice, "events each hold variant runs in its turn")->check(CLI::PositiveNumber);
  app.add_option("--timers", o.timers, "armed timers in the churn test")->check(CLI::PositiveNumber);
  app.add_option("--churn-ops", o.churn_ops, "cancel/reschedule operations in the churn test")
      ->check(CLI::PositiveNumber);
  app.add_option("--only", o.only, "run one variant only (for profiling)")
      ->check(CLI::IsMember({"pod", "function", "events", "timers", "churn"}));
  CLI11_PARSE(app, argc, argv);
  if (!o.only.empty()) return run_one(o);

  std::printf(
      "nlbsim-engine-bench: events %llu, pending %u, seed %llu, delays uniform [0, %s], "
      "variants in turns of %llu events\n",
      static_cast<unsigned long long>(o.events), o.pending, static_cast<unsigned long long>(o.seed),
      kMaxDelay.str().c_str(), static_cast<unsigned long long>(o.slice));

  HoldBarePod pod_model(o);
  HoldStdFunction fn_model(o);
  HoldEngineEvents events_model(o);
  HoldEngineTimers timers_model(o);
  std::vector<Result> r = run_hold(o, {&pod_model, &fn_model, &events_model, &timers_model});
  const Result& pod = r[0];
  const Result& timers = r[3];
  print("hold bare POD heap", pod, "events");
  print("hold std::function heap", r[1], "events");
  print("hold engine schedule_in", r[2], "events");
  print("hold engine Timer", timers, "events");
  std::printf("ratio engine Timer / bare POD        %.2f\n", timers.rate() / pod.rate());
  std::printf("ratio engine schedule_in / bare POD  %.2f\n", r[2].rate() / pod.rate());

  Result churn = TimerChurn(o).run();
  std::printf("timer churn: %u timers, %llu ops\n", o.timers, static_cast<unsigned long long>(o.churn_ops));
  print("timer churn", churn, "ops");

  bool same = std::all_of(r.begin(), r.end(), [&](const Result& x) { return x.checksum == pod.checksum; });
  std::printf("hold checksums %s\n", same ? "match" : "DIFFER");
  return same ? 0 : 1;
}
