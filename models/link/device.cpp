#include "models/link/device.hpp"

#include <algorithm>
#include <cstring>

#include "models/link/lan.hpp"
#include "models/link/trace_events.hpp"

namespace nlb::link {

namespace {
wire::Mac mac_at(const Frame& f, std::size_t at) {
  std::array<std::uint8_t, 6> b{};
  for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(f.data[at + i]);
  return wire::Mac(b);
}

void add_unique(std::vector<wire::Mac>& v, wire::Mac m) {
  if (std::find(v.begin(), v.end(), m) == v.end()) v.push_back(m);
}
void remove(std::vector<wire::Mac>& v, wire::Mac m) { std::erase(v, m); }
}  // namespace

wire::Mac frame_dst(const Frame& frame) { return mac_at(frame, 0); }
wire::Mac frame_src(const Frame& frame) { return mac_at(frame, 6); }

Device::Device(sim::Simulation& sim, wire::Mac mac) : sim_(sim), mac_(mac) {}

Device::~Device() {
  if (lan_) lan_->detach(port_);
}

void Device::set_up(bool up, const char* down_reason) {
  up_ = up;
  down_reason_ = down_reason ? down_reason : drop::kIfaceDown;
}

bool Device::carrier() const { return up_ && lan_ && lan_->port_up(port_); }

LanId Device::lan_id() const { return lan_ ? lan_->id() : kNoLan; }

bool Device::send(FrameRef frame) {
  if (!up_) {
    drop(frame, down_reason_, DropStage::Send);
    return false;
  }
  if (!lan_) {
    drop(frame, drop::kLinkDown, DropStage::Send);
    return false;
  }
  if (frame->wire_len() < Frame::kMinBytes) {
    // IEEE 802.3 4.2.3.3: the MAC pads a short frame with zeros up to the minimum size.
    if (!frame.unique()) frame = frame->pool->clone(*frame);
    Frame& f = frame.mut();
    std::size_t pad = Frame::kMinBytes - f.wire_len();
    if (f.virtual_len > 0) {
      f.virtual_len += static_cast<std::uint32_t>(pad);
    } else {
      std::memset(f.data + f.len, 0, pad);
      f.len = static_cast<std::uint16_t>(f.len + pad);
    }
  }
  std::size_t bytes = frame->wire_len();
  // Traced only once the link took it: a frame tail-dropped in the NIC's own queue is a drop,
  // not a send, and never shows in a capture.
  FrameRef traced = sim_.trace().wants<FrameSent>() ? frame : FrameRef{};
  if (!lan_->transmit(port_, std::move(frame))) {
    ++counters_.dropped;
    return false;
  }
  if (traced) sim_.trace().publish(FrameSent{sim_.now(), node_, iface_, lan_->id(), std::move(traced)});
  ++counters_.tx_frames;
  counters_.tx_bytes += bytes;
  return true;
}

void Device::join_multicast(wire::Mac group) { add_unique(multicast_, group); }
void Device::leave_multicast(wire::Mac group) { remove(multicast_, group); }
void Device::accept_unicast(wire::Mac mac) { add_unique(extra_unicast_, mac); }
void Device::stop_accepting(wire::Mac mac) { remove(extra_unicast_, mac); }

bool Device::accepts(wire::Mac dst) const {
  if (promiscuous_ || dst == mac_ || dst.is_broadcast()) return true;
  const auto& list = dst.is_multicast() ? multicast_ : extra_unicast_;
  return std::find(list.begin(), list.end(), dst) != list.end();
}

void Device::receive(const FrameRef& frame) {
  if (!up_) {
    drop(frame, down_reason_, DropStage::Receive);
    return;
  }
  if (frame->len < 12 || !accepts(frame_dst(*frame))) {
    ++counters_.filtered;
    publish_drop(sim_, node_, iface_, lan_id(), frame, drop::kFiltered, DropStage::Receive);
    return;
  }
  ++counters_.rx_frames;
  counters_.rx_bytes += frame->wire_len();
  if (sim_.trace().wants<FrameReceived>()) {
    sim_.trace().publish(FrameReceived{sim_.now(), node_, iface_, lan_id(), frame});
  }
  if (receiver_) receiver_(frame);
}

void Device::drop(const FrameRef& frame, const char* reason, DropStage stage) {
  ++counters_.dropped;
  publish_drop(sim_, node_, iface_, lan_id(), frame, reason, stage);
}

}  // namespace nlb::link
