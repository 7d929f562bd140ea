#pragma once
// An open-loop HTTP/1.1 client on a TcpStack: requests arrive by a Poisson process or at a
// fixed interval (a named RngStream), whatever the server's speed, as users of a web site do.
// Each request is real header text plus an optional virtual body and asks the server for a
// response body of a given size (X-Response-Size). With keep-alive a connection carries up to
// `requests_per_connection` requests one after another; otherwise each request has its own.
//
// Every request ends with a record: start, end, outcome (ok / reset / timed-out / refused /
// error) and bytes; the aggregate counters are what the metrics read.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/apps/http_message.hpp"
#include "models/apps/lean_timer.hpp"
#include "models/link/ring.hpp"
#include "models/transport/tcp_stack.hpp"
#include "sim/chunked.hpp"
#include "sim/simulation.hpp"

namespace nlb::apps {

struct Arrivals {
  enum class Kind : std::uint8_t { Poisson, Fixed };
  Kind kind = Kind::Poisson;
  double rate = 10;                         // requests per second (Poisson)
  sim::Time interval = sim::Time::ms(100);  // Fixed
  static Arrivals poisson(double per_second) { return {Kind::Poisson, per_second, sim::Time::ms(100)}; }
  static Arrivals fixed(sim::Time every) { return {Kind::Fixed, 0, every}; }
};

struct HttpClientConfig {
  transport::Endpoint local{wire::Ipv4::any(), 0};  // the client's address; port 0: ephemeral
  transport::Endpoint server{wire::Ipv4::any(), 80};
  std::string host = "cluster";
  std::string path = "/obj";
  Arrivals arrivals;
  std::uint64_t request_body = 0;  // virtual bytes after the head (POST when > 0)
  std::uint64_t response_size = 10'000;
  std::uint32_t requests_per_connection = 1;   // > 1: keep-alive
  sim::Time keepalive_idle = sim::Time::s(5);  // an idle kept-alive connection is closed after this
  sim::Time request_timeout = sim::Time::s(30);
  sim::Time start = sim::Time::zero();
  sim::Time stop = sim::Time::max();
  std::uint64_t max_requests = 0;  // 0: no limit
  bool keep_records = true;
};

enum class HttpOutcome : std::uint8_t {
  Ok,        // a complete 200 response
  Reset,     // the connection was reset after it opened (the seed's failover without sync)
  TimedOut,  // no complete response within request_timeout, or TCP gave up
  Refused,   // the connection was reset while opening (nobody listening)
  Error,     // another status than 200, an unparsable response, or closed before the response
};
std::string_view to_string(HttpOutcome o);

struct RequestRecord {
  std::uint64_t id = 0;
  sim::Time start;
  sim::Time end;
  HttpOutcome outcome = HttpOutcome::Ok;
  int status = 0;
  std::uint64_t bytes_sent = 0;      // head and body
  std::uint64_t bytes_received = 0;  // head and body
  std::uint64_t connection = 0;      // TcpConnection id
  std::uint16_t local_port = 0;
  bool reused_connection = false;  // not the connection's first request
  sim::Time latency() const { return end - start; }
};

struct HttpClientCounters {
  std::uint64_t started = 0;
  std::uint64_t ok = 0;
  std::uint64_t reset = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t refused = 0;
  std::uint64_t error = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connect_failures = 0;  // no local port: recorded as refused
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t finished() const { return ok + reset + timed_out + refused + error; }
};

class HttpClient final : private transport::TcpObserver {
 public:
  HttpClient(sim::Simulation& sim, transport::TcpStack& tcp, const HttpClientConfig& cfg,
             sim::RngStream& arrivals_rng);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Schedules the first arrival at cfg.start.
  void start();
  // No more arrivals; requests in flight finish.
  void stop();
  // Starts one request now (the arrival process calls this; tests may too).
  void request();

  const HttpClientConfig& config() const { return cfg_; }
  const HttpClientCounters& counters() const { return counters_; }
  const std::vector<RequestRecord>& records() const { return records_; }
  std::size_t in_flight() const { return counters_.started - counters_.finished(); }
  std::size_t open_connections() const { return conns_.size(); }
  // Called with every finished request (records or not).
  void set_on_complete(std::function<void(const RequestRecord&)> fn) { on_complete_ = std::move(fn); }

 private:
  // Per connection: a million of these are held at once in the scale run, so the timer is a
  // LeanTimer and the records live in a SlotPool (no map node, no malloc header), found by the
  // connection's observer_slot.
  struct Conn {
    transport::TcpConnection* tcp = nullptr;
    LeanTimer timer;  // the request timeout, or the keep-alive idle timeout
    std::uint64_t body_left = 0;
    // The outstanding request: what its RequestRecord takes that the connection cannot tell
    // when it finishes (finish() adds the rest).
    std::uint64_t request = 0;  // its id
    sim::Time start;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    int status = 0;
    std::uint32_t requests = 0;  // requests started on this connection
    bool busy = false;           // a request is outstanding
    bool established = false;
    bool last = false;  // no further request will use it
    bool head_done = false;
  };
  // A record named from outside a TCP callback (a timer, the idle list): its slot, and the
  // connection's id, since the slot may hold another connection's record by then.
  struct ConnRef {
    std::uint32_t slot;
    std::uint64_t id;
  };

  void on_connected(transport::TcpConnection& c) override;
  void on_readable(transport::TcpConnection& c) override;
  void on_peer_closed(transport::TcpConnection& c) override;
  void on_closed(transport::TcpConnection& c, transport::TcpOutcome o) override;

  void schedule_arrival();
  void on_arrival();
  void send_request(Conn& conn, std::uint64_t id);
  void read_response(Conn& conn);
  void finish(Conn& conn, HttpOutcome outcome);
  void arm(Conn& conn, sim::Time delay);
  void on_conn_timer(ConnRef ref);
  void make_idle(Conn& conn);
  void record(const RequestRecord& r);
  Conn* find(ConnRef ref);
  Conn* find(const transport::TcpConnection& c);
  static ConnRef ref(const Conn& conn) { return {conn.tcp->observer_slot, conn.tcp->id()}; }

  sim::Simulation& sim_;
  transport::TcpStack& tcp_;
  HttpClientConfig cfg_;
  sim::RngStream& rng_;
  sim::Timer arrival_;
  bool running_ = false;
  std::uint64_t next_request_ = 1;
  sim::SlotPool<Conn, 16> conns_;  // by TcpConnection::observer_slot
  // Kept-alive connections, oldest first. A Ring, not a std::deque, which takes ~600 bytes
  // while empty: 6 MiB in the 10,000 clients of the scale run.
  link::Ring<ConnRef> idle_;
  std::vector<RequestRecord> records_;
  std::function<void(const RequestRecord&)> on_complete_;
  std::string head_buf_;
  HttpClientCounters counters_;
};

}  // namespace nlb::apps
