#include "models/apps/http_server.hpp"

#include <algorithm>
#include <functional>

#include "models/transport/payload.hpp"

namespace nlb::apps {

using sim::Time;
using transport::TcpConnection;

HttpServer::HttpServer(sim::Simulation& sim, transport::TcpStack& tcp, const HttpServerConfig& cfg,
                       sim::RngStream& service_rng)
    : sim_(sim), tcp_(tcp), cfg_(cfg), rng_(service_rng) {}

HttpServer::~HttpServer() {
  stop();
  for (Worker& w : workers_) w.timer.cancel(sim_);
  // The stack may outlive us: it must not call back into a destroyed server.
  for (std::uint32_t s = 0; s < conns_.end(); ++s) {
    if (conns_.live(s)) conns_[s].tcp->observer = nullptr;
  }
}

bool HttpServer::start() {
  if (!listening_) listening_ = tcp_.listen(cfg_.listen, *this);
  return listening_;
}

void HttpServer::stop() {
  if (listening_) tcp_.unlisten(cfg_.listen);
  listening_ = false;
}

void HttpServer::crash() {
  stop();
  counters_.requests_abandoned += queue_.size() + busy_;
  queue_.clear();
  idle_.clear();
  for (std::uint32_t i = 0; i < workers_.size(); ++i) {
    workers_[i].timer.cancel(sim_);
    workers_[i].busy = false;
    idle_.push_back(i);
  }
  std::make_heap(idle_.begin(), idle_.end(), std::greater<>{});
  busy_ = 0;
  // Aborted in the order of their ids (the order a map by id gave), so runs repeat exactly.
  std::vector<TcpConnection*> open;
  for (std::uint32_t s = 0; s < conns_.end(); ++s) {
    if (conns_.live(s)) open.push_back(conns_[s].tcp);
  }
  std::sort(open.begin(), open.end(),
            [](const TcpConnection* a, const TcpConnection* b) { return a->id() < b->id(); });
  for (TcpConnection* c : open) c->abort();
}

HttpServer::Conn* HttpServer::find(ConnRef ref) {
  return conns_.live(ref.slot) && conns_[ref.slot].tcp->id() == ref.id ? &conns_[ref.slot] : nullptr;
}

HttpServer::Conn* HttpServer::find(const TcpConnection& c) {
  const std::uint32_t s = c.observer_slot;
  return conns_.live(s) && conns_[s].tcp == &c ? &conns_[s] : nullptr;
}

transport::TcpObserver* HttpServer::on_accept(TcpConnection& c) {
  if (!listening_) return nullptr;
  c.observer_slot = conns_.emplace(Conn{&c});
  ++counters_.connections_accepted;
  return this;
}

void HttpServer::on_readable(TcpConnection& c) {
  if (Conn* conn = find(c)) read_requests(*conn);
}

void HttpServer::read_requests(Conn& conn) {
  TcpConnection& c = *conn.tcp;
  if (conn.phase == Phase::Head) {
    if (c.received().empty()) return;
    wire::Bytes real = c.received().real_prefix();
    HttpHead head;
    HeadParse r = real.empty() ? HeadParse::Bad : parse_request_head(real, head);
    // A head cut short by virtual bytes can never complete.
    if (r == HeadParse::Incomplete && real.size() < c.received().size()) r = HeadParse::Bad;
    if (r == HeadParse::Incomplete) return;
    if (r == HeadParse::Bad) {
      ++counters_.requests_bad;
      c.consume(c.received().size());
      respond(conn, 400, 0, true);
      return;
    }
    c.consume(head.head_len);
    counters_.bytes_received += head.head_len;
    ++counters_.requests_received;
    conn.left = head.content_length;
    conn.response_size = head.response_size.value_or(cfg_.response_size);
    conn.close_after = head.connection_close;
    conn.phase = Phase::Body;
  }
  if (conn.phase == Phase::Body) {
    std::uint64_t n = std::min(conn.left, c.received().size());
    c.consume(n);
    conn.left -= n;
    counters_.bytes_received += n;
    if (conn.left > 0) return;
    conn.phase = Phase::Waiting;
    enqueue(conn);
  }
  // Waiting or Responding: a pipelined request stays in the receive buffer until then.
}

void HttpServer::enqueue(Conn& conn) {
  if (cfg_.backlog_limit != 0 && busy_ == cfg_.workers && queue_.size() >= cfg_.backlog_limit) {
    ++counters_.requests_rejected;
    respond(conn, 503, 0, true);
    return;
  }
  queue_.push_back({{conn.tcp->observer_slot, conn.tcp->id()}, sim_.now()});
  start_next();
}

void HttpServer::start_next() {
  while (!queue_.empty() && busy_ < cfg_.workers) {
    Job job = queue_.pop_front();
    if (!find(job.conn)) {
      ++counters_.requests_abandoned;
      continue;
    }
    const std::uint32_t index = take_idle_worker();
    Worker& w = workers_[index];
    w.busy = true;
    w.conn_slot = job.conn.slot;
    w.conn_id = job.conn.id;
    ++busy_;
    Time service = cfg_.service.draw(rng_);
    counters_.queue_wait_sum += sim_.now() - job.arrived;
    counters_.service_sum += service;
    w.timer.schedule_at(sim_, sim_.now() + service, [this, index] { on_worker_done(index); });
  }
}

// The lowest-numbered idle worker, as a scan from the first would find (so runs repeat exactly),
// from a min-heap of idle indices; a worker is made the first time it is needed, so a server
// configured for 40,000 workers costs nothing until it is that busy (docs/performance.md).
std::uint32_t HttpServer::take_idle_worker() {
  if (idle_.empty()) {
    workers_.emplace_back();
    return static_cast<std::uint32_t>(workers_.size() - 1);
  }
  std::pop_heap(idle_.begin(), idle_.end(), std::greater<>{});
  const std::uint32_t index = idle_.back();
  idle_.pop_back();
  return index;
}

void HttpServer::on_worker_done(std::uint32_t index) {
  Worker& w = workers_[index];
  w.timer.fired();
  w.busy = false;
  idle_.push_back(index);
  std::push_heap(idle_.begin(), idle_.end(), std::greater<>{});
  --busy_;
  Conn* conn = find(w.conn());
  if (conn && conn->phase == Phase::Waiting) {
    ++counters_.requests_served;
    respond(*conn, 200, conn->response_size, conn->close_after || conn->peer_closed);
  } else {
    ++counters_.requests_abandoned;
  }
  start_next();
}

void HttpServer::respond(Conn& conn, int status, std::uint64_t body, bool close) {
  write_response_head(head_buf_, status, body, close);
  conn.tcp->send(transport::as_bytes(head_buf_));
  counters_.bytes_sent += head_buf_.size();
  conn.left = body;
  conn.close_after = close;
  conn.phase = Phase::Responding;
  write_body(conn);
}

void HttpServer::write_body(Conn& conn) {
  TcpConnection& c = *conn.tcp;
  std::uint64_t n = c.send_virtual(conn.left);
  conn.left -= n;
  counters_.bytes_sent += n;
  if (conn.left > 0) return;  // the rest when TCP frees space (on_writable)
  if (conn.close_after) {
    c.close();
    return;
  }
  conn.phase = Phase::Head;
  read_requests(conn);
  if (conn.phase == Phase::Head && conn.peer_closed && c.received().empty()) c.close();
}

void HttpServer::on_writable(TcpConnection& c) {
  Conn* conn = find(c);
  if (conn && conn->phase == Phase::Responding && conn->left > 0) write_body(*conn);
}

void HttpServer::on_peer_closed(TcpConnection& c) {
  Conn* conn = find(c);
  if (!conn) return;
  conn->peer_closed = true;
  // Idle, or in a request head or body that can no longer complete (what had arrived was
  // read before this event): nothing more will be asked.
  if (conn->phase == Phase::Head || conn->phase == Phase::Body) c.close();
}

void HttpServer::on_closed(TcpConnection& c, transport::TcpOutcome) {
  if (find(c)) conns_.erase(c.observer_slot);
}

}  // namespace nlb::apps
