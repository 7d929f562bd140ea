#include "models/link/lan.hpp"

#include <algorithm>
#include <cassert>

#include "models/link/device.hpp"
#include "models/link/trace_events.hpp"

namespace nlb::link {

// One direction of a port's link. htsim's pipe (Broadcom/csg-htsim sim/pipe.cpp): the channel
// keeps its frames in its own FIFO, with the times computed on entry, and keeps a single event
// in the engine for the frame at the head. One queue entry per busy link, not one per frame.
//
// A frame entering at `now` starts transmission at max(now, end of the previous frame), ends
// it a serialization time later, and arrives a propagation delay after that. Both delays are
// the same for every frame in the FIFO, so arrivals come out in FIFO order.
class Lan::Channel {
 public:
  Channel(Lan& lan, PortIndex port, bool upward)
      : lan_(lan), port_(port), upward_(upward), head_timer_(lan.sim_, [this] { on_head_arrival(); }) {}

  bool enqueue(FrameRef frame, const LinkConfig& link) {
    sim::Time now = lan_.sim_.now();
    // Frames that have started transmitting no longer occupy the queue.
    while (unstarted_ < fifo_.size() && fifo_[unstarted_].tx_start <= now) ++unstarted_;
    sim::Time start = std::max(now, busy_until_);
    if (start > now && fifo_.size() - unstarted_ >= link.queue_limit) {
      // Upward, the NIC's own transmit queue refuses the frame: it never was on the link.
      lan_.drop(port_, upward_, frame, drop::kQueueFull, upward_ ? DropStage::Send : DropStage::Link);
      ++lan_.counters_.dropped_queue_full;
      return false;
    }
    busy_until_ = start + serialization(link, frame->wire_len());
    fifo_.push_back({std::move(frame), start, busy_until_ + link.delay});
    if (!head_timer_.pending()) head_timer_.schedule_at(fifo_.front().arrival);
    return true;
  }

  // Drops everything in the queue and on the wire.
  void flush(const char* reason) {
    head_timer_.cancel();
    while (!fifo_.empty()) {
      InFlight f = fifo_.pop_front();
      lan_.drop(port_, upward_, f.frame, reason, DropStage::Link);
      ++lan_.counters_.dropped_link_down;
    }
    unstarted_ = 0;
    busy_until_ = sim::Time::zero();
  }

  // Empties the channel silently (teardown).
  void discard() {
    head_timer_.cancel();
    fifo_.clear();
    unstarted_ = 0;
    busy_until_ = sim::Time::zero();
  }

  std::size_t in_flight() const { return fifo_.size(); }

  // One draw from this direction's loss stream.
  bool lost(double probability) { return probability > 0 && loss_rng().bernoulli(probability); }

  std::size_t waiting() const {
    std::size_t started = 0;
    while (started < fifo_.size() && fifo_[started].tx_start <= lan_.sim_.now()) ++started;
    return fifo_.size() - started;
  }

 private:
  struct InFlight {
    FrameRef frame;
    sim::Time tx_start;
    sim::Time arrival;
  };

  void on_head_arrival();

  // Made on first use: a stream per LAN, port and direction, so one link's draws never shift
  // another's (DESIGN.md, "Determinism").
  sim::RngStream& loss_rng() {
    if (!rng_) {
      rng_ = &lan_.sim_.rng().stream("link/" + lan_.name_ + "/" + std::to_string(port_) +
                                     (upward_ ? "/up" : "/down"));
    }
    return *rng_;
  }

  Lan& lan_;
  PortIndex port_;
  bool upward_;
  sim::Timer head_timer_;
  Ring<InFlight> fifo_;
  std::size_t unstarted_ = 0;  // fifo_[unstarted_..] have not started transmitting (as of the last look)
  sim::Time busy_until_;
  sim::RngStream* rng_ = nullptr;
};

struct Lan::Port {
  Port(Lan& lan, PortIndex index, Device* dev, const LinkConfig& cfg)
      : device(dev), link(cfg), up_channel(lan, index, true), down_channel(lan, index, false) {}
  Device* device;
  LinkConfig link;
  bool up = true;
  Channel up_channel;
  Channel down_channel;
};

void Lan::Channel::on_head_arrival() {
  InFlight f = fifo_.pop_front();
  if (unstarted_ > 0) --unstarted_;
  // Re-arm before delivering: delivery may send more frames into this very channel.
  if (!fifo_.empty()) head_timer_.schedule_at(fifo_.front().arrival);
  const LinkConfig& link = lan_.ports_[port_]->link;
  if (lost(upward_ ? link.loss_out : link.loss_in)) {
    lan_.drop(port_, upward_, f.frame, drop::kLoss, DropStage::Link);
    ++lan_.counters_.dropped_loss;
    return;
  }
  if (upward_) {
    lan_.from_port(port_, std::move(f.frame));
  } else {
    lan_.to_device(port_, f.frame);
  }
}

Lan::Lan(sim::Simulation& sim, LanId id, std::string name, LanConfig config)
    : sim_(sim), id_(id), name_(std::move(name)), config_(config) {}

Lan::~Lan() {
  for (auto& p : ports_) {
    if (p->device) p->device->attached(nullptr, kNoPort);
  }
}

PortIndex Lan::attach(Device& device) { return attach(device, config_.link); }

PortIndex Lan::attach(Device& device, const LinkConfig& link) {
  assert(device.lan() == nullptr && "a NIC attaches to one LAN");
  auto index = static_cast<PortIndex>(ports_.size());
  ports_.push_back(std::make_unique<Port>(*this, index, &device, link));
  device.attached(this, index);
  return index;
}

void Lan::detach(PortIndex port) {
  // Teardown, not a simulated event: nothing is published (subscribers may be gone already).
  Port& p = *ports_[port];
  p.up = false;
  p.device = nullptr;
  p.up_channel.discard();
  p.down_channel.discard();
  std::erase_if(fdb_, [port](const auto& kv) { return kv.second.port == port; });
}

void Lan::set_port_up(PortIndex port, bool up) {
  Port& p = *ports_[port];
  if (p.up == up) return;
  p.up = up;
  if (!up) {
    p.up_channel.flush(drop::kLinkDown);
    p.down_channel.flush(drop::kLinkDown);
    forget_port(port);
  }
  if (sim_.trace().wants<PortStateChanged>())
    sim_.trace().publish(PortStateChanged{sim_.now(), id_, port, up});
}

void Lan::forget_port(PortIndex port) {
  // Forget what was learned there, so traffic floods until the MAC shows up elsewhere. Sorted
  // first: the events must not come out in hash order.
  std::vector<wire::Mac> gone;
  for (const auto& [mac, e] : fdb_) {
    if (e.port == port) gone.push_back(mac);
  }
  std::sort(gone.begin(), gone.end());
  for (wire::Mac m : gone) {
    fdb_.erase(m);
    if (sim_.trace().wants<MacLearned>()) sim_.trace().publish(MacLearned{sim_.now(), id_, m, kNoPort, port});
  }
}

Device* Lan::device(PortIndex port) const { return ports_[port]->device; }
bool Lan::port_up(PortIndex port) const { return ports_[port]->up; }
const LinkConfig& Lan::link_config(PortIndex port) const { return ports_[port]->link; }

void Lan::set_link_config(PortIndex port, const LinkConfig& link) { ports_[port]->link = link; }

std::size_t Lan::in_flight() const {
  std::size_t n = 0;
  for (const auto& p : ports_) n += p->up_channel.in_flight() + p->down_channel.in_flight();
  return n;
}

std::size_t Lan::queued(PortIndex port, bool upward) const {
  const Port& p = *ports_[port];
  return upward ? p.up_channel.waiting() : p.down_channel.waiting();
}

sim::Time Lan::serialization(const LinkConfig& link, std::size_t bytes) {
  if (link.bandwidth_bps == 0) return sim::Time::zero();
  std::uint64_t bits = (bytes + link.frame_overhead) * 8;
  return sim::Time::ns(
      static_cast<std::int64_t>((bits * 1'000'000'000 + link.bandwidth_bps - 1) / link.bandwidth_bps));
}

bool Lan::transmit(PortIndex from, FrameRef frame) {
  Port& p = *ports_[from];
  if (!p.up) {
    drop(from, true, frame, drop::kLinkDown, DropStage::Send);
    ++counters_.dropped_link_down;
    return false;
  }
  return p.up_channel.enqueue(std::move(frame), p.link);
}

void Lan::from_port(PortIndex in, FrameRef frame) {
  ++counters_.frames_in;
  if (config_.kind == LanKind::Shared) {
    // The medium reaches the NICs attached and up; a down port receives nothing.
    for (PortIndex out = 0; out < ports_.size(); ++out) {
      const Port& p = *ports_[out];
      if (out == in || !p.up || !p.device) continue;
      ++counters_.copies_out;
      to_device(out, frame);
    }
    return;
  }
  wire::Mac dst = frame_dst(*frame);
  learn(frame_src(*frame), in);
  if (!dst.is_multicast()) {
    if (auto out = lookup(dst)) {
      ++counters_.copies_out;
      if (*out == in) {
        ++counters_.same_port;
        drop(in, false, frame, drop::kSamePort, DropStage::Link);
        return;
      }
      Port& p = *ports_[*out];
      p.down_channel.enqueue(std::move(frame), p.link);
      return;
    }
  }
  flood(in, frame);
}

void Lan::flood(PortIndex in, const FrameRef& frame) {
  ++counters_.flooded;
  for (PortIndex out = 0; out < ports_.size(); ++out) {
    Port& p = *ports_[out];
    if (out == in || !p.up || !p.device) continue;
    ++counters_.copies_out;
    p.down_channel.enqueue(frame, p.link);
  }
}

void Lan::to_device(PortIndex out, const FrameRef& frame) {
  Port& p = *ports_[out];
  if (!p.up || !p.device) {
    drop(out, false, frame, drop::kLinkDown, DropStage::Link);
    ++counters_.dropped_link_down;
    return;
  }
  // A shared medium has no switch-to-NIC channel: the receiver's loss applies here.
  if (config_.kind == LanKind::Shared && p.down_channel.lost(p.link.loss_in)) {
    drop(out, false, frame, drop::kLoss, DropStage::Link);
    ++counters_.dropped_loss;
    return;
  }
  p.device->receive(frame);
}

void Lan::learn(wire::Mac src, PortIndex port) {
  if (src.is_multicast()) return;  // not a station address; 802.1D 7.8 learns unicast sources only
  auto [it, added] = fdb_.try_emplace(src, MacEntry{src, port, sim_.now()});
  MacEntry& e = it->second;
  PortIndex old_port = kNoPort;
  if (!added) {
    bool was_live = live(e);
    if (was_live && e.port == port) {
      e.last_seen = sim_.now();
      return;
    }
    // A MAC that moved (a VRRP virtual MAC, an alias taken over) is relearned at once.
    old_port = was_live ? e.port : kNoPort;
    e.port = port;
    e.last_seen = sim_.now();
  }
  if (sim_.trace().wants<MacLearned>())
    sim_.trace().publish(MacLearned{sim_.now(), id_, src, port, old_port});
}

std::optional<PortIndex> Lan::lookup(wire::Mac dst) {
  auto it = fdb_.find(dst);
  if (it == fdb_.end()) return std::nullopt;
  if (!live(it->second)) {
    const PortIndex was = it->second.port;
    fdb_.erase(it);  // aged out: flood until it is heard again
    if (sim_.trace().wants<MacLearned>())
      sim_.trace().publish(MacLearned{sim_.now(), id_, dst, kNoPort, was, true});
    return std::nullopt;
  }
  return it->second.port;
}

std::optional<PortIndex> Lan::port_of(wire::Mac mac) const {
  auto it = fdb_.find(mac);
  if (it == fdb_.end() || !live(it->second)) return std::nullopt;
  return it->second.port;
}

std::vector<MacEntry> Lan::mac_table() const {
  std::vector<MacEntry> out;
  for (const auto& [mac, e] : fdb_) {
    if (live(e)) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const MacEntry& a, const MacEntry& b) { return a.mac < b.mac; });
  return out;
}

void Lan::drop(PortIndex port, bool upward, const FrameRef& frame, const char* reason, DropStage stage) {
  // The `up` channel is the NIC's transmit queue: its drops belong to the node.
  const Device* dev = ports_[port]->device;
  if (upward && dev) {
    publish_drop(sim_, dev->node(), dev->iface(), id_, frame, reason, stage);
  } else {
    publish_drop(sim_, kNoNode, port, id_, frame, reason, stage);
  }
}

}  // namespace nlb::link
