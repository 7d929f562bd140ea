#include "models/transport/tcp_connection.hpp"

#include <algorithm>
#include <cassert>

namespace nlb::transport {

using sim::Time;

std::string_view to_string(TcpState s) {
  switch (s) {
    case TcpState::Closed:
      return "CLOSED";
    case TcpState::SynSent:
      return "SYN-SENT";
    case TcpState::SynReceived:
      return "SYN-RECEIVED";
    case TcpState::Established:
      return "ESTABLISHED";
    case TcpState::FinWait1:
      return "FIN-WAIT-1";
    case TcpState::FinWait2:
      return "FIN-WAIT-2";
    case TcpState::CloseWait:
      return "CLOSE-WAIT";
    case TcpState::Closing:
      return "CLOSING";
    case TcpState::LastAck:
      return "LAST-ACK";
    case TcpState::TimeWait:
      return "TIME-WAIT";
  }
  return "?";
}

std::string_view to_string(TcpOutcome o) {
  switch (o) {
    case TcpOutcome::Open:
      return "open";
    case TcpOutcome::Completed:
      return "completed";
    case TcpOutcome::Reset:
      return "reset";
    case TcpOutcome::TimedOut:
      return "timed-out";
  }
  return "?";
}

namespace {
constexpr std::uint32_t kMaxCwnd = 1u << 30;
}

// Two of these per held connection in the scale run (docs/performance.md): a field added here
// costs 2 MiB per million connections, so let it be a decision.
static_assert(sizeof(void*) != 8 || sizeof(TcpConnection) <= 264, "TcpConnection grew");
static_assert(TcpConnection::kTerminated < (1 << 5), "the event mask is a 5-bit field");

TcpConnection::TcpConnection(TcpConnectionOwner& owner, std::uint64_t id, FourTuple tuple, SeqNum iss)
    : owner_(&owner),
      id_(id),
      rto_(owner.config().rto_initial),
      local_addr_(tuple.local.addr),
      remote_addr_(tuple.remote.addr),
      iss_(iss),
      snd_una_(iss),
      snd_nxt_(iss),
      snd_max_(iss),
      snd_buf_seq_(iss + 1),
      recover_(iss),
      local_port_(tuple.local.port),
      remote_port_(tuple.remote.port),
      eff_mss_(owner.config().mss) {
  cwnd_ = cfg().congestion_control ? cfg().initial_window_segments * eff_mss_ : kMaxCwnd;
}

TcpConnection::~TcpConnection() {
  StreamBuffer::Pool* p = pool();
  snd_buf_.clear(p);
  rcv_buf_.clear(p);
}

TcpConnection TcpConnection::active(TcpConnectionOwner& owner, std::uint64_t id, FourTuple tuple,
                                    SeqNum iss) {
  TcpConnection c(owner, id, tuple, iss);
  c.state_ = TcpState::SynSent;
  return c;
}

TcpConnection TcpConnection::passive(TcpConnectionOwner& owner, std::uint64_t id, FourTuple tuple, SeqNum iss,
                                     const TcpSegment& syn) {
  TcpConnection c(owner, id, tuple, iss);
  const TcpConfig& cfg = owner.config();
  c.state_ = TcpState::SynReceived;
  c.passive_ = true;
  c.irs_ = syn.seq;
  c.rcv_nxt_ = syn.seq + 1;
  c.eff_mss_ = std::min(cfg.mss, syn.mss.value_or(cfg.default_peer_mss));
  c.snd_wnd_ = syn.window;  // RFC 7323 2.2: a SYN's window is never scaled
  c.snd_wl1_ = syn.seq;
  c.snd_wl2_ = iss;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Inbound segments (RFC 9293 3.10.7)

void TcpConnection::on_segment(Time now, const TcpSegment& seg) {
  ++counters_.segments_received;
  switch (state_) {
    case TcpState::Closed:
      return;
    case TcpState::SynSent:
      on_segment_syn_sent(now, seg);
      return;
    case TcpState::TimeWait:
      // RFC 9293 3.10.7.4: a retransmitted FIN is acknowledged and restarts the 2 MSL wait.
      if (seg.rst()) {
        state_ = TcpState::Closed;
      } else if (seg.fin()) {
        ack_needed_ = true;
        close_deadline_ = now + cfg().time_wait;
      } else if (seg.syn()) {
        // A SYN the stack did not take as a new incarnation (RFC 6191): answer with our ACK,
        // which the peer's SYN-SENT answers with a RST that ends TIME-WAIT (as Linux does).
        ack_needed_ = true;
      }
      return;
    default:
      break;
  }
  // Our SYN-ACK was lost and the peer repeats its SYN: answer with the SYN-ACK again.
  if (state_ == TcpState::SynReceived && seg.syn() && !seg.is_ack() && seg.seq == irs_) {
    snd_nxt_ = iss_;
    return;
  }
  // First: the sequence number must fall in the receive window.
  if (!acceptable(seg)) {
    if (seg.rst()) return;
    // RFC 9293 3.10.7.4: with a zero window, valid ACKs are still processed.
    if (rcv_wnd() == 0 && seg.seq == rcv_nxt_ && seg.is_ack() && !seg.syn()) on_ack(now, seg);
    if (state_ != TcpState::Closed) ack_needed_ = true;
    return;
  }
  if (seg.rst()) {
    on_rst(seg);
    return;
  }
  // RFC 5961 4.2: a SYN on a synchronized connection gets a challenge ACK, never a reset.
  if (seg.syn()) {
    ack_needed_ = true;
    return;
  }
  if (!seg.is_ack()) return;
  if (!on_ack(now, seg)) return;
  on_text(now, seg);
}

void TcpConnection::on_segment_syn_sent(Time now, const TcpSegment& seg) {
  // RFC 9293 3.10.7.3.
  bool ack_ok = false;
  if (seg.is_ack()) {
    if (seg.ack <= iss_ || seg.ack > snd_max_) {
      if (!seg.rst()) queue_rst(seg.ack, std::nullopt);
      return;
    }
    ack_ok = true;
  }
  if (seg.rst()) {
    if (ack_ok) {  // "connection refused"
      reset_by_peer_ = true;
      terminate(TcpOutcome::Reset);
    }
    return;
  }
  if (!seg.syn()) return;
  irs_ = seg.seq;
  rcv_nxt_ = seg.seq + 1;
  eff_mss_ = std::min(cfg().mss, seg.mss.value_or(cfg().default_peer_mss));
  snd_wnd_ = seg.window;
  snd_wl1_ = seg.seq;
  snd_wl2_ = seg.ack;
  ack_needed_ = true;
  if (ack_ok) {
    on_new_ack(now, seg.ack);
    enter_established(now);
  } else {
    // Simultaneous open: answer SYN-ACK from SYN-RECEIVED.
    state_ = TcpState::SynReceived;
    snd_nxt_ = iss_;
  }
}

bool TcpConnection::acceptable(const TcpSegment& seg) const {
  // RFC 9293 3.10.7.4, the four cases of the acceptability test.
  std::uint32_t wnd = rcv_wnd();
  std::uint32_t len = seg.seq_len();
  auto in_window = [&](SeqNum s) { return rcv_nxt_ <= s && s < rcv_nxt_ + wnd; };
  if (len == 0) return wnd == 0 ? seg.seq == rcv_nxt_ : in_window(seg.seq);
  if (wnd == 0) return false;
  return in_window(seg.seq) || in_window(seg.seq + (len - 1));
}

void TcpConnection::on_rst(const TcpSegment& seg) {
  // RFC 5961 3.2: only a RST at exactly RCV.NXT resets; any other in-window RST gets a
  // challenge ACK, so that a blind attacker (or a stale segment) cannot reset the connection.
  if (seg.seq != rcv_nxt_) {
    ack_needed_ = true;
    return;
  }
  reset_by_peer_ = true;
  terminate(TcpOutcome::Reset);
}

bool TcpConnection::on_ack(Time now, const TcpSegment& seg) {
  SeqNum ack = seg.ack;
  if (state_ == TcpState::SynReceived) {
    if (!(snd_una_ < ack && ack <= snd_max_)) {
      queue_rst(ack, std::nullopt);
      return false;
    }
    on_new_ack(now, ack);
    enter_established(now);
  } else if (ack > snd_max_) {
    ack_needed_ = true;  // acknowledges something not yet sent
    return false;
  } else if (ack > snd_una_) {
    on_new_ack(now, ack);
  } else if (ack == snd_una_ && seg.payload.empty() && !seg.syn() && !seg.fin() && seg.window == snd_wnd_ &&
             snd_una_ != snd_max_) {
    on_dup_ack();  // RFC 5681 2: the five conditions of a duplicate ACK
  }
  probes_out_ = 0;  // the peer is alive
  // RFC 9293 3.10.7.4: update the send window unless the segment is older than the last update.
  if (snd_wl1_ < seg.seq || (snd_wl1_ == seg.seq && snd_wl2_ <= ack)) {
    bool opened = snd_wnd_ == 0 && seg.window > 0;
    snd_wnd_ = seg.window;
    snd_wl1_ = seg.seq;
    snd_wl2_ = ack;
    if (opened) persist_deadline_ = Time::max();
  }
  if (fin_acked()) {
    switch (state_) {
      case TcpState::FinWait1:
        state_ = TcpState::FinWait2;
        close_deadline_ = now + cfg().fin_wait2_timeout;
        break;
      case TcpState::Closing:
        enter_time_wait(now);
        return false;
      case TcpState::LastAck:
        terminate(TcpOutcome::Completed);
        return false;
      default:
        break;
    }
  }
  return true;
}

void TcpConnection::on_new_ack(Time now, SeqNum ack) {
  std::uint32_t acked = distance(snd_una_, ack);
  if (ack > snd_buf_seq_) {
    std::uint64_t n = std::min<std::uint64_t>(distance(snd_buf_seq_, ack), snd_buf_.size());
    if (n > 0) {
      snd_buf_.consume(n, pool());
      snd_buf_seq_ += static_cast<std::uint32_t>(n);
      counters_.bytes_acked += n;
      events_ |= kWritable;
    }
  }
  snd_una_ = ack;
  if (snd_nxt_ < snd_una_) snd_nxt_ = snd_una_;
  retries_ = 0;
  if (timing_ && ack > timed_seq_) {
    rtt_sample(now - timed_at_);
    timing_ = false;
  }
  if (in_recovery_) {
    if (ack > recover_) {
      // RFC 6582 3.2 step 3: full acknowledgment ends fast recovery.
      in_recovery_ = false;
      if (cfg().congestion_control)
        cwnd_ = std::min(ssthresh_, std::max(flight_size(), std::uint32_t{eff_mss_}) + eff_mss_);
    } else {
      // RFC 6582 3.2 step 4: a partial ACK retransmits the next hole and deflates cwnd.
      retransmit_head_ = true;
      if (cfg().congestion_control) {
        cwnd_ = cwnd_ > acked ? cwnd_ - acked : 0;
        if (acked >= eff_mss_) cwnd_ += eff_mss_;
      }
    }
  } else if (cfg().congestion_control && state_ != TcpState::SynSent && state_ != TcpState::SynReceived) {
    // RFC 5681 3.1: slow start below ssthresh, congestion avoidance above.
    if (cwnd_ < ssthresh_) {
      cwnd_ += std::min<std::uint32_t>(acked, eff_mss_);
    } else {
      cwnd_ +=
          std::max<std::uint32_t>(1, std::uint32_t{eff_mss_} * eff_mss_ / std::max<std::uint32_t>(cwnd_, 1));
    }
    cwnd_ = std::min(cwnd_, kMaxCwnd);
  }
  dupacks_ = 0;
  // RFC 6298 5.2 / 5.3: stop the timer when all is acknowledged, else restart it.
  rto_deadline_ = snd_una_ == snd_max_ ? Time::max() : now + rto_;
}

void TcpConnection::on_dup_ack() {
  ++counters_.dup_acks;
  if (dupacks_ < UINT16_MAX) ++dupacks_;
  if (dupacks_ == cfg().dupack_threshold && !in_recovery_ && snd_una_ > recover_) {
    // RFC 5681 3.2 steps 2-3, RFC 6582 3.2 step 2.
    ssthresh_ = std::max(flight_size() / 2, 2u * eff_mss_);
    recover_ = snd_max_ - 1;
    in_recovery_ = true;
    retransmit_head_ = true;
    ++counters_.fast_retransmits;
    timing_ = false;
    if (cfg().congestion_control) cwnd_ = ssthresh_ + 3u * eff_mss_;
  } else if (in_recovery_ && cfg().congestion_control) {
    cwnd_ = std::min(cwnd_ + eff_mss_, kMaxCwnd);  // RFC 5681 3.2 step 4: inflate
  }
}

void TcpConnection::on_text(Time now, const TcpSegment& seg) {
  if (state_ != TcpState::Established && state_ != TcpState::FinWait1 && state_ != TcpState::FinWait2) return;
  Payload p = seg.payload;
  SeqNum seq = seg.seq;
  bool fin = seg.fin();
  // Trim what we already have.
  if (seq < rcv_nxt_) {
    std::uint32_t old = distance(seq, rcv_nxt_);
    if (old > p.size() || (old == p.size() && !fin)) {
      if (seg.seq_len() > 0) ack_needed_ = true;  // a duplicate: tell the peer where we are
      return;
    }
    p = p.drop_front(old);
    seq = rcv_nxt_;
  }
  // Trim what lies beyond the window (and a FIN after it).
  SeqNum right = rcv_nxt_ + rcv_wnd();
  if (seq + static_cast<std::uint32_t>(p.size()) > right) {
    p = p.prefix(distance(seq, right));
    fin = false;
  }
  if (p.empty() && !fin) return;
  ack_needed_ = true;
  if (seq != rcv_nxt_) {
    // RFC 5681 4.2: an out-of-order segment is acknowledged at once (a duplicate ACK).
    ooo_.insert(seq, p, fin);
    ++counters_.out_of_order;
    return;
  }
  SeqNum before = rcv_nxt_;
  rcv_buf_.append(p, pool());
  rcv_nxt_ += static_cast<std::uint32_t>(p.size());
  bool held_fin = ooo_.pop_ready(rcv_nxt_, rcv_buf_, pool());
  std::uint32_t delivered = distance(before, rcv_nxt_);
  counters_.bytes_received += delivered;
  if (delivered > 0) events_ |= kReadable;
  if (fin || held_fin) on_fin(now);
}

void TcpConnection::on_fin(Time now) {
  rcv_nxt_ += 1;
  fin_received_ = true;
  ack_needed_ = true;
  events_ |= kPeerClosed;
  switch (state_) {
    case TcpState::Established:
      state_ = TcpState::CloseWait;
      break;
    case TcpState::FinWait1:
      if (fin_acked()) {
        enter_time_wait(now);
      } else {
        state_ = TcpState::Closing;
      }
      break;
    case TcpState::FinWait2:
      enter_time_wait(now);
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// State changes

void TcpConnection::enter_established(Time /*now*/) {
  state_ = fin_queued_ ? TcpState::FinWait1 : TcpState::Established;
  established_once_ = true;
  events_ |= kConnected;
  if (cfg().congestion_control) cwnd_ = cfg().initial_window_segments * eff_mss_;
  // RFC 6298 5.7: a lost SYN (no RTT sample, by Karn's rule) starts data transfer at 3 s.
  if (syn_retransmitted_ && !have_rtt_) rto_ = std::max(rto_, cfg().rto_after_syn_loss);
}

void TcpConnection::enter_time_wait(Time now) {
  state_ = TcpState::TimeWait;
  rto_deadline_ = persist_deadline_ = Time::max();
  close_deadline_ = now + cfg().time_wait;
  if (outcome_ == TcpOutcome::Open) {
    outcome_ = TcpOutcome::Completed;
    events_ |= kTerminated;
  }
}

void TcpConnection::terminate(TcpOutcome outcome) {
  state_ = TcpState::Closed;
  rto_deadline_ = persist_deadline_ = close_deadline_ = Time::max();
  ack_needed_ = false;
  if (outcome_ == TcpOutcome::Open) {
    outcome_ = outcome;
    events_ |= kTerminated;
  }
}

void TcpConnection::queue_rst(SeqNum seq, std::optional<SeqNum> ack) {
  rst_pending_ = true;
  rst_seq_ = seq;
  rst_has_ack_ = ack.has_value();
  rst_ack_ = ack.value_or(SeqNum{});
}

void TcpConnection::forget() {
  rst_pending_ = false;
  terminate(TcpOutcome::Reset);
}

// ---------------------------------------------------------------------------------------------
// Timers (RFC 6298)

Time TcpConnection::poll_at() const { return std::min({rto_deadline_, persist_deadline_, close_deadline_}); }

void TcpConnection::on_timer(Time now) {
  if (now >= close_deadline_) {
    close_deadline_ = Time::max();
    if (state_ == TcpState::TimeWait) state_ = TcpState::Closed;
    if (state_ == TcpState::FinWait2) terminate(TcpOutcome::TimedOut);
  }
  if (now >= rto_deadline_) on_rto(now);
  if (now >= persist_deadline_) {
    persist_deadline_ = Time::max();
    if (probes_out_ >= cfg().retries) {
      terminate(TcpOutcome::TimedOut);
    } else {
      ++probes_out_;
      probe_pending_ = true;
    }
  }
}

int TcpConnection::retry_limit() const {
  switch (state_) {
    case TcpState::SynSent:
      return cfg().syn_retries;
    case TcpState::SynReceived:
      return cfg().synack_retries;
    default:
      return cfg().retries;
  }
}

void TcpConnection::on_rto(Time now) {
  (void)now;
  rto_deadline_ = Time::max();
  ++counters_.timeouts;
  if (retries_ >= retry_limit()) {
    terminate(TcpOutcome::TimedOut);
    return;
  }
  ++retries_;
  rto_ = std::min(rto_ * 2, cfg().rto_max);  // RFC 6298 5.5: back off the timer
  timing_ = false;                           // Karn: no sample from what is retransmitted
  if (state_ == TcpState::SynSent || state_ == TcpState::SynReceived) {
    syn_retransmitted_ = true;
    snd_nxt_ = iss_;
    return;
  }
  // RFC 5681 3.1 (4): ssthresh = max(FlightSize / 2, 2 SMSS), cwnd = 1 SMSS (loss window).
  ssthresh_ = std::max(flight_size() / 2, 2u * eff_mss_);
  if (cfg().congestion_control) cwnd_ = eff_mss_;
  in_recovery_ = false;
  retransmit_head_ = false;
  dupacks_ = 0;
  recover_ = snd_max_ - 1;  // RFC 6582 4
  // RFC 6298 5.4: retransmit the earliest unacknowledged segment; go back to it (go-back-N).
  snd_nxt_ = snd_una_;
}

void TcpConnection::rtt_sample(Time r) {
  // RFC 6298 2.2 / 2.3.
  if (!have_rtt_) {
    srtt_ = r;
    rttvar_ = r / 2;
    have_rtt_ = true;
  } else {
    Time delta = srtt_ > r ? srtt_ - r : r - srtt_;
    rttvar_ = (rttvar_ * 3 + delta) / 4;
    srtt_ = (srtt_ * 7 + r) / 8;
  }
  rto_ = srtt_ + std::max(cfg().clock_granularity, rttvar_ * 4);
  rto_ = std::clamp(rto_, cfg().rto_min, cfg().rto_max);
}

// ---------------------------------------------------------------------------------------------
// Outbound segments

bool TcpConnection::can_send_data() const {
  switch (state_) {
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::CloseWait:
    case TcpState::Closing:
    case TcpState::LastAck:
      return true;
    default:
      return false;
  }
}

std::uint32_t TcpConnection::rcv_wnd() const {
  std::uint64_t used = rcv_buf_.size();
  return used >= cfg().recv_buffer ? 0 : static_cast<std::uint32_t>(cfg().recv_buffer - used);
}

std::uint16_t TcpConnection::window_to_advertise() const {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(rcv_wnd(), 65535));
}

TcpSegment TcpConnection::bare(SeqNum seq) const {
  TcpSegment s;
  s.src_port = local_port_;
  s.dst_port = remote_port_;
  s.seq = seq;
  s.ack = rcv_nxt_;
  s.flags = tcp_flag::ack;
  s.window = window_to_advertise();
  return s;
}

TcpSegment TcpConnection::build(SeqNum seq, std::uint64_t max_len) const {
  TcpSegment s = bare(seq);
  if (seq == iss_ && (state_ == TcpState::SynSent || state_ == TcpState::SynReceived)) {
    s.flags = state_ == TcpState::SynSent ? tcp_flag::syn : tcp_flag::syn | tcp_flag::ack;
    if (state_ == TcpState::SynSent) s.ack = SeqNum(0);
    s.mss = cfg().mss;
    return s;
  }
  std::uint64_t offset = distance(snd_buf_seq_, seq);
  if (offset < snd_buf_.size()) s.payload = snd_buf_.slice(offset, max_len);
  std::uint64_t end = offset + s.payload.size();
  if (!s.payload.empty() && end == snd_buf_.size()) s.flags |= tcp_flag::psh;
  if (fin_queued_ && end == snd_buf_.size()) s.flags |= tcp_flag::fin;
  return s;
}

void TcpConnection::emit(Time now, const TcpSegment& seg, TcpSegmentSink& out) {
  note_sent(now, seg);
  adv_wnd_ = seg.window;
  out.emit(seg);
}

void TcpConnection::note_sent(Time now, const TcpSegment& seg) {
  ++counters_.segments_sent;
  counters_.bytes_sent += seg.payload.size();
  std::uint32_t len = seg.seq_len();
  if (len == 0) return;
  SeqNum end = seg.seq + len;
  if (seg.seq < snd_max_) {
    ++counters_.retransmissions;
    timing_ = false;  // Karn's rule
  } else if (!timing_) {
    timing_ = true;
    timed_seq_ = seg.seq;
    timed_at_ = now;
  }
  if (end > snd_max_) snd_max_ = end;
  if (seg.seq <= snd_nxt_ && end > snd_nxt_) snd_nxt_ = end;
  if (rto_deadline_ == Time::max()) rto_deadline_ = now + rto_;  // RFC 6298 5.1
}

void TcpConnection::arm_persist(Time now) {
  // RFC 9293 3.8.6.1: with a zero window and data waiting, probe the window so that a lost
  // window update cannot deadlock the connection. Probes back off like the RTO.
  bool waiting = distance(snd_buf_seq_, snd_nxt_) < snd_buf_.size() || (fin_queued_ && !fin_sent());
  if (!can_send_data() || snd_wnd_ != 0 || snd_una_ != snd_max_ || !waiting) {
    persist_deadline_ = Time::max();
    return;
  }
  if (persist_deadline_ != Time::max()) return;
  Time wait = rto_;
  for (int i = 0; i < probes_out_ && wait < cfg().rto_max; ++i) wait = wait * 2;
  persist_deadline_ = now + std::min(wait, cfg().rto_max);
}

void TcpConnection::dispatch(Time now, TcpSegmentSink& out) {
  if (rst_pending_) {
    TcpSegment rst;
    rst.src_port = local_port_;
    rst.dst_port = remote_port_;
    rst.seq = rst_seq_;
    rst.flags = tcp_flag::rst;
    if (rst_has_ack_) {
      rst.flags |= tcp_flag::ack;
      rst.ack = rst_ack_;
    }
    rst_pending_ = false;
    ++counters_.segments_sent;
    out.emit(rst);
    return;
  }
  bool sent = false;
  auto send = [&](const TcpSegment& seg) {
    emit(now, seg, out);
    sent = true;
  };
  // Our SYN or SYN-ACK, until it is acknowledged.
  if (snd_nxt_ == iss_ && (state_ == TcpState::SynSent || state_ == TcpState::SynReceived))
    send(build(iss_, 0));
  if (can_send_data()) {
    if (retransmit_head_) {
      retransmit_head_ = false;
      std::uint32_t outstanding = flight_size();
      if (outstanding > 0) send(build(snd_una_, std::min<std::uint32_t>(outstanding, eff_mss_)));
    }
    // New data, or go-back-N after a timeout, within min(cwnd, peer's window).
    for (;;) {
      std::uint64_t offset = distance(snd_buf_seq_, snd_nxt_);
      bool data_left = offset < snd_buf_.size();
      bool fin_left = fin_queued_ && snd_nxt_ == fin_seq();
      if (!data_left && !fin_left) break;
      std::uint32_t wnd = std::min(snd_wnd_, cwnd_);
      std::uint32_t in_flight = distance(snd_una_, snd_nxt_);
      std::uint64_t usable = wnd > in_flight ? wnd - in_flight : 0;
      if (data_left && usable == 0) break;
      TcpSegment seg = build(snd_nxt_, std::min<std::uint64_t>(usable, eff_mss_));
      if (seg.seq_len() == 0) break;
      send(seg);
    }
    if (probe_pending_) {
      // Linux's zero-window probe: an old sequence number, which the peer must acknowledge.
      probe_pending_ = false;
      send(bare(snd_una_ - 1));
    }
    arm_persist(now);
  }
  if (ack_needed_ && !sent && state_ != TcpState::SynSent && state_ != TcpState::Closed) {
    TcpSegment ack = bare(snd_nxt_);
    adv_wnd_ = ack.window;
    ++counters_.segments_sent;
    out.emit(ack);
  }
  ack_needed_ = false;
}

// ---------------------------------------------------------------------------------------------
// The application's side

std::uint64_t TcpConnection::send_space() const {
  return snd_buf_.size() >= cfg().send_buffer ? 0 : cfg().send_buffer - snd_buf_.size();
}

namespace {
bool accepts_data(TcpState s) {
  return s == TcpState::SynSent || s == TcpState::SynReceived || s == TcpState::Established ||
         s == TcpState::CloseWait;
}
}  // namespace

std::uint64_t TcpConnection::send(wire::Bytes data) {
  if (!accepts_data(state_) || fin_queued_) return 0;
  std::uint64_t n = std::min<std::uint64_t>(data.size(), send_space());
  snd_buf_.append_real(data.first(n), pool());
  if (n > 0) touch();
  return n;
}

std::uint64_t TcpConnection::send_virtual(std::uint64_t len) {
  if (!accepts_data(state_) || fin_queued_) return 0;
  std::uint64_t n = std::min(len, send_space());
  snd_buf_.append_virtual(n, pool());
  if (n > 0) touch();
  return n;
}

void TcpConnection::consume(std::uint64_t n) {
  rcv_buf_.consume(n, pool());
  // RFC 9293 3.8.6.2.2: tell the peer when the window has grown by min(buffer / 2, MSS).
  std::uint32_t grow = std::min<std::uint32_t>(cfg().recv_buffer / 2, eff_mss_);
  if (state_ != TcpState::Closed && window_to_advertise() >= adv_wnd_ + grow) {
    ack_needed_ = true;
    touch();
  }
}

void TcpConnection::close() {
  switch (state_) {
    // RFC 9293 3.10.4 queues the FIN of a close in SYN-RECEIVED until ESTABLISHED; we do the
    // same in SYN-SENT (connect, send, close without waiting). abort() abandons a connect.
    case TcpState::SynSent:
    case TcpState::SynReceived:
      fin_queued_ = true;
      break;
    case TcpState::Established:
      fin_queued_ = true;
      state_ = TcpState::FinWait1;
      break;
    case TcpState::CloseWait:
      fin_queued_ = true;
      state_ = TcpState::LastAck;
      break;
    default:
      return;
  }
  touch();
}

void TcpConnection::abort() {
  switch (state_) {
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::FinWait2:
    case TcpState::CloseWait:
      queue_rst(snd_nxt_, std::nullopt);
      break;  // RFC 9293 3.10.5
    case TcpState::Closed:
      return;
    default:
      break;
  }
  terminate(TcpOutcome::Reset);
  touch();
}

}  // namespace nlb::transport
