#include "models/transport/udp.hpp"

namespace nlb::transport {

bool UdpSocket::send_to(Endpoint dst, Payload p) { return send_from(local_.addr, dst, p); }

bool UdpSocket::send_from(wire::Ipv4 src, Endpoint dst, Payload p) {
  if (src.is_unspecified() || dst.port == 0) return false;
  if (!local_.addr.is_unspecified() && src != local_.addr) return false;
  ++counters_.sent;
  stack_->send(UdpDatagram{{src, local_.port}, dst, p});
  return true;
}

std::optional<UdpReceived> UdpSocket::recv() {
  if (queue_.empty()) return std::nullopt;
  UdpReceived r = std::move(queue_.front());
  queue_.pop_front();
  return r;
}

void UdpSocket::deliver(sim::Time now, const UdpDatagram& d) {
  if (receiver_) {
    ++counters_.received;
    receiver_->on_datagram(now, d);
    return;
  }
  if (queue_.size() >= queue_limit_) {
    ++counters_.dropped_queue_full;
    return;
  }
  ++counters_.received;
  queue_.push_back({now, d.src, d.dst, std::vector<std::byte>(d.payload.real.begin(), d.payload.real.end()),
                    d.payload.virtual_len});
}

UdpSocket* UdpStack::bind(Endpoint local, std::size_t queue_limit) {
  if (local.port == 0) {
    std::uint32_t range = std::uint32_t{last_} - first_ + 1;
    for (std::uint32_t i = 0; i < range && local.port == 0; ++i) {
      std::uint16_t port = next_;
      next_ = port == last_ ? first_ : static_cast<std::uint16_t>(port + 1);
      if (!find(Endpoint{local.addr, port})) local.port = port;
    }
    if (local.port == 0) return nullptr;
  }
  if (sockets_.contains(local)) return nullptr;
  auto s = std::unique_ptr<UdpSocket>(new UdpSocket(*this, local, queue_limit));
  UdpSocket* raw = s.get();
  sockets_.emplace(local, std::move(s));
  return raw;
}

void UdpStack::close(UdpSocket* socket) {
  if (socket) sockets_.erase(socket->local());
}

UdpSocket* UdpStack::find(Endpoint local) const {
  if (auto it = sockets_.find(local); it != sockets_.end()) return it->second.get();
  if (auto it = sockets_.find(Endpoint{wire::Ipv4::any(), local.port}); it != sockets_.end())
    return it->second.get();
  return nullptr;
}

bool UdpStack::on_datagram(sim::Time now, const UdpDatagram& d) {
  ++counters_.datagrams_in;
  UdpSocket* s = find(d.dst);
  if (!s) {
    ++counters_.no_port;
    return false;
  }
  s->deliver(now, d);
  return true;
}

void UdpStack::send(const UdpDatagram& d) {
  ++counters_.datagrams_out;
  io_->send_datagram(d);
}

}  // namespace nlb::transport
