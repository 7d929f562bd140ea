#include "runner/sweep/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <system_error>

#include "runner/atomic_file.hpp"
#include "runner/sweep/execute.hpp"
#include "runner/sweep/summary.hpp"

namespace nlb::sweep {

namespace fs = std::filesystem;
using OJson = nlohmann::ordered_json;

namespace {

// Combinations whose errors are printed in full; a bad value usually fails many of them alike.
constexpr std::size_t kShownCombinationErrors = 3;

// Every rank says what stopped it ("" = nothing); rank 0 prints its own, or else the first
// other rank's, which can differ when the ranks do not see the same files. True on every rank
// when no rank stopped.
bool agree(Ranks& ranks, const std::string& problem, std::ostream& err) {
  std::vector<std::string> all = ranks.gather(problem);
  if (ranks.rank() == 0) {
    if (!problem.empty()) {
      err << problem;
    } else {
      for (std::size_t r = 1; r < all.size(); ++r)
        if (!all[r].empty()) {
          err << "rank " << r << ": " << all[r];
          break;
        }
    }
  }
  return ranks.max(problem.empty() ? 0 : 1) == 0;
}

ExecOptions exec_options(const SweepOptions& o, bool root, const char* step) {
  ExecOptions e;
  e.jobs = o.jobs;
  e.interrupt = o.interrupt;
  if (root && o.progress)
    e.progress = [&o, step](std::size_t done, std::size_t total) { o.progress(step, done, total); };
  return e;
}

// Step 2: the combinations of this rank are checked; rank 0 prints the errors of all, in order.
int check_step(const Grid& g, const SweepOptions& o, Ranks& ranks, std::ostream& err) {
  const bool root = ranks.rank() == 0;
  const std::vector<std::size_t> mine = rank_share(g.combinations(), ranks.rank(), ranks.size());
  auto found = check_combinations(g, mine, exec_options(o, root, "checking"));
  if (root && o.progress_clear) o.progress_clear();
  const bool interrupted = o.interrupt && o.interrupt->load();
  OJson blob = {{"interrupted", interrupted}, {"errors", OJson::array()}};
  for (const auto& [c, e] : found) blob["errors"].push_back({c, e.text()});
  std::vector<std::string> all = ranks.gather(blob.dump());
  if (root) {
    std::vector<std::pair<std::size_t, std::string>> errors;
    for (const std::string& b : all) {
      const OJson j = OJson::parse(b, nullptr, false);
      if (j.is_discarded() || !j.contains("errors")) continue;
      for (const OJson& e : j["errors"])
        errors.emplace_back(e[0].get<std::size_t>(), e[1].get<std::string>());
    }
    std::sort(errors.begin(), errors.end());
    // The same text from several combinations (an unknown parameter is every combination's
    // mistake) is one error.
    std::vector<std::string> shown;
    std::size_t more = 0;
    for (const auto& [c, text] : errors) {
      if (std::find(shown.begin(), shown.end(), text) != shown.end()) continue;
      if (shown.size() == kShownCombinationErrors) {
        ++more;
        continue;
      }
      shown.push_back(text);
      err << text;
    }
    if (more > 0)
      err << g.file << ": " << more << " more of the " << g.combinations() << " combinations have errors\n";
  }
  const int code = interrupted ? kExitInterrupted : found.empty() ? kExitOk : kExitBadInput;
  return ranks.max(code);
}

struct Gathered {
  std::vector<Row> rows;
  std::vector<std::pair<double, int>> timing;  // per variant: wall seconds, rank
  std::string problem;
};

// Step 3's results, at rank 0: every variant's row, in variant order.
Gathered gather_rows(const Grid& g, const std::vector<std::string>& blobs) {
  Gathered out;
  std::vector<std::optional<Row>> rows(g.variants());
  out.timing.resize(g.variants());
  for (std::size_t r = 0; r < blobs.size(); ++r) {
    const OJson j = OJson::parse(blobs[r], nullptr, false);
    if (j.is_discarded() || !j.contains("rows") || !j.contains("timing")) {
      out.problem = "rank " + std::to_string(r) + " sent no results\n";
      return out;
    }
    for (std::size_t k = 0; k < j["rows"].size(); ++k) {
      Row row;
      if (!row_from_json(g, j["rows"][k], row) || rows[row.variant]) {
        out.problem = "rank " + std::to_string(r) + " sent a malformed row\n";
        return out;
      }
      out.timing[row.variant] = {j["timing"][k].get<double>(), static_cast<int>(r)};
      rows[row.variant] = std::move(row);
    }
  }
  for (std::size_t v = 0; v < rows.size(); ++v) {
    if (!rows[v]) {
      out.problem = "variant " + std::to_string(v) + " was run by no rank\n";
      return out;
    }
    out.rows.push_back(std::move(*rows[v]));
  }
  return out;
}

std::string timing_csv(const std::vector<Row>& rows, const std::vector<std::pair<double, int>>& timing) {
  Table t;
  t.columns = {"variant", "rank", "wall_s", "events", "events_per_wall_s"};
  for (std::size_t v = 0; v < rows.size(); ++v) {
    const double wall = timing[v].first;
    const double rate = wall > 0 ? static_cast<double>(rows[v].events) / wall : 0;
    t.rows.push_back({std::to_string(v), std::to_string(timing[v].second), OJson(wall).dump(),
                      std::to_string(rows[v].events), std::to_string(std::llround(rate))});
  }
  return t.csv();
}

// Step 4, at rank 0: all four files to temporaries, then renamed into place.
std::string write_outputs(const fs::path& dir, const Grid& g, const Gathered& r,
                          const std::vector<AggregateRow>& agg) {
  runner::AtomicFile csv(dir / kResultsCsv), json(dir / kResultsJson), acsv(dir / kAggregateCsv),
      tcsv(dir / kTimingCsv);
  for (runner::AtomicFile* f : {&csv, &json, &acsv, &tcsv})
    if (!f->ok()) return f->error();
  csv.write(results_table(g, r.rows).csv());
  json.write(results_json(g, r.rows, agg));
  acsv.write(aggregate_table(g, agg).csv());
  tcsv.write(timing_csv(r.rows, r.timing));
  for (runner::AtomicFile* f : {&csv, &json, &acsv, &tcsv})
    if (!f->commit()) return f->error();
  return "";
}

int exit_code_of(const std::vector<Row>& rows) {
  int code = kExitOk;
  for (const Row& r : rows) {
    if (r.status == Status::Error) return kExitBadInput;
    if (r.status == Status::Failed) code = kExitExpectationFailed;
  }
  return code;
}

}  // namespace

int run_sweep(const SweepOptions& o, Ranks& ranks, std::ostream& out, std::ostream& err) {
  const bool root = ranks.rank() == 0;
  const auto start = std::chrono::steady_clock::now();

  // 1. The grid, and the output directory, so that an unwritable one is found before any run.
  GridResult gr = parse_grid(o.grid);
  std::string problem;
  for (const auto& d : gr.diagnostics) problem += d.str() + "\n";
  fs::path dir;
  if (gr.grid) {
    dir = o.out_dir.empty() ? fs::path("out") / gr.grid->name : o.out_dir;
    std::error_code ec;
    if (root) fs::create_directories(dir, ec);
    if (ec) problem += dir.string() + ": cannot create the directory: " + ec.message() + "\n";
  }
  if (!agree(ranks, problem, err)) return kExitBadInput;
  const Grid& g = *gr.grid;

  // 2. Every combination loads and builds.
  if (int code = check_step(g, o, ranks, err); code != kExitOk) {
    if (root && code == kExitInterrupted) err << "interrupted while checking the grid: no output written\n";
    return code;
  }

  // 3. The variants, this rank's share.
  const std::vector<std::size_t> mine = rank_share(g.variants(), ranks.rank(), ranks.size());
  std::vector<Outcome> outcomes = run_variants(g, mine, exec_options(o, root, "running"));
  if (root && o.progress_clear) o.progress_clear();
  const bool interrupted =
      std::any_of(outcomes.begin(), outcomes.end(), [](const Outcome& x) { return x.interrupted; });
  OJson blob = {{"rows", OJson::array()}, {"timing", OJson::array()}};
  for (const Outcome& x : outcomes) {
    if (interrupted) break;  // some rows were never made; nothing will be written
    blob["rows"].push_back(row_json(g, x.row));
    blob["timing"].push_back(x.wall_s);
  }
  std::vector<std::string> blobs = ranks.gather(interrupted ? std::string() : blob.dump());
  if (ranks.max(interrupted ? 1 : 0) != 0) {
    if (root) err << "interrupted: no output written\n";
    return kExitInterrupted;
  }

  // 4. Rank 0 writes; every rank returns its exit code.
  int code = kExitOk;
  if (root) {
    Gathered r = gather_rows(g, blobs);
    std::string error = r.problem;
    std::vector<AggregateRow> agg;
    if (error.empty()) {
      agg = aggregate(g, r.rows);
      error = write_outputs(dir, g, r, agg);
      if (!error.empty()) error += "\n";
    }
    if (!error.empty()) {
      err << error;
      code = kExitBadInput;
    } else {
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      out << summary_text(g, r.rows, agg, RunShape{o.jobs, ranks.size(), wall});
      out << "\nOutputs in " << dir.string() << ": " << kResultsCsv << " " << kResultsJson << " "
          << kAggregateCsv << " " << kTimingCsv << "\n";
      code = exit_code_of(r.rows);
    }
    // Before the last collective: under mpirun the other ranks exit right after it, and a
    // launcher that sees a non-zero exit may stop rank 0 before its buffers reach the terminal.
    out.flush();
    err.flush();
  }
  return ranks.max(code);
}

}  // namespace nlb::sweep
