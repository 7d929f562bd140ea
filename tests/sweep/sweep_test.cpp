// `nlbsim sweep` end to end, in-process: the same rows for any number of threads and ranks
// (ranks played by threads here; tests/sweep/sweep_mpi.sh runs real MPI), bad grids stopped
// before any run with errors at their pointers, outputs whole or not at all.
#include <doctest/doctest.h>

#include <barrier>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "runner/sweep/sweep.hpp"

namespace nlb::sweep {
namespace {

namespace fs = std::filesystem;
const fs::path kSource(NLBSIM_SOURCE_DIR);
const fs::path kBinary(NLBSIM_BINARY_DIR);
const fs::path kSmallGrid = kSource / "tests/sweep/small.grid.json";

fs::path fresh_dir(const std::string& name) {
  fs::path d = kBinary / "test-sweep-outputs" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A grid file next to the shipped sweep scenario.
fs::path write_grid(const fs::path& dir, const std::string& axes_and_more) {
  const fs::path p = dir / "g.json";
  std::ofstream(p) << R"({"scenario": ")" << (kSource / "scenarios/sweeps/balancer-crash.json").string()
                   << "\", " << axes_and_more << "}";
  return p;
}

struct Sweep {
  std::ostringstream out, err;
  int code = -1;
  Sweep(const fs::path& grid, const fs::path& out_dir, unsigned jobs,
        const std::function<void(SweepOptions&)>& more = {}) {
    LocalRanks ranks;
    SweepOptions o;
    o.grid = grid;
    o.out_dir = out_dir;
    o.jobs = jobs;
    if (more) more(o);
    code = run_sweep(o, ranks, out, err);
  }
};

// K ranks as threads of this process, meeting at a barrier for each collective.
class Hub {
 public:
  explicit Hub(int size)
      : size_(size), slots_(static_cast<std::size_t>(size)), values_(slots_.size()), sync_(size) {}
  int size() const { return size_; }
  std::vector<std::string> gather(int rank, const std::string& mine) {
    slots_[static_cast<std::size_t>(rank)] = mine;
    sync_.arrive_and_wait();
    std::vector<std::string> out = rank == 0 ? slots_ : std::vector<std::string>{};
    sync_.arrive_and_wait();  // nobody writes a slot before rank 0 has read them all
    return out;
  }
  int max(int rank, int value) {
    values_[static_cast<std::size_t>(rank)] = value;
    sync_.arrive_and_wait();
    const int out = *std::max_element(values_.begin(), values_.end());
    sync_.arrive_and_wait();
    return out;
  }

 private:
  int size_;
  std::vector<std::string> slots_;
  std::vector<int> values_;
  std::barrier<> sync_;
};

class ThreadRanks final : public Ranks {
 public:
  ThreadRanks(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return hub_.size(); }
  std::vector<std::string> gather(const std::string& mine) override { return hub_.gather(rank_, mine); }
  int max(int value) override { return hub_.max(rank_, value); }

 private:
  Hub& hub_;
  int rank_;
};

const char* const kCompared[] = {kResultsCsv, kResultsJson, kAggregateCsv};

TEST_CASE("a sweep gives the same results with one thread, two threads and two ranks") {
  const fs::path dir = fresh_dir("same-results");
  Sweep one(kSmallGrid, dir / "j1", 1);
  INFO(one.err.str());
  REQUIRE(one.code == kExitExpectationFailed);  // the 3 s timeout misses the 2 s detection bound
  CHECK(one.err.str().empty());
  Sweep two(kSmallGrid, dir / "j2", 2);
  CHECK(two.code == kExitExpectationFailed);

  Hub hub(2);
  std::ostringstream out[2], err[2];
  int codes[2] = {-1, -1};
  {
    std::vector<std::jthread> ranks;
    for (int r = 0; r < 2; ++r)
      ranks.emplace_back([&, r] {
        ThreadRanks me(hub, r);
        SweepOptions o;
        o.grid = kSmallGrid;
        o.out_dir = dir / "ranks";
        codes[r] = run_sweep(o, me, out[r], err[r]);
      });
  }
  CHECK(codes[0] == kExitExpectationFailed);
  CHECK(codes[1] == kExitExpectationFailed);  // every rank exits with rank 0's code
  CHECK(out[1].str().empty());                // only rank 0 speaks
  for (const char* f : kCompared) {
    INFO(f);
    const std::string a = read_file(dir / "j1" / f);
    CHECK(!a.empty());
    CHECK(a == read_file(dir / "j2" / f));
    CHECK(a == read_file(dir / "ranks" / f));
  }
  // timing.csv says who ran what: round-robin over the two ranks.
  const std::string timing = read_file(dir / "ranks" / kTimingCsv);
  CHECK(timing.find("\n0,0,") != std::string::npos);
  CHECK(timing.find("\n1,1,") != std::string::npos);
  CHECK(timing.find("\n2,0,") != std::string::npos);

  // What the rows say: the 1 s timeout holds everything, the 3 s one misses detection.
  const std::string csv = read_file(dir / "j1" / kResultsCsv);
  CHECK(csv.find("\n0,1s,1,ok,0,1,") != std::string::npos);
  // Detection and the ARP update miss their bounds; the connections open at the crash that are
  // still retransmitting when the run ends are not counted broken.
  CHECK(csv.find("\n2,3s,1,failed,2,1,") != std::string::npos);
  const std::string s = one.out.str();
  CHECK(s.find("Sweep small: 4 variants of short-crash.json (heartbeat_timeout 2 x 2 seeds)") == 0);
  CHECK(s.find("heartbeat_timeout=1s: 2 of 2 held\n  crash-active-balancer: detection ") !=
        std::string::npos);
  CHECK(s.find("heartbeat_timeout=3s: 0 of 2 held\n") != std::string::npos);
  CHECK(s.find("  failed in 2 of 2: detected within the 2 s heartbeat timeout (ND)\n") != std::string::npos);
}

TEST_CASE(
    "a value the scenario rejects stops the sweep before any run, naming the value and the scenario's "
    "place") {
  const fs::path dir = fresh_dir("bad-value");
  const fs::path grid = write_grid(dir, R"("axes": [{"parameter": "sync", "values": ["off", "sometimes"]}])");
  Sweep s(grid, dir / "out", 1);
  CHECK(s.code == kExitBadInput);
  const std::string err = s.err.str();
  CHECK(err.find(grid.string() + ":/axes/0/values/1: with sync=\"sometimes\" the scenario has errors:\n  ") ==
        0);
  CHECK(err.find("balancer-crash.json:/balancer_pairs/0/sync/mode: ") != std::string::npos);
  CHECK(err.find("sometimes") != std::string::npos);
  CHECK(fs::is_empty(dir / "out"));  // the directory exists (made first), nothing in it
}

TEST_CASE("a parameter the scenario does not declare is the axis's mistake, with a suggestion") {
  const fs::path dir = fresh_dir("unknown-parameter");
  const fs::path grid =
      write_grid(dir, R"("axes": [{"parameter": "heartbeat_timout", "values": ["1s", "2s"]}])");
  Sweep s(grid, dir / "out", 2);
  CHECK(s.code == kExitBadInput);
  // Once, though both combinations have it.
  CHECK(s.err.str() == grid.string() +
                           ":/axes/0/parameter: no parameter \"heartbeat_timout\" in the scenario "
                           "(did you mean \"heartbeat_timeout\"?)\n");
}

TEST_CASE("combinations that fail together name all their values, the first few in full") {
  const fs::path dir = fresh_dir("combination");
  // A timeout at or below the 500 ms heartbeat interval is an error of the scenario.
  const fs::path grid = write_grid(
      dir, R"("axes": [{"parameter": "heartbeat_timeout", "values": ["100ms", "200ms", "300ms", "400ms"]},
                                                    {"parameter": "sync", "values": ["off"]}])");
  Sweep s(grid, dir / "out", 2);
  CHECK(s.code == kExitBadInput);
  const std::string err = s.err.str();
  CHECK(err.find(grid.string() +
                 ":/axes: with heartbeat_timeout=\"100ms\", sync=\"off\" the scenario has errors:\n") == 0);
  CHECK(err.find("heartbeat_timeout=\"300ms\"") != std::string::npos);
  CHECK(err.find("heartbeat_timeout=\"400ms\"") == std::string::npos);
  CHECK(err.find(grid.string() + ": 1 more of the 4 combinations have errors\n") != std::string::npos);
}

TEST_CASE("a bad grid file writes nothing, not even the output directory") {
  const fs::path dir = fresh_dir("bad-grid");
  std::ofstream(dir / "g.json") << R"({"scenario": "x.json", "axes": [], "seed": [1]})";
  Sweep s(dir / "g.json", dir / "out", 1);
  CHECK(s.code == kExitBadInput);
  CHECK(s.err.str() ==
        (dir / "g.json").string() + ":/seed: unknown key \"seed\" in the grid (did you mean \"seeds\"?)\n");
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("an output directory that cannot be made is found before any run") {
  const fs::path dir = fresh_dir("bad-out");
  std::ofstream(dir / "file") << "x";
  Sweep s(kSmallGrid, dir / "file" / "out", 1);
  CHECK(s.code == kExitBadInput);
  CHECK(s.err.str().find((dir / "file" / "out").string() + ": cannot create the directory: ") == 0);
}

TEST_CASE("an interrupted sweep writes nothing and exits 130") {
  const fs::path dir = fresh_dir("interrupted");
  std::atomic<bool> stop{true};
  Sweep s(kSmallGrid, dir / "out", 2, [&stop](SweepOptions& o) { o.interrupt = &stop; });
  CHECK(s.code == kExitInterrupted);
  CHECK(s.err.str() == "interrupted while checking the grid: no output written\n");
  CHECK(fs::is_empty(dir / "out"));
}

TEST_CASE("a sweep interrupted while running writes nothing and exits 130") {
  const fs::path dir = fresh_dir("interrupted-running");
  std::atomic<bool> stop{false};
  Sweep s(kSmallGrid, dir / "out", 1, [&stop](SweepOptions& o) {
    o.interrupt = &stop;
    // As Ctrl-C after the first variant: the others never start.
    o.progress = [&stop](const char* step, std::size_t done, std::size_t) {
      if (std::string(step) == "running" && done == 1) stop = true;
    };
  });
  CHECK(s.code == kExitInterrupted);
  CHECK(s.err.str() == "interrupted: no output written\n");
  CHECK(s.out.str().empty());
  CHECK(fs::is_empty(dir / "out"));
}

}  // namespace
}  // namespace nlb::sweep
