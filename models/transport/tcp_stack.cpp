#include "models/transport/tcp_stack.hpp"

#include <algorithm>
#include <cassert>
#include <functional>

namespace nlb::transport {

using sim::Time;

class TcpStack::Sink final : public TcpSegmentSink {
 public:
  Sink(TcpStack& stack, FourTuple tuple) : stack_(stack), tuple_(tuple) {}
  void emit(const TcpSegment& seg) override {
    ++stack_.counters_.segments_out;
    stack_.io_->send_segment(tuple_.local.addr, tuple_.remote.addr, seg);
  }

 private:
  TcpStack& stack_;
  FourTuple tuple_;
};

TcpStack::TcpStack(const TcpConfig& cfg, sim::RngStream& isn, TcpIo& io)
    : TcpConnectionOwner(cfg, &buffers_),
      isn_secret_(isn.next_u64()),
      io_(&io),
      next_port_(cfg.ephemeral_first) {}

SeqNum TcpStack::initial_seq(Time now, const FourTuple& t) const {
  // RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond clock. F keeps connections of
  // different 4-tuples apart; M makes a reused 4-tuple start above its TIME-WAIT predecessor,
  // so the new SYN is accepted (RFC 6191). F is splitmix64 over the tuple and the secret.
  std::uint64_t x = isn_secret_ ^ (std::uint64_t{t.local.addr.value()} << 32 | t.remote.addr.value());
  x ^= std::uint64_t{t.local.port} << 16 | t.remote.port;
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return SeqNum(static_cast<std::uint32_t>(x) + static_cast<std::uint32_t>(now.nanos() / 4000));
}

TcpStack::~TcpStack() = default;

bool TcpStack::listen(Endpoint local, TcpListener& listener) {
  return listeners_.emplace(local, &listener).second;
}

void TcpStack::unlisten(Endpoint local) {
  auto it = listeners_.find(local);
  if (it == listeners_.end()) return;
  for (std::uint32_t s = 0; s < conns_.end(); ++s) {
    if (conns_.live(s) && awaits_accept(conns_[s]) && find_listener(conns_[s].tuple().local) == it->second)
      conns_[s].listener_gone = true;
  }
  listeners_.erase(it);
}

TcpListener* TcpStack::find_listener(Endpoint local) const {
  if (auto it = listeners_.find(local); it != listeners_.end()) return it->second;
  if (auto it = listeners_.find(Endpoint{wire::Ipv4::any(), local.port}); it != listeners_.end())
    return it->second;
  return nullptr;
}

std::uint16_t TcpStack::ephemeral_port(Endpoint local, Endpoint remote) {
  // Sequential, as Linux without randomisation: deterministic and collision-free.
  std::uint32_t range = std::uint32_t{config().ephemeral_last} - config().ephemeral_first + 1;
  for (std::uint32_t i = 0; i < range; ++i) {
    std::uint16_t port = next_port_;
    next_port_ =
        port == config().ephemeral_last ? config().ephemeral_first : static_cast<std::uint16_t>(port + 1);
    if (lookup(FourTuple{{local.addr, port}, remote}) == TupleIndex::kNone) return port;
  }
  return 0;
}

TcpConnection* TcpStack::connect(Time now, Endpoint local, Endpoint remote, TcpObserver& observer) {
  if (local.addr.is_unspecified()) local.addr = io_->source_for(remote.addr);
  if (local.addr.is_unspecified()) return nullptr;
  if (local.port == 0) local.port = ephemeral_port(local, remote);
  FourTuple tuple{local, remote};
  if (local.port == 0 || lookup(tuple) != TupleIndex::kNone) return nullptr;
  TcpConnection& c = add(TcpConnection::active(*this, next_id_++, tuple, initial_seq(now, tuple)));
  c.observer = &observer;
  ++counters_.active_opens;
  touch(c);
  return &c;
}

TcpConnection& TcpStack::add(TcpConnection conn) {
  const std::uint32_t slot = conns_.emplace(std::move(conn));
  if (slot == gens_.size()) gens_.push_back(0);
  TcpConnection& c = conns_[slot];
  c.slot = slot;
  by_tuple_.insert(c.tuple(), slot);
  return c;
}

void TcpStack::remove(std::uint32_t slot) {
  if (!conns_.live(slot)) return;
  by_tuple_.erase(conns_[slot].tuple(), slot);
  conns_.erase(slot);
  ++gens_[slot];
}

const TcpConnection* TcpStack::find(const FourTuple& tuple) const {
  const std::uint32_t slot = lookup(tuple);
  return slot == TupleIndex::kNone ? nullptr : &conns_[slot];
}

void TcpStack::touch(TcpConnection& conn) {
  if (conn.dirty) return;
  conn.dirty = true;
  dirty_.push_back(conn.slot);
  if (!in_flush_) io_->wake();
}

void TcpStack::on_segment(Time now, wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) {
  ++counters_.segments_in;
  FourTuple key{{dst, seg.dst_port}, {src, seg.src_port}};
  if (const std::uint32_t slot = lookup(key); slot != TupleIndex::kNone) {
    TcpConnection& c = conns_[slot];
    // RFC 9293 3.10.7.4 / RFC 6191: a new SYN above the old sequence space reuses a 4-tuple
    // still in TIME-WAIT (clients cycle through ephemeral ports faster than 2 MSL).
    bool reuse = c.state() == TcpState::TimeWait && seg.syn() && !seg.is_ack() && seg.seq > c.rcv_nxt() &&
                 find_listener(key.local) != nullptr;
    if (!reuse) {
      c.on_segment(now, seg);
      touch(c);
      flush(now);
      return;
    }
    remove(slot);
  }
  if (seg.rst()) return;  // RFC 9293 3.10.7.1: a RST for no connection is dropped
  TcpListener* listener = find_listener(key.local);
  if (listener && seg.syn() && !seg.is_ack()) {
    TcpConnection& c = add(TcpConnection::passive(*this, next_id_++, key, initial_seq(now, key), seg));
    ++counters_.passive_opens;
    touch(c);
    flush(now);
    return;
  }
  if (listener && !seg.is_ack()) return;  // RFC 9293 3.10.7.2: LISTEN drops the rest
  send_reset_for(now, src, dst, seg);
}

void TcpStack::send_reset_for(Time now, wire::Ipv4 src, wire::Ipv4 dst, const TcpSegment& seg) {
  // RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST> if the segment had an ACK, else
  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
  TcpSegment rst;
  rst.src_port = seg.dst_port;
  rst.dst_port = seg.src_port;
  if (seg.is_ack()) {
    rst.seq = seg.ack;
    rst.flags = tcp_flag::rst;
  } else {
    rst.seq = SeqNum(0);
    rst.ack = seg.seq + seg.seq_len();
    rst.flags = tcp_flag::rst | tcp_flag::ack;
  }
  ++counters_.resets_sent_unknown;
  ++counters_.segments_out;
  io_->send_segment(dst, src, rst);
  if (trace_ && trace_->wants<TcpResetUnknownEvent>()) {
    trace_->publish(TcpResetUnknownEvent{now, node_, FourTuple{{dst, seg.dst_port}, {src, seg.src_port}}});
  }
}

void TcpStack::poll(Time now) {
  // Run the timers that are due. An entry is stale if its slot was reused (generation) or the
  // connection already ran its timers; on_timer() itself ignores deadlines not yet reached.
  while (!heap_.empty() && heap_.front().at <= now) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    TimerEntry e = heap_.back();
    heap_.pop_back();
    if (!conns_.live(e.slot) || gens_[e.slot] != e.gen) continue;
    TcpConnection& c = conns_[e.slot];
    if (c.heap_at == e.at) c.heap_at = Time::max();
    c.on_timer(now);
    touch(c);
  }
  flush(now);
}

void TcpStack::schedule(TcpConnection& c) {
  // Push an entry only when the deadline moved earlier: a later deadline is found when the
  // earlier entry fires, so a connection restarting its RTO on every ACK costs no heap work.
  Time at = c.poll_at();
  if (at == Time::max() || at >= c.heap_at) return;
  c.heap_at = at;
  heap_.push_back({at, c.slot, gens_[c.slot]});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
}

void TcpStack::flush(Time now) {
  // Observers may open, write to or close connections while we go: index the growing list
  // and remove dead connections only at the end, so no pointer dangles meanwhile.
  in_flush_ = true;
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    std::uint32_t slot = dirty_[i];
    if (!conns_.live(slot)) continue;
    TcpConnection* c = &conns_[slot];
    if (!c->dirty) continue;
    c->dirty = false;
    if (!c->announced) {
      c->announced = true;
      if (trace_ && trace_->wants<TcpOpenedEvent>()) {
        trace_->publish(TcpOpenedEvent{now, node_, c->id(), c->tuple(), c->passive_open()});
      }
    }
    note_state(now, *c);  // before the events, so a change is reported before its close
    deliver_events(now, *c);
    Sink sink(*this, c->tuple());
    c->dispatch(now, sink);
    deliver_events(now, *c);
    note_state(now, *c);
    if (c->finished()) {
      dead_.push_back(slot);
    } else {
      schedule(*c);
    }
  }
  dirty_.clear();
  for (std::uint32_t slot : dead_) {
    if (conns_.live(slot) && conns_[slot].finished() && !conns_[slot].dirty) remove(slot);
  }
  dead_.clear();
  in_flush_ = false;
}

void TcpStack::note_state(Time now, TcpConnection& c) {
  if (c.state() == c.reported_state) return;
  if (trace_ && trace_->wants<TcpStateEvent>()) {
    trace_->publish(TcpStateEvent{now, node_, c.id(), c.tuple(), c.reported_state, c.state()});
  }
  c.reported_state = c.state();
}

void TcpStack::deliver_events(Time now, TcpConnection& c) {
  // A callback may cause new events (an abort inside on_readable): loop until quiet.
  while (std::uint8_t ev = c.take_events()) {
    if (ev & TcpConnection::kConnected) {
      if (awaits_accept(c)) {
        TcpListener* listener = c.listener_gone ? nullptr : find_listener(c.tuple().local);
        TcpObserver* obs = listener ? listener->on_accept(c) : nullptr;
        if (!obs) {
          c.abort();
          continue;
        }
        c.observer = obs;
      }
      if (c.observer) c.observer->on_connected(c);
    }
    if ((ev & TcpConnection::kReadable) && c.observer) c.observer->on_readable(c);
    if ((ev & TcpConnection::kWritable) && c.observer) c.observer->on_writable(c);
    if ((ev & TcpConnection::kPeerClosed) && c.observer) c.observer->on_peer_closed(c);
    if (ev & TcpConnection::kTerminated) {
      switch (c.outcome()) {
        case TcpOutcome::Completed:
          ++counters_.completed;
          break;
        case TcpOutcome::Reset:
          ++counters_.reset;
          break;
        case TcpOutcome::TimedOut:
          ++counters_.timed_out;
          break;
        case TcpOutcome::Open:
          assert(false && "terminated connection without an outcome");
          break;
      }
      if (trace_ && trace_->wants<TcpClosedEvent>()) {
        trace_->publish(TcpClosedEvent{now, node_, c.id(), c.tuple(), c.outcome(), c.passive_open(),
                                       c.was_established(), c.reset_by_peer(), c.counters()});
      }
      if (TcpObserver* obs = std::exchange(c.observer, nullptr)) obs->on_closed(c, c.outcome());
    }
  }
}

void TcpStack::crash(Time now) {
  for (std::uint32_t s = 0; s < conns_.end(); ++s) {
    if (!conns_.live(s)) continue;
    conns_[s].forget();
    touch(conns_[s]);
  }
  // Nothing may leave a crashed host: deliver the events, send nothing.
  in_flush_ = true;
  for (std::size_t i = 0; i < dirty_.size(); ++i) {
    if (!conns_.live(dirty_[i])) continue;
    TcpConnection& c = conns_[dirty_[i]];
    c.dirty = false;
    note_state(now, c);
    deliver_events(now, c);
  }
  dirty_.clear();
  for (std::uint32_t slot = 0; slot < conns_.end(); ++slot) remove(slot);
  heap_.clear();
  in_flush_ = false;
}

}  // namespace nlb::transport
