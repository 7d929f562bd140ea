#pragma once
// A LAN port wired to a real Linux interface (issue #9, docs/emulation.md): ns-3's
// FdNetDevice in our terms. A NIC in promiscuous mode is attached to a simulated LAN like any
// other; every frame the LAN hands it is written to an AF_PACKET raw socket bound to the
// Linux interface (a veth end, usually), and every frame the kernel delivers on that
// interface is posted to the real-time pacer's inbox and put on the LAN, on the simulation's
// thread, at the simulated time it arrived. Frames carry real bytes (DESIGN.md), so crossing
// is a copy: a virtual payload goes out as that many zero bytes, which leaves every checksum
// valid.
//
// Threads: a reader thread blocks in poll() on the socket and an eventfd; it touches only the
// socket, its own buffer, atomics and RealtimePacer::post. Everything else (the NIC, the
// pool, writes to the socket) happens on the simulation's thread. stop() or the destructor
// wakes the reader through the eventfd and joins it.
//
// Offloads: a Linux sender with checksum offload (veth's default) hands over TCP and UDP
// segments whose checksum is still partial; the kernel says so (TP_STATUS_CSUMNOTREADY) and
// the port finishes the checksum, as the NIC would have. Segmentation offload (TSO/GSO) makes
// frames larger than the MTU: those cannot cross and are counted as oversize; disable it on
// the peer (`ethtool -K <peer> tso off gso off`).
//
// Errors (no such interface or namespace, no permission, not Ethernet, down) come back from
// open() as text that says what to do; nothing is thrown and nothing crashes.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "models/link/device.hpp"
#include "models/link/frame.hpp"
#include "sim/realtime_pacer.hpp"
#include "sim/simulation.hpp"

namespace nlb::link {

struct ExternalPortConfig {
  std::string ifname;  // the Linux interface, e.g. a veth end
  // A named network namespace (`ip netns add NAME`, /run/netns/NAME) that holds ifname; the
  // socket is opened inside it. Empty: the process's own namespace.
  std::string netns;
  // Receive frames for every MAC, not only the interface's own (PACKET_MR_PROMISC; a veth
  // delivers everything anyway, a real NIC would not).
  bool promiscuous = true;
  // Let in only IPv4 and ARP: the kernel's IPv6 chatter (router and neighbour solicitations,
  // MLD) stays out of the simulation, which models IPv4 only.
  bool ipv4_only = true;
  // Finish TCP/UDP checksums the sending kernel left to its (virtual) NIC.
  bool complete_checksums = true;
};

struct ExternalPortCounters {
  // Simulation -> outside.
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t tx_errors = 0;  // the socket refused the frame (interface down, buffer full)
  // Outside -> simulation.
  std::uint64_t rx_frames = 0;  // posted to the simulation
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_filtered = 0;    // not IPv4/ARP (ipv4_only), or 802.1Q-tagged
  std::uint64_t rx_oversize = 0;    // longer than 1514 bytes (segmentation offload on the peer)
  std::uint64_t rx_inbox_full = 0;  // the simulation is not keeping up: dropped at the inbox
  std::uint64_t rx_errors = 0;      // recvmsg failed (interface gone, ...)
  std::uint64_t checksums_completed = 0;
};

class ExternalPort final : private sim::InboxSink {
 public:
  struct Opened {
    std::unique_ptr<ExternalPort> port;  // null on failure
    std::string error;                   // what went wrong and what to do, when port is null
  };
  // Opens the raw socket on cfg.ifname. The NIC (device()) takes the interface's own MAC;
  // attach it to a LAN, then start().
  static Opened open(sim::Simulation& sim, sim::RealtimePacer& pacer, FramePool& pool,
                     const ExternalPortConfig& cfg);
  ~ExternalPort();
  ExternalPort(const ExternalPort&) = delete;
  ExternalPort& operator=(const ExternalPort&) = delete;

  Device& device() { return device_; }
  const ExternalPortConfig& config() const { return cfg_; }
  int ifindex() const { return ifindex_; }

  // Starts the reader thread (false if it could not be started). Idempotent.
  bool start();
  // Stops and joins the reader; frames still in the inbox are dropped. Idempotent.
  void stop();
  bool running() const { return reader_.joinable(); }

  ExternalPortCounters counters() const;

 private:
  ExternalPort(sim::Simulation& sim, sim::RealtimePacer& pacer, FramePool& pool,
               const ExternalPortConfig& cfg, int fd, int ifindex, wire::Mac mac);

  void write_out(const Frame& frame);                        // the simulation's thread
  void on_inbox(std::span<const std::byte> bytes) override;  // the simulation's thread
  void read_loop();                                          // the reader thread
  void read_ready();

  sim::Simulation& sim_;
  sim::RealtimePacer& pacer_;
  FramePool& pool_;
  ExternalPortConfig cfg_;
  int fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes the reader to stop
  int ifindex_ = 0;
  Device device_;
  std::thread reader_;
  std::array<std::byte, Frame::kMaxBytes> tx_buf_{};  // the simulation's thread

  std::uint64_t tx_frames_ = 0;
  std::uint64_t tx_bytes_ = 0;
  std::uint64_t tx_errors_ = 0;
  std::atomic<std::uint64_t> rx_frames_{0};
  std::atomic<std::uint64_t> rx_bytes_{0};
  std::atomic<std::uint64_t> rx_filtered_{0};
  std::atomic<std::uint64_t> rx_oversize_{0};
  std::atomic<std::uint64_t> rx_inbox_full_{0};
  std::atomic<std::uint64_t> rx_errors_{0};
  std::atomic<std::uint64_t> checksums_completed_{0};
};

// Finishes the TCP or UDP checksum of an IPv4 frame whose checksum field holds only the
// pseudo-header sum (Linux CHECKSUM_PARTIAL, as an AF_PACKET socket sees it). False, and the
// frame untouched, for anything else or a frame too short to hold what its headers claim.
bool complete_partial_checksum(std::span<std::byte> frame);

}  // namespace nlb::link
