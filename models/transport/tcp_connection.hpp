#pragma once
// One TCP connection (RFC 9293), sans-IO in smoltcp's style: it never sees a clock, a queue or a
// network. The stack hands it inbound segments with the time (`on_segment(now, seg)`), asks it
// for the segments it wants to send (`dispatch(now, out)`), and runs its timers when
// `poll_at()` has come (`on_timer(now)`). So every behaviour is a function of its inputs and
// can be tested with two connections and a hand-made queue.
//
// Followed: the state machine and segment processing of RFC 9293 3.10; RTO of RFC 6298 with
// Karn's rule; fast retransmit and Reno/NewReno congestion control (RFC 5681, RFC 6582); RST
// acceptance and challenge ACKs of RFC 5961. Simplified (docs/transport-and-apps.md): no window
// scaling, timestamps or SACK, no Nagle and no delayed ACK, no urgent data.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "models/transport/endpoint.hpp"
#include "models/transport/reassembly.hpp"
#include "models/transport/stream_buffer.hpp"
#include "models/transport/tcp_config.hpp"
#include "models/transport/tcp_segment.hpp"
#include "sim/time.hpp"

namespace nlb::transport {

enum class TcpState : std::uint8_t {
  Closed,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};
std::string_view to_string(TcpState s);

// How a connection ended. Every connection ends in exactly one of these (issue #7: "every TCP
// connection ends completed, reset or timed out (none vanish)").
enum class TcpOutcome : std::uint8_t {
  Open,       // not ended yet
  Completed,  // both FINs sent and acknowledged (or ours, then TIME-WAIT)
  Reset,      // a RST ended it, received or sent (abort), or the host forgot it (crash)
  TimedOut,   // retransmissions exhausted, or FIN-WAIT-2 never saw the peer's FIN
};
std::string_view to_string(TcpOutcome o);

// Per connection. Segment counts are 32-bit (4 billion segments are 6 TB at a full MSS; no
// simulated connection comes near), byte counts 64-bit: the struct is 56 bytes, not 80, in
// each of the million connections the scale run holds (docs/performance.md).
struct TcpCounters {
  std::uint64_t bytes_sent = 0;      // payload bytes put on the wire, retransmissions included
  std::uint64_t bytes_acked = 0;     // payload bytes the peer acknowledged
  std::uint64_t bytes_received = 0;  // in-order payload bytes delivered to the receive buffer
  std::uint32_t segments_sent = 0;
  std::uint32_t segments_received = 0;
  std::uint32_t retransmissions = 0;  // segments re-sent (timeout, fast retransmit, go-back)
  std::uint32_t timeouts = 0;         // RTO expiries
  std::uint32_t fast_retransmits = 0;
  std::uint32_t dup_acks = 0;
  std::uint32_t out_of_order = 0;  // segments held in the reassembly queue
};

class TcpConnection;

class TcpSegmentSink {
 public:
  virtual ~TcpSegmentSink() = default;
  virtual void emit(const TcpSegment& seg) = 0;
};

// The stack that holds a connection: its configuration, spare storage for its stream buffers
// (null: none, buffers allocate their own), and told when the application queued work outside
// a stack call (send, close, consume), so that it polls the connection. One pointer in each
// connection reaches all three: a million connections are held in the scale run.
class TcpConnectionOwner {
 public:
  explicit TcpConnectionOwner(const TcpConfig& cfg, StreamBuffer::Pool* pool = nullptr)
      : cfg_(cfg), pool_(pool) {
    if (std::max({cfg.syn_retries, cfg.synack_retries, cfg.retries}) > UINT8_MAX)
      throw std::invalid_argument(
          "TcpConfig: a retry limit above 255 (a connection counts retries in a byte)");
  }
  virtual ~TcpConnectionOwner() = default;
  virtual void touch(TcpConnection&) {}
  const TcpConfig& config() const { return cfg_; }
  StreamBuffer::Pool* buffer_pool() const { return pool_; }

 private:
  TcpConfig cfg_;
  StreamBuffer::Pool* pool_;
};

class TcpListener;

// What the application hears. The connection reference stays valid until on_closed returns.
class TcpObserver {
 public:
  virtual ~TcpObserver() = default;
  virtual void on_connected(TcpConnection&) {}
  virtual void on_readable(TcpConnection&) {}     // new in-order data in received()
  virtual void on_writable(TcpConnection&) {}     // acknowledged data freed send-buffer space
  virtual void on_peer_closed(TcpConnection&) {}  // the peer's FIN: no more data will come
  virtual void on_closed(TcpConnection&, TcpOutcome) {}
};

class TcpConnection {
 public:
  // Events the stack delivers to the observer after each step, in this order.
  enum Event : std::uint8_t {
    kConnected = 1,
    kReadable = 2,
    kWritable = 4,
    kPeerClosed = 8,
    kTerminated = 16,
  };

  // A connection about to send its SYN (active open, RFC 9293 3.10.1).
  static TcpConnection active(TcpConnectionOwner& owner, std::uint64_t id, FourTuple tuple, SeqNum iss);
  // A connection answering a SYN with SYN-ACK (passive open from LISTEN, RFC 9293 3.10.7.2).
  static TcpConnection passive(TcpConnectionOwner& owner, std::uint64_t id, FourTuple tuple, SeqNum iss,
                               const TcpSegment& syn);
  // The buffers' storage goes back to the owner's pool (buffer_pool()).
  ~TcpConnection();
  TcpConnection(TcpConnection&&) noexcept = default;
  TcpConnection& operator=(TcpConnection&&) noexcept = default;

  // ---- driven by the stack ----
  void on_segment(sim::Time now, const TcpSegment& seg);
  // Emits what is due now (SYN, data, FIN, ACK, RST, window probe) into `out`.
  void dispatch(sim::Time now, TcpSegmentSink& out);
  void on_timer(sim::Time now);
  // The next time on_timer() has work, Time::max() if none.
  sim::Time poll_at() const;
  // Events since the last call; clears them.
  std::uint8_t take_events() {
    const std::uint8_t ev = events_;
    events_ = 0;
    return ev;
  }
  // Forget the connection without a word on the wire (the host crashed).
  void forget();

  // ---- the application's side ----
  // Queues real bytes / virtual bytes; returns how many fit in the send buffer.
  std::uint64_t send(wire::Bytes data);
  std::uint64_t send_virtual(std::uint64_t n);
  std::uint64_t send_space() const;
  // Data received in order and not yet consumed; consume() frees receive window.
  const StreamBuffer& received() const { return rcv_buf_; }
  void consume(std::uint64_t n);
  // Graceful close: a FIN after the queued data (RFC 9293 3.10.4).
  void close();
  // Abort: a RST now, the connection ends Reset (RFC 9293 3.10.5).
  void abort();

  // ---- reading ----
  std::uint64_t id() const { return id_; }
  FourTuple tuple() const { return {{local_addr_, local_port_}, {remote_addr_, remote_port_}}; }
  TcpState state() const { return state_; }
  TcpOutcome outcome() const { return outcome_; }
  bool passive_open() const { return passive_; }
  bool was_established() const { return established_once_; }
  bool reset_by_peer() const { return reset_by_peer_; }
  bool peer_closed() const { return fin_received_; }
  bool finished() const { return state_ == TcpState::Closed && !rst_pending_; }
  const TcpCounters& counters() const { return counters_; }
  sim::Time rto() const { return rto_; }
  sim::Time srtt() const { return srtt_; }
  sim::Time rttvar() const { return rttvar_; }
  std::uint32_t cwnd() const { return cwnd_; }
  std::uint32_t ssthresh() const { return ssthresh_; }
  std::uint16_t mss() const { return eff_mss_; }
  SeqNum iss() const { return iss_; }
  SeqNum snd_una() const { return snd_una_; }
  SeqNum snd_nxt() const { return snd_nxt_; }
  SeqNum rcv_nxt() const { return rcv_nxt_; }
  std::uint64_t unacked_bytes() const { return snd_buf_.size(); }
  sim::Time rto_deadline() const { return rto_deadline_; }

  // Stack bookkeeping (its one-bit fields are at the end of the class, where they fill what
  // would be padding).
  TcpObserver* observer = nullptr;
  sim::Time heap_at = sim::Time::max();
  std::uint32_t slot = 0;
  // The observer's own index for its record of this connection (the HTTP apps keep their
  // records in a SlotPool by it, not in a map keyed by id).
  std::uint32_t observer_slot = 0;

 private:
  TcpConnection(TcpConnectionOwner& owner, std::uint64_t id, FourTuple tuple, SeqNum iss);

  void on_segment_syn_sent(sim::Time now, const TcpSegment& seg);
  bool acceptable(const TcpSegment& seg) const;
  void on_rst(const TcpSegment& seg);
  bool on_ack(sim::Time now, const TcpSegment& seg);
  void on_new_ack(sim::Time now, SeqNum ack);
  void on_dup_ack();
  void on_text(sim::Time now, const TcpSegment& seg);
  void on_fin(sim::Time now);
  void on_rto(sim::Time now);
  void enter_established(sim::Time now);
  void enter_time_wait(sim::Time now);
  void terminate(TcpOutcome outcome);
  void rtt_sample(sim::Time r);
  void queue_rst(SeqNum seq, std::optional<SeqNum> ack);

  // The segment starting at `seq` carrying at most max_len payload bytes (a FIN if it reaches
  // the end of the data after close()); the SYN when seq is the ISS of an unsynchronized one.
  TcpSegment build(SeqNum seq, std::uint64_t max_len) const;
  TcpSegment bare(SeqNum seq) const;  // a pure ACK (or probe) with sequence number seq
  void emit(sim::Time now, const TcpSegment& seg, TcpSegmentSink& out);
  void note_sent(sim::Time now, const TcpSegment& seg);
  void arm_persist(sim::Time now);
  void touch() { owner_->touch(*this); }
  const TcpConfig& cfg() const { return owner_->config(); }
  // Lends the stream buffers their storage while they hold data.
  StreamBuffer::Pool* pool() const { return owner_->buffer_pool(); }
  std::uint16_t window_to_advertise() const;
  std::uint32_t rcv_wnd() const;
  std::uint32_t flight_size() const { return distance(snd_una_, snd_max_); }
  bool fin_sent() const { return fin_queued_ && snd_max_ > fin_seq(); }
  bool fin_acked() const { return fin_queued_ && snd_una_ > fin_seq(); }
  SeqNum fin_seq() const { return snd_buf_seq_ + static_cast<std::uint32_t>(snd_buf_.size()); }
  bool can_send_data() const;
  int retry_limit() const;

  // Laid out by alignment, largest first, so that no byte is padding, and the flags in bits: a
  // million connections (two TcpConnections each) are held at once in the scale run
  // (docs/performance.md).
  TcpConnectionOwner* owner_;
  std::uint64_t id_;
  StreamBuffer snd_buf_;  // unacknowledged and unsent data, first byte at snd_buf_seq_
  StreamBuffer rcv_buf_;  // received in order, not yet consumed
  Reassembly ooo_;        // received ahead of rcv_nxt_
  TcpCounters counters_;

  // Timers: retransmission, persist (zero-window probes), TIME-WAIT / FIN-WAIT-2.
  sim::Time rto_deadline_ = sim::Time::max();
  sim::Time persist_deadline_ = sim::Time::max();
  sim::Time close_deadline_ = sim::Time::max();
  sim::Time rto_;
  sim::Time srtt_;
  sim::Time rttvar_;
  sim::Time timed_at_;  // when timed_seq_ was sent (Karn's rule, below)

  // The four-tuple, unpadded (a FourTuple has two bytes of padding after each port).
  wire::Ipv4 local_addr_, remote_addr_;
  // Send side (RFC 9293 3.3.1). snd_max_ is the highest sequence number sent so far; after a
  // timeout snd_nxt_ goes back to snd_una_ and retransmits up to snd_max_.
  SeqNum iss_, snd_una_, snd_nxt_, snd_max_, snd_wl1_, snd_wl2_;
  SeqNum snd_buf_seq_;
  std::uint32_t snd_wnd_ = 0;
  // Receive side.
  SeqNum irs_, rcv_nxt_;
  // Karn's rule: one segment timed at a time, never a retransmitted one.
  SeqNum timed_seq_;
  // Congestion control (RFC 5681, RFC 6582).
  std::uint32_t cwnd_ = 0;
  std::uint32_t ssthresh_ = UINT32_MAX;
  SeqNum recover_;
  // What dispatch() owes the peer: a RST with this sequence number (and rst_ack_ if
  // rst_has_ack_).
  SeqNum rst_seq_, rst_ack_;

  std::uint16_t local_port_, remote_port_;
  std::uint16_t dupacks_ = 0;  // saturates: only "reached the threshold" and "past it" matter
  std::uint16_t adv_wnd_ = 0;  // the window in our last segment
  std::uint16_t eff_mss_;
  std::uint8_t retries_ = 0;     // consecutive timeouts of the same data (TcpConfig: at most 255)
  std::uint8_t probes_out_ = 0;  // unanswered zero-window probes

  // Four bytes of bit-fields, ordered so that none straddles a byte (GCC would start a new one).
  TcpState state_ : 4 = TcpState::Closed;
  TcpOutcome outcome_ : 2 = TcpOutcome::Open;
  bool passive_ : 1 = false;
  bool established_once_ : 1 = false;
  std::uint8_t events_ : 5 = 0;
  bool reset_by_peer_ : 1 = false;
  bool fin_queued_ : 1 = false;  // the application closed: a FIN follows the buffered data
  bool fin_received_ : 1 = false;
  bool probe_pending_ : 1 = false;
  bool have_rtt_ : 1 = false;
  bool syn_retransmitted_ : 1 = false;
  bool timing_ : 1 = false;
  bool in_recovery_ : 1 = false;
  bool retransmit_head_ : 1 = false;  // fast retransmit: resend the segment at snd_una_ once
  bool ack_needed_ : 1 = false;
  bool rst_pending_ : 1 = false;
  bool rst_has_ack_ : 1 = false;

 public:
  // Stack bookkeeping, continued.
  bool dirty : 1 = false;
  bool announced : 1 = false;
  // The listener this passive connection was born under stopped listening before it was
  // accepted (the stack finds a connection's listener again when it accepts it).
  bool listener_gone : 1 = false;
  TcpState reported_state : 4 = TcpState::Closed;  // the last state the trace was told
};

}  // namespace nlb::transport
