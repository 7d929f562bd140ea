#include "runner/sweep/execute.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "runner/run/run.hpp"

namespace nlb::sweep {

bool parallel_for(std::size_t n, const ExecOptions& o, const std::function<void(std::size_t)>& fn) {
  auto stopped = [&o] { return o.interrupt && o.interrupt->load(); };
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;  // guarded by m
  std::mutex m;
  std::condition_variable cv;
  auto worker = [&] {
    for (std::size_t k; !stopped() && (k = next.fetch_add(1)) < n;) {
      fn(k);
      std::lock_guard lock(m);
      ++done;
      cv.notify_one();
    }
  };
  const unsigned threads = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, o.jobs), n));
  if (threads <= 1) {
    // On the calling thread: progress after each item.
    for (std::size_t k = 0; k < n && !stopped(); ++k) {
      fn(k);
      ++done;
      if (o.progress) o.progress(done, n);
    }
    return !stopped();
  }
  std::vector<std::jthread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  {
    std::unique_lock lock(m);
    while (done < n && !stopped()) {
      cv.wait_for(lock, std::chrono::milliseconds(200));
      const std::size_t now_done = done;
      lock.unlock();  // progress writes to a terminal; the workers need not wait for it
      if (o.progress) o.progress(now_done, n);
      lock.lock();
    }
  }
  pool.clear();  // joins: a stopped run returns within one slice of simulated time
  if (o.progress) o.progress(done, n);
  return !stopped();
}

Outcome run_variant(const Grid& g, std::size_t index, const std::atomic<bool>* interrupt) {
  const auto start = std::chrono::steady_clock::now();
  Outcome out;
  const Variant v = variant_at(g, index);
  // Checked before the sweep started (check_combination), so the topology check is not repeated.
  runner::LoadResult l = load_variant(g, v, false);
  if (!l.ok()) {
    std::string why = "the scenario does not load";
    for (const auto& d : l.diagnostics)
      if (d.severity == runner::Severity::Error) why += "; " + d.str();
    out.row = error_row(g, index, v.seed.value_or(0), why);
  } else {
    run::RunOptions o;  // no out_dir: no files, no pcaps, no trace
    o.seed = v.seed;
    o.until = g.until;
    o.interrupt = interrupt;
    const std::uint64_t seed = v.seed.value_or(l.scenario->seed);
    run::RunResult r = run::run_scenario(std::move(*l.scenario), o);
    if (r.report) {
      out.row = row_from_report(g, index, *r.report);
    } else {
      out.interrupted = r.exit_code == run::kExitInterrupted;
      std::string why = r.error;
      for (const auto& d : r.diagnostics)
        if (d.severity == runner::Severity::Error) why += (why.empty() ? "" : "; ") + d.str();
      out.row = error_row(g, index, seed, why.empty() ? "the run produced no report" : why);
    }
  }
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::vector<Outcome> run_variants(const Grid& g, std::span<const std::size_t> variants,
                                  const ExecOptions& o) {
  Outcome not_run;
  not_run.interrupted = true;  // until run: an interrupt may leave some never started
  std::vector<Outcome> out(variants.size(), not_run);
  parallel_for(variants.size(), o, [&](std::size_t k) {
    out[k] = run_variant(g, variants[k], o.interrupt);  // each slot written by one thread only
  });
  return out;
}

std::vector<std::pair<std::size_t, CombinationError>> check_combinations(
    const Grid& g, std::span<const std::size_t> combinations, const ExecOptions& o) {
  std::vector<std::optional<CombinationError>> found(combinations.size());
  parallel_for(combinations.size(), o,
               [&](std::size_t k) { found[k] = check_combination(g, combinations[k]); });
  std::vector<std::pair<std::size_t, CombinationError>> out;
  for (std::size_t k = 0; k < found.size(); ++k)
    if (found[k]) out.emplace_back(combinations[k], std::move(*found[k]));
  return out;
}

}  // namespace nlb::sweep
