#include "models/transport/tcp_segment.hpp"

namespace nlb::transport {

std::string TcpSegment::str() const {
  std::string s;
  if (syn()) s += 'S';
  if (fin()) s += 'F';
  if (rst()) s += 'R';
  if (has(tcp_flag::psh)) s += 'P';
  if (is_ack()) s += '.';
  // Piecewise: `" " + std::to_string(...)` makes GCC 12 at -O3 report a false -Werror=restrict
  // (GCC PR 105329).
  s += ' ';
  s += std::to_string(src_port);
  s += '>';
  s += std::to_string(dst_port);
  s += " seq=" + seq.str();
  if (is_ack()) s += " ack=" + ack.str();
  s += " win=" + std::to_string(window);
  if (mss) s += " mss=" + std::to_string(*mss);
  s += " len=" + std::to_string(payload.size());
  if (payload.virtual_len) s += " (virtual " + std::to_string(payload.virtual_len) + ")";
  return s;
}

}  // namespace nlb::transport
