#pragma once
// TCP parameters with their defaults. Defaults follow the RFCs where they give a number and
// Linux where they leave it to the implementation; each line names its source.

#include <cstdint>

#include "sim/time.hpp"

namespace nlb::transport {

struct TcpConfig {
  // MSS we announce: a 1500-byte Ethernet MTU less 20 bytes of IPv4 and 20 of TCP header.
  std::uint16_t mss = 1460;
  // MSS assumed when the peer's SYN carries no option (RFC 9293 3.7.1).
  std::uint16_t default_peer_mss = 536;
  // Receive buffer; it is also the largest window we advertise, as we do not scale windows.
  std::uint32_t recv_buffer = 65535;
  // Bytes (real and virtual) an application may queue beyond what the peer acknowledged.
  std::uint64_t send_buffer = 4 * 1024 * 1024;

  // RFC 6298 2.1: initial RTO of 1 s.
  sim::Time rto_initial = sim::Time::s(1);
  // RFC 6298 2.4: RTO never below 1 s (Linux uses 200 ms, TCP_RTO_MIN).
  sim::Time rto_min = sim::Time::s(1);
  // RFC 6298 2.5: a maximum of at least 60 s; Linux's TCP_RTO_MAX is 120 s.
  sim::Time rto_max = sim::Time::s(120);
  // RFC 6298 5.7: after a SYN was retransmitted, data transfer starts with a 3 s RTO.
  sim::Time rto_after_syn_loss = sim::Time::s(3);
  // RFC 6298 2.3: G, the clock granularity in RTO = SRTT + max(G, 4 RTTVAR).
  sim::Time clock_granularity = sim::Time::ms(1);

  // Retransmissions before giving up (Linux tcp_syn_retries 6: 127 s with a 1 s RTO).
  int syn_retries = 6;
  // Linux tcp_synack_retries 5.
  int synack_retries = 5;
  // Linux tcp_retries2 15, counted here as retransmissions of one segment (Linux turns it into
  // a time, 924.6 s with its 200 ms minimum RTO; with a 1 s minimum RTO this gives 1207 s).
  int retries = 15;

  // 2 MSL spent in TIME-WAIT (Linux TCP_TIMEWAIT_LEN 60 s; RFC 9293 3.3.2 suggests 2 x 2 min).
  sim::Time time_wait = sim::Time::s(60);
  // How long FIN-WAIT-2 waits for the peer's FIN (Linux tcp_fin_timeout 60 s).
  sim::Time fin_wait2_timeout = sim::Time::s(60);

  // RFC 5681 3.2: fast retransmit on the third duplicate ACK.
  int dupack_threshold = 3;
  // Reno/NewReno congestion control (RFC 5681, RFC 6582); off = only the peer's window limits.
  bool congestion_control = true;
  // Initial window in segments: RFC 6928's 10, as Linux.
  std::uint32_t initial_window_segments = 10;

  // Linux ip_local_port_range.
  std::uint16_t ephemeral_first = 32768;
  std::uint16_t ephemeral_last = 60999;
};

}  // namespace nlb::transport
