#pragma once
// trace.jsonl (docs/trace-format.md): the header (scenario, seed, topology, faults), then one
// line per event, in the order the engine produced them. Only a run given --trace makes one,
// so the trace bus has these subscribers (and the models build these events) only then.
//
// Lines are written by hand, field by field in a fixed order, into a buffer flushed to the
// stream in large blocks: a run of a million frames writes a few hundred megabytes, and the
// text of a frame forwarded unchanged (same id, same bytes) is formatted once.

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/link/frame.hpp"
#include "runner/run/build.hpp"
#include "runner/scenario.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

class TraceWriter {
 public:
  // Writes the header at once and subscribes to every event kind of the trace.
  TraceWriter(sim::Simulation& sim, const runner::Scenario& s, const Built& built, sim::Time duration,
              std::ostream& out);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // The `end` line, once the run is over (before the last flush).
  void finish(sim::Time end_time);
  // Writes what is buffered. False if the stream failed (disk full).
  bool flush();
  std::uint64_t lines() const { return lines_; }

  // The header line alone (tests, tools).
  static std::string header(const runner::Scenario& s, const Built& built, sim::Time duration);

 private:
  struct FrameText {
    std::uint64_t id = 0;
    std::vector<std::byte> bytes;
    std::uint32_t vlen = 0;
    std::string text;  // ,"len":..,"vlen":..,"kind":"..","summary":"..","hex":".."
  };

  void subscribe(sim::Simulation& sim);
  void begin(sim::Time at, const char* ev);
  void end();
  void frame(sim::Time at, const char* dir, link::NodeId node, link::IfIndex iface, link::LanId lan,
             const link::FrameRef& f, const char* reason, const char* stage);
  const std::string& frame_text(const link::Frame& f);
  void str_field(const char* key, std::string_view value);
  void int_field(const char* key, std::int64_t value);
  void node_field(std::uint32_t node);
  std::string server_name(wire::Ipv4 server) const;

  const runner::Scenario& s_;
  const Built& b_;
  std::ostream& out_;
  std::string buf_;
  std::uint64_t lines_ = 0;
  std::array<FrameText, 256> frames_;
  // (client ip, client port) -> the server a balancer gave the connection, for `request` and
  // `conn end` lines. Looked up by key only, never iterated.
  std::unordered_map<std::uint64_t, std::uint32_t> conn_server_;
  std::vector<std::pair<wire::Ipv4, std::string>> server_names_;  // sorted by address
};

}  // namespace nlb::run
