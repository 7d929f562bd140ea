#pragma once
// Writes frames to a pcap file that Wireshark and tshark read (DESIGN.md, "Real bytes on the
// wire"), through libpcap's own writer: link type DLT_EN10MB, snap length 65535, nanosecond
// timestamps taken from simulated time. A frame's virtual payload is written as zero bytes.
//
// Two kinds of capture, both fed by the trace bus:
// - per LAN: every frame a NIC put on that segment, once (not once per switch port), stamped
//   when it left the NIC;
// - per interface: what one NIC sent and what it accepted, as tcpdump on that host shows.
//
// The file is written as NAME.tmp and renamed to NAME by close(), so a run that is
// interrupted (or a writer destroyed without close()) leaves no half-written capture behind.

#include <cstdint>
#include <memory>
#include <string>

#include "models/link/ids.hpp"
#include "sim/simulation.hpp"

namespace nlb::link {

class PcapWriter {
 public:
  // Opens PATH.tmp. On failure returns nullptr and says why in `error`.
  static std::unique_ptr<PcapWriter> for_lan(sim::Simulation& sim, LanId lan, const std::string& path,
                                             std::string& error);
  static std::unique_ptr<PcapWriter> for_interface(sim::Simulation& sim, NodeId node, IfIndex iface,
                                                   const std::string& path, std::string& error);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Flushes, closes and renames PATH.tmp to PATH. False (with the reason) if that failed.
  bool close(std::string& error);
  // Closes and removes PATH.tmp.
  void abandon();

  const std::string& path() const { return path_; }
  std::uint64_t frames_written() const;

  struct State;  // shared with the trace-bus subscription, which may outlive the writer

 private:
  PcapWriter(std::shared_ptr<State> state, std::string path)
      : state_(std::move(state)), path_(std::move(path)) {}
  static std::unique_ptr<PcapWriter> open(const std::string& path, std::string& error);

  std::shared_ptr<State> state_;
  std::string path_;
};

}  // namespace nlb::link
