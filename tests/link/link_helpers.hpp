#pragma once
// Small helpers shared by the link tests: frames with given MACs, NICs that record what they got.

#include <cstring>
#include <vector>

#include "models/link/device.hpp"
#include "models/link/frame.hpp"
#include "models/link/lan.hpp"

namespace nlb::link::test {

inline void put_mac_bytes(Frame& f, std::size_t at, wire::Mac m) {
  for (std::size_t i = 0; i < 6; ++i) f.data[at + i] = std::byte{m.bytes()[i]};
}

// An Ethernet frame of `len` real bytes: dst, src, EtherType 0x88b5 (IEEE local experimental),
// then `tag` in the first payload byte so tests can tell frames apart.
inline FrameRef make_frame(FramePool& pool, wire::Mac dst, wire::Mac src, std::size_t len = 60,
                           std::uint8_t tag = 0) {
  FrameRef r = pool.make(len);
  Frame& f = r.mut();
  std::memset(f.data, 0, len);
  put_mac_bytes(f, 0, dst);
  put_mac_bytes(f, 6, src);
  f.data[12] = std::byte{0x88};
  f.data[13] = std::byte{0xb5};
  if (len > 14) f.data[14] = std::byte{tag};
  return r;
}

struct Arrival {
  sim::Time at;
  std::uint8_t tag;
  std::size_t len;
};

// A NIC that records each accepted frame's arrival time and tag.
struct RecordingNic {
  RecordingNic(sim::Simulation& s, wire::Mac mac) : sim(s), dev(s, mac) {
    dev.set_receiver([this](const FrameRef& f) {
      got.push_back({sim.now(), static_cast<std::uint8_t>(f->data[14]), f->wire_len()});
    });
  }
  sim::Simulation& sim;
  Device dev;
  std::vector<Arrival> got;
};

inline const wire::Mac kA = wire::Mac::local(1);
inline const wire::Mac kB = wire::Mac::local(2);
inline const wire::Mac kC = wire::Mac::local(3);

// Three recording NICs (kA, kB, kC) on one switch.
struct ThreeHosts {
  explicit ThreeHosts(LanConfig cfg = {}, std::uint64_t seed = 1)
      : sim(seed), lan(sim, 0, "lan0", cfg), a(sim, kA), b(sim, kB), c(sim, kC) {
    a.dev.set_identity(0, 0);
    b.dev.set_identity(1, 0);
    c.dev.set_identity(2, 0);
    lan.attach(a.dev);
    lan.attach(b.dev);
    lan.attach(c.dev);
  }
  sim::Simulation sim;
  FramePool pool;
  Lan lan;
  RecordingNic a, b, c;
};

}  // namespace nlb::link::test
