#include "models/apps/http_client.hpp"

#include <algorithm>
#include <cmath>

#include "models/transport/payload.hpp"

namespace nlb::apps {

using sim::Time;
using transport::TcpConnection;
using transport::TcpOutcome;
using transport::TcpState;

std::string_view to_string(HttpOutcome o) {
  switch (o) {
    case HttpOutcome::Ok:
      return "ok";
    case HttpOutcome::Reset:
      return "reset";
    case HttpOutcome::TimedOut:
      return "timed-out";
    case HttpOutcome::Refused:
      return "refused";
    case HttpOutcome::Error:
      return "error";
  }
  return "?";
}

HttpClient::HttpClient(sim::Simulation& sim, transport::TcpStack& tcp, const HttpClientConfig& cfg,
                       sim::RngStream& arrivals_rng)
    : sim_(sim), tcp_(tcp), cfg_(cfg), rng_(arrivals_rng), arrival_(sim, [this] { on_arrival(); }) {}

HttpClient::~HttpClient() {
  // The stack may outlive us: it must not call back into a destroyed client.
  for (std::uint32_t s = 0; s < conns_.end(); ++s) {
    if (!conns_.live(s)) continue;
    conns_[s].tcp->observer = nullptr;
    conns_[s].timer.cancel(sim_);
  }
}

void HttpClient::start() {
  running_ = true;
  arrival_.schedule_at(std::max(cfg_.start, sim_.now()));
}

void HttpClient::stop() {
  running_ = false;
  arrival_.cancel();
}

void HttpClient::schedule_arrival() {
  Time gap = cfg_.arrivals.interval;
  if (cfg_.arrivals.kind == Arrivals::Kind::Poisson) {
    if (cfg_.arrivals.rate <= 0) return;
    // Exponential gaps of mean 1/rate make a Poisson process; the mean is rounded to the ns
    // once, the draws are integer (sim/rng.hpp).
    gap = rng_.exponential_time(Time::ns(std::llround(1e9 / cfg_.arrivals.rate)));
  }
  arrival_.schedule_in(gap);
}

void HttpClient::on_arrival() {
  if (!running_ || sim_.now() >= cfg_.stop) {
    running_ = false;
    return;
  }
  request();
  if (cfg_.max_requests != 0 && counters_.started >= cfg_.max_requests) {
    running_ = false;
    return;
  }
  schedule_arrival();
}

HttpClient::Conn* HttpClient::find(ConnRef ref) {
  return conns_.live(ref.slot) && conns_[ref.slot].tcp->id() == ref.id ? &conns_[ref.slot] : nullptr;
}

HttpClient::Conn* HttpClient::find(const TcpConnection& c) {
  const std::uint32_t s = c.observer_slot;
  return conns_.live(s) && conns_[s].tcp == &c ? &conns_[s] : nullptr;
}

void HttpClient::request() {
  std::uint64_t id = next_request_++;
  ++counters_.started;
  // A kept-alive idle connection first, the one idle longest.
  while (!idle_.empty()) {
    Conn* conn = find(idle_.pop_front());
    if (conn && !conn->busy && !conn->last && conn->tcp->state() == TcpState::Established) {
      send_request(*conn, id);
      return;
    }
  }
  TcpConnection* tcp = tcp_.connect(sim_.now(), cfg_.local, cfg_.server, *this);
  if (!tcp) {
    ++counters_.connect_failures;
    RequestRecord r;
    r.id = id;
    r.start = r.end = sim_.now();
    r.outcome = HttpOutcome::Refused;
    ++counters_.refused;
    record(r);
    return;
  }
  ++counters_.connections_opened;
  tcp->observer_slot = conns_.emplace();
  Conn& conn = conns_[tcp->observer_slot];
  conn.tcp = tcp;
  send_request(conn, id);
}

void HttpClient::send_request(Conn& conn, std::uint64_t id) {
  TcpConnection& tcp = *conn.tcp;
  ++conn.requests;
  conn.busy = true;
  conn.last = conn.requests >= cfg_.requests_per_connection;
  conn.head_done = false;
  conn.body_left = 0;
  conn.request = id;
  conn.start = sim_.now();
  conn.bytes_received = 0;
  conn.status = 0;
  // "Connection: close" on a connection's last request (RFC 9112 9.6): the server closes it.
  write_request_head(head_buf_, cfg_.request_body > 0 ? "POST" : "GET", cfg_.path, cfg_.host,
                     cfg_.request_body, cfg_.response_size, conn.last);
  tcp.send(transport::as_bytes(head_buf_));
  tcp.send_virtual(cfg_.request_body);
  conn.bytes_sent = head_buf_.size() + cfg_.request_body;
  counters_.bytes_sent += conn.bytes_sent;
  arm(conn, cfg_.request_timeout);
}

void HttpClient::on_connected(TcpConnection& c) {
  if (Conn* conn = find(c)) conn->established = true;
}

void HttpClient::on_readable(TcpConnection& c) {
  Conn* conn = find(c);
  if (!conn || !conn->busy) {
    c.consume(c.received().size());  // nothing asked for it
    return;
  }
  read_response(*conn);
}

void HttpClient::read_response(Conn& conn) {
  TcpConnection& c = *conn.tcp;
  if (!conn.head_done) {
    if (c.received().empty()) return;
    wire::Bytes real = c.received().real_prefix();
    HttpHead head;
    HeadParse r = real.empty() ? HeadParse::Bad : parse_response_head(real, head);
    if (r == HeadParse::Incomplete && real.size() < c.received().size()) r = HeadParse::Bad;
    if (r == HeadParse::Incomplete) return;
    if (r == HeadParse::Bad) {
      finish(conn, HttpOutcome::Error);
      conn.last = true;
      c.abort();
      return;
    }
    c.consume(head.head_len);
    conn.bytes_received += head.head_len;
    conn.status = head.status;
    conn.body_left = head.content_length;
    conn.head_done = true;
    if (head.connection_close) conn.last = true;
  }
  std::uint64_t n = std::min(conn.body_left, c.received().size());
  c.consume(n);
  conn.body_left -= n;
  conn.bytes_received += n;
  if (conn.body_left > 0) return;
  finish(conn, conn.status == 200 ? HttpOutcome::Ok : HttpOutcome::Error);
  if (conn.last) {
    c.close();
  } else {
    make_idle(conn);
  }
}

void HttpClient::finish(Conn& conn, HttpOutcome outcome) {
  conn.busy = false;
  conn.timer.cancel(sim_);
  RequestRecord r;
  r.id = conn.request;
  r.start = conn.start;
  r.end = sim_.now();
  r.outcome = outcome;
  r.status = conn.status;
  r.bytes_sent = conn.bytes_sent;
  r.bytes_received = conn.bytes_received;
  r.connection = conn.tcp->id();
  r.local_port = conn.tcp->tuple().local.port;
  r.reused_connection = conn.requests > 1;
  counters_.bytes_received += r.bytes_received;
  switch (outcome) {
    case HttpOutcome::Ok:
      ++counters_.ok;
      break;
    case HttpOutcome::Reset:
      ++counters_.reset;
      break;
    case HttpOutcome::TimedOut:
      ++counters_.timed_out;
      break;
    case HttpOutcome::Refused:
      ++counters_.refused;
      break;
    case HttpOutcome::Error:
      ++counters_.error;
      break;
  }
  record(r);
}

void HttpClient::record(const RequestRecord& r) {
  if (cfg_.keep_records) records_.push_back(r);
  if (on_complete_) on_complete_(r);
}

void HttpClient::make_idle(Conn& conn) {
  idle_.push_back(ref(conn));
  arm(conn, cfg_.keepalive_idle);
}

void HttpClient::arm(Conn& conn, Time delay) {
  conn.timer.schedule_at(sim_, sim_.now() + delay, [this, r = ref(conn)] { on_conn_timer(r); });
}

void HttpClient::on_conn_timer(ConnRef ref) {
  Conn* conn = find(ref);
  if (!conn) return;
  conn->timer.fired();
  conn->last = true;
  if (conn->busy) {
    // The request timeout: give up on it and reset the connection (as a client closing a
    // socket with unread data does).
    finish(*conn, HttpOutcome::TimedOut);
    conn->tcp->abort();
  } else {
    conn->tcp->close();  // idle too long
  }
}

void HttpClient::on_peer_closed(TcpConnection& c) {
  Conn* conn = find(c);
  if (!conn) return;
  conn->last = true;
  // Data that came with the FIN was read first; a request still open now never gets its answer.
  if (conn->busy) finish(*conn, HttpOutcome::Error);
  c.close();
}

void HttpClient::on_closed(TcpConnection& c, TcpOutcome o) {
  Conn* conn = find(c);
  if (!conn) return;
  if (conn->busy) {
    HttpOutcome out = HttpOutcome::Error;
    if (o == TcpOutcome::Reset) out = conn->established ? HttpOutcome::Reset : HttpOutcome::Refused;
    if (o == TcpOutcome::TimedOut) out = HttpOutcome::TimedOut;
    finish(*conn, out);
  }
  conn->timer.cancel(sim_);
  conns_.erase(c.observer_slot);
}

}  // namespace nlb::apps
