#pragma once
// The receiver's queue of segments that arrived ahead of RCV.NXT (RFC 9293 3.10.7.4: segments
// beyond RCV.NXT "should be held for later processing"). Holding them means a single loss costs
// one retransmission, not the whole flight. Pieces never overlap: a newcomer is trimmed against
// what is held (TCP resends the same bytes for the same sequence numbers).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "models/transport/payload.hpp"
#include "models/transport/seq.hpp"
#include "models/transport/stream_buffer.hpp"

namespace nlb::transport {

class Reassembly {
 public:
  static constexpr std::uint32_t kMaxPieces = 256;

  // Holds [seq, seq + p.size()) and a FIN right after it if `fin`. Returns false if the queue
  // holds max_pieces already and the piece was dropped.
  bool insert(SeqNum seq, Payload p, bool fin, std::uint32_t max_pieces = kMaxPieces);
  // Moves the pieces that now continue the stream at rcv_nxt into `out` (its storage from
  // `pool`, optional), advancing rcv_nxt. Returns true if a held FIN was reached (rcv_nxt then
  // stops before the FIN).
  bool pop_ready(SeqNum& rcv_nxt, StreamBuffer& out, StreamBuffer::Pool* pool = nullptr);

  bool empty() const { return !pieces_ || pieces_->empty(); }
  std::size_t pieces() const { return pieces_ ? pieces_->size() : 0; }
  std::uint64_t bytes() const;
  void clear() {
    if (pieces_) pieces_->clear();
  }

 private:
  struct Piece {
    SeqNum seq;
    std::vector<std::byte> real;
    std::uint32_t virtual_len = 0;
    bool fin = false;
    std::uint32_t size() const { return static_cast<std::uint32_t>(real.size()) + virtual_len; }
    SeqNum end() const { return seq + size(); }
  };
  // Sorted by seq; made when the first piece is held (most connections never reorder, and a
  // held-open one then costs 8 bytes here, not 32), kept for the connection's life after.
  std::unique_ptr<std::vector<Piece>> pieces_;
};

}  // namespace nlb::transport
