#pragma once
// An HTTP/1.1 server on a TcpStack: reads real request heads, waits for the request body
// (Content-Length bytes, usually virtual), queues the request for one of `workers` workers
// (FIFO backlog), holds it for a service time drawn from its distribution, then answers
// "HTTP/1.1 200 OK" with a virtual body. The service time can change at run time (a scenario
// slows a server down); the counters are what the balancer's advisor and the metrics read.
//
// One request per connection is in the server at a time: pipelined requests wait in the TCP
// receive buffer and are answered in order (RFC 9112 9.3.2).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/apps/http_message.hpp"
#include "models/apps/lean_timer.hpp"
#include "models/apps/service_time.hpp"
#include "models/link/ring.hpp"
#include "models/transport/tcp_stack.hpp"
#include "sim/chunked.hpp"
#include "sim/simulation.hpp"

namespace nlb::apps {

struct HttpServerConfig {
  transport::Endpoint listen{wire::Ipv4::any(), 80};
  ServiceTime service = ServiceTime::constant(sim::Time::ms(5));
  std::uint32_t workers = 8;
  // Requests waiting for a worker; beyond it the server answers 503 and closes (0: no limit).
  std::size_t backlog_limit = 1024;
  // Body size when the request does not ask for one (X-Response-Size).
  std::uint64_t response_size = 10'000;
};

struct HttpServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t requests_received = 0;
  std::uint64_t requests_served = 0;     // responses queued to TCP
  std::uint64_t requests_rejected = 0;   // 503: backlog full
  std::uint64_t requests_bad = 0;        // 400: unparsable head
  std::uint64_t requests_abandoned = 0;  // the connection ended before the response
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
  sim::Time queue_wait_sum = sim::Time::zero();  // time requests waited for a worker
  sim::Time service_sum = sim::Time::zero();
};

class HttpServer final : public transport::TcpListener, private transport::TcpObserver {
 public:
  HttpServer(sim::Simulation& sim, transport::TcpStack& tcp, const HttpServerConfig& cfg,
             sim::RngStream& service_rng);
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listen on cfg.listen; false if the port is taken.
  bool start();
  // Graceful: stop accepting; connections finish what they have.
  void stop();
  // The process died: every connection is aborted (the kernel resets them), the queue and
  // the workers' requests are gone.
  void crash();

  void set_service_time(const ServiceTime& s) { cfg_.service = s; }
  const ServiceTime& service_time() const { return cfg_.service; }
  const HttpServerConfig& config() const { return cfg_; }
  const HttpServerCounters& counters() const { return counters_; }
  std::size_t active_connections() const { return conns_.size(); }
  std::size_t queue_length() const { return queue_.size(); }
  std::uint32_t busy_workers() const { return busy_; }
  bool listening() const { return listening_; }

 private:
  enum class Phase : std::uint8_t { Head, Body, Waiting, Responding };
  // Per connection, in a SlotPool (no map node), found by the connection's observer_slot.
  struct Conn {
    transport::TcpConnection* tcp = nullptr;
    // Body bytes still to go: the request's to read (phase Body), or the response's to queue to
    // TCP (Responding). One field for both, as the phases never overlap: 32 bytes, not 40.
    std::uint64_t left = 0;
    std::uint64_t response_size = 0;
    Phase phase = Phase::Head;
    bool close_after = false;
    bool peer_closed = false;
  };
  // A record named outside a TCP callback: its slot, and the connection's id, since the slot
  // may hold another connection's record by then.
  struct ConnRef {
    std::uint32_t slot = 0;
    std::uint64_t id = 0;
  };
  struct Job {
    ConnRef conn;
    sim::Time arrived;
  };
  // One per request in service, up to cfg_.workers (40,000 per server in the scale run), so
  // small: a LeanTimer and the connection it serves, by value in workers_; the ConnRef's
  // fields apart, so that the slot fills the padding (24 bytes, not 32).
  struct Worker {
    LeanTimer timer;
    std::uint32_t conn_slot = 0;
    bool busy = false;
    std::uint64_t conn_id = 0;
    ConnRef conn() const { return {conn_slot, conn_id}; }
  };
  // A million of each are held in the scale run (docs/performance.md): a byte costs a MiB.
  static_assert(sizeof(void*) != 8 || sizeof(Conn) <= 32, "HttpServer::Conn grew");
  static_assert(sizeof(void*) != 8 || sizeof(Worker) <= 24, "HttpServer::Worker grew");

  transport::TcpObserver* on_accept(transport::TcpConnection& c) override;
  void on_readable(transport::TcpConnection& c) override;
  void on_writable(transport::TcpConnection& c) override;
  void on_peer_closed(transport::TcpConnection& c) override;
  void on_closed(transport::TcpConnection& c, transport::TcpOutcome o) override;

  void read_requests(Conn& conn);
  void enqueue(Conn& conn);
  void start_next();
  std::uint32_t take_idle_worker();
  void on_worker_done(std::uint32_t index);
  void respond(Conn& conn, int status, std::uint64_t body, bool close);
  void write_body(Conn& conn);
  Conn* find(ConnRef ref);
  Conn* find(const transport::TcpConnection& c);

  sim::Simulation& sim_;
  transport::TcpStack& tcp_;
  HttpServerConfig cfg_;
  sim::RngStream& rng_;
  sim::SlotPool<Conn, 16> conns_;  // by TcpConnection::observer_slot
  link::Ring<Job> queue_;
  std::vector<Worker> workers_;      // made on first need, never more than cfg_.workers
  std::vector<std::uint32_t> idle_;  // min-heap of idle workers' indices
  std::uint32_t busy_ = 0;
  bool listening_ = false;
  std::string head_buf_;
  HttpServerCounters counters_;
};

}  // namespace nlb::apps
