#pragma once
// UDP (RFC 768) as a socket-like, sans-IO endpoint: sockets bound to (address, port), datagrams
// in and out with real bytes and a virtual tail, no clock. A socket either hands each datagram
// to its receiver at once, or keeps copies in a bounded queue for recv() (a full queue drops,
// as a socket's receive buffer does).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "models/transport/endpoint.hpp"
#include "models/transport/payload.hpp"
#include "sim/time.hpp"

namespace nlb::transport {

struct UdpDatagram {
  Endpoint src;
  Endpoint dst;
  Payload payload;
};

class UdpIo {
 public:
  virtual ~UdpIo() = default;
  // The payload's real bytes are valid during the call only.
  virtual void send_datagram(const UdpDatagram& d) = 0;
};

class UdpReceiver {
 public:
  virtual ~UdpReceiver() = default;
  virtual void on_datagram(sim::Time now, const UdpDatagram& d) = 0;
};

// A datagram kept in a socket's queue, with its own copy of the real bytes.
struct UdpReceived {
  sim::Time at;
  Endpoint src;
  Endpoint dst;
  std::vector<std::byte> real;
  std::uint32_t virtual_len = 0;
  std::size_t size() const { return real.size() + virtual_len; }
};

struct UdpCounters {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t dropped_queue_full = 0;
};

class UdpStack;

class UdpSocket {
 public:
  const Endpoint& local() const { return local_; }
  // Sends from the bound address (which must then be specified) or from `src` for a socket
  // bound to every address.
  bool send_to(Endpoint dst, Payload p);
  bool send_from(wire::Ipv4 src, Endpoint dst, Payload p);
  // Deliver to `r` from now on instead of queueing (nullptr: queue again).
  void set_receiver(UdpReceiver* r) { receiver_ = r; }
  std::optional<UdpReceived> recv();
  std::size_t queued() const { return queue_.size(); }
  const UdpCounters& counters() const { return counters_; }

 private:
  friend class UdpStack;
  UdpSocket(UdpStack& stack, Endpoint local, std::size_t queue_limit)
      : stack_(&stack), local_(local), queue_limit_(queue_limit) {}
  void deliver(sim::Time now, const UdpDatagram& d);

  UdpStack* stack_;
  Endpoint local_;
  std::size_t queue_limit_;
  UdpReceiver* receiver_ = nullptr;
  std::deque<UdpReceived> queue_;
  UdpCounters counters_;
};

struct UdpStackCounters {
  std::uint64_t datagrams_in = 0;
  std::uint64_t datagrams_out = 0;
  std::uint64_t no_port = 0;  // inbound datagrams no socket was bound to
};

class UdpStack {
 public:
  explicit UdpStack(UdpIo& io, std::uint16_t ephemeral_first = 32768, std::uint16_t ephemeral_last = 60999)
      : io_(&io), first_(ephemeral_first), last_(ephemeral_last), next_(ephemeral_first) {}
  UdpStack(const UdpStack&) = delete;
  UdpStack& operator=(const UdpStack&) = delete;

  // Binds `local` (port 0: an ephemeral port; unspecified address: every local address).
  // nullptr if the port is taken.
  UdpSocket* bind(Endpoint local, std::size_t queue_limit = 64);
  void close(UdpSocket* socket);

  // An inbound datagram for this host. Returns false when no socket is bound to its
  // destination: the caller answers ICMP port unreachable (RFC 1122 4.1.3.1).
  bool on_datagram(sim::Time now, const UdpDatagram& d);

  const UdpStackCounters& counters() const { return counters_; }

 private:
  friend class UdpSocket;
  void send(const UdpDatagram& d);
  UdpSocket* find(Endpoint local) const;

  UdpIo* io_;
  std::uint16_t first_, last_, next_;
  std::map<Endpoint, std::unique_ptr<UdpSocket>> sockets_;
  UdpStackCounters counters_;
};

}  // namespace nlb::transport
