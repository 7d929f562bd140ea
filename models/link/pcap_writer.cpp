#include "models/link/pcap_writer.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "models/link/trace_events.hpp"

namespace nlb::link {

namespace {
constexpr int kSnapLen = 65535;
}

struct PcapWriter::State {
  pcap_t* handle = nullptr;
  pcap_dumper_t* dumper = nullptr;
  std::vector<std::byte> buffer;  // one record, real bytes then virtual zeros; reused
  std::uint64_t written = 0;

  bool open() const { return dumper != nullptr; }

  void write(sim::Time at, const Frame& frame) {
    if (!dumper) return;
    std::size_t wire = frame.wire_len();
    std::size_t cap = std::min<std::size_t>(wire, kSnapLen);
    if (buffer.size() < cap) buffer.resize(cap);
    std::size_t real = std::min<std::size_t>(frame.len, cap);
    std::memcpy(buffer.data(), frame.data, real);
    std::memset(buffer.data() + real, 0, cap - real);
    pcap_pkthdr hdr{};
    // With PCAP_TSTAMP_PRECISION_NANO the "usec" field carries nanoseconds.
    hdr.ts.tv_sec = static_cast<time_t>(at.nanos() / 1'000'000'000);
    hdr.ts.tv_usec = static_cast<suseconds_t>(at.nanos() % 1'000'000'000);
    hdr.caplen = static_cast<bpf_u_int32>(cap);
    hdr.len = static_cast<bpf_u_int32>(wire);
    pcap_dump(reinterpret_cast<u_char*>(dumper), &hdr, reinterpret_cast<const u_char*>(buffer.data()));
    ++written;
  }

  bool finish() {
    bool ok = true;
    if (dumper) {
      ok = pcap_dump_flush(dumper) == 0;
      pcap_dump_close(dumper);
      dumper = nullptr;
    }
    if (handle) {
      pcap_close(handle);
      handle = nullptr;
    }
    return ok;
  }
};

std::unique_ptr<PcapWriter> PcapWriter::open(const std::string& path, std::string& error) {
  auto state = std::make_shared<State>();
  state->handle = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kSnapLen, PCAP_TSTAMP_PRECISION_NANO);
  if (!state->handle) {
    error = "libpcap: cannot create a capture handle";
    return nullptr;
  }
  std::string tmp = path + ".tmp";
  state->dumper = pcap_dump_open(state->handle, tmp.c_str());
  if (!state->dumper) {
    error = "cannot write " + tmp + ": " + pcap_geterr(state->handle);
    state->finish();
    return nullptr;
  }
  return std::unique_ptr<PcapWriter>(new PcapWriter(std::move(state), path));
}

std::unique_ptr<PcapWriter> PcapWriter::for_lan(sim::Simulation& sim, LanId lan, const std::string& path,
                                                std::string& error) {
  auto w = open(path, error);
  if (!w) return nullptr;
  // Frames on a segment are the frames its NICs sent: each appears once, however many ports
  // the switch floods it to.
  sim.trace().subscribe<FrameSent>([s = w->state_, lan](const FrameSent& e) {
    if (e.lan == lan) s->write(e.at, *e.frame);
  });
  return w;
}

std::unique_ptr<PcapWriter> PcapWriter::for_interface(sim::Simulation& sim, NodeId node, IfIndex iface,
                                                      const std::string& path, std::string& error) {
  auto w = open(path, error);
  if (!w) return nullptr;
  sim.trace().subscribe<FrameSent>([s = w->state_, node, iface](const FrameSent& e) {
    if (e.node == node && e.iface == iface) s->write(e.at, *e.frame);
  });
  sim.trace().subscribe<FrameReceived>([s = w->state_, node, iface](const FrameReceived& e) {
    if (e.node == node && e.iface == iface) s->write(e.at, *e.frame);
  });
  return w;
}

PcapWriter::~PcapWriter() {
  if (state_->open()) abandon();
}

bool PcapWriter::close(std::string& error) {
  if (!state_->open()) {
    error = "capture " + path_ + " already closed";
    return false;
  }
  std::string tmp = path_ + ".tmp";
  if (!state_->finish()) {
    error = "cannot flush " + tmp;
    std::remove(tmp.c_str());
    return false;
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    error = "cannot rename " + tmp + " to " + path_ + ": " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

void PcapWriter::abandon() {
  state_->finish();
  std::remove((path_ + ".tmp").c_str());
}

std::uint64_t PcapWriter::frames_written() const { return state_->written; }

}  // namespace nlb::link
