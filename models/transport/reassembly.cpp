#include "models/transport/reassembly.hpp"

#include <algorithm>

namespace nlb::transport {

bool Reassembly::insert(SeqNum seq, Payload p, bool fin, std::uint32_t max_pieces) {
  if (!pieces_) pieces_ = std::make_unique<std::vector<Piece>>();
  std::vector<Piece>& pieces = *pieces_;
  // Trim the front against the piece that starts at or before us.
  auto it = std::upper_bound(pieces.begin(), pieces.end(), seq,
                             [](SeqNum s, const Piece& piece) { return s < piece.seq; });
  if (it != pieces.begin()) {
    const Piece& before = *(it - 1);
    if (before.end() > seq) {
      std::uint32_t overlap = distance(seq, before.end());
      if (overlap >= p.size()) return true;  // nothing new (a FIN here would duplicate before's end)
      p = p.drop_front(overlap);
      seq = before.end();
    }
  }
  SeqNum end = seq + static_cast<std::uint32_t>(p.size());
  // Drop the pieces we cover entirely (keeping a FIN that ends where we end), then trim our
  // back against the next one. Every piece from `it` on starts at or after seq.
  while (it != pieces.end() && it->end() <= end) {
    fin = fin || (it->fin && it->end() == end);
    it = pieces.erase(it);
  }
  if (it != pieces.end() && it->seq < end) {
    p = p.prefix(distance(seq, it->seq));
    fin = false;
  }
  if (p.empty() && !fin) return true;
  if (pieces.size() >= max_pieces) return false;
  Piece piece{seq, std::vector<std::byte>(p.real.begin(), p.real.end()), p.virtual_len, fin};
  pieces.insert(it, std::move(piece));
  return true;
}

bool Reassembly::pop_ready(SeqNum& rcv_nxt, StreamBuffer& out, StreamBuffer::Pool* pool) {
  if (empty()) return false;
  std::vector<Piece>& pieces = *pieces_;
  std::size_t n = 0;
  bool fin = false;
  for (; n < pieces.size() && pieces[n].seq <= rcv_nxt; ++n) {
    Piece& piece = pieces[n];
    if (piece.end() < rcv_nxt) continue;  // already delivered by a retransmission
    Payload p{piece.real, piece.virtual_len};
    out.append(p.drop_front(distance(piece.seq, rcv_nxt)), pool);
    rcv_nxt = piece.end();
    if (piece.fin) {
      fin = true;
      ++n;
      break;
    }
  }
  pieces.erase(pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(n));
  if (fin) pieces.clear();  // nothing can follow a FIN
  return fin;
}

std::uint64_t Reassembly::bytes() const {
  std::uint64_t total = 0;
  if (!pieces_) return 0;
  for (const Piece& p : *pieces_) total += p.size();
  return total;
}

}  // namespace nlb::transport
