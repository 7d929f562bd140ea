#include "models/transport/tuple_index.hpp"

namespace nlb::transport {

void TupleIndex::insert(const FourTuple& t, std::uint32_t slot) {
  if ((size_ + 1) * 2 > entries_.size()) grow();
  place({slot, hash(t)});
  ++size_;
}

void TupleIndex::place(Entry e) {
  std::size_t i = e.hash & mask();
  while (entries_[i].slot != kNone) i = (i + 1) & mask();
  entries_[i] = e;
}

void TupleIndex::grow() {
  std::vector<Entry> old(entries_.empty() ? 16 : entries_.size() * 2);
  old.swap(entries_);
  for (const Entry& e : old) {
    if (e.slot != kNone) place(e);
  }
}

void TupleIndex::erase(const FourTuple& t, std::uint32_t slot) {
  if (entries_.empty()) return;
  const std::uint32_t h = hash(t);
  std::size_t i = h & mask();
  while (entries_[i].slot != slot) {
    if (entries_[i].slot == kNone) return;
    i = (i + 1) & mask();
  }
  // Backward-shift deletion: move up each later entry of the run that may live at the hole
  // (its home is not cyclically within (hole, j]), so every probe still finds what it seeks.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask(); entries_[j].slot != kNone; j = (j + 1) & mask()) {
    const std::size_t home = entries_[j].hash & mask();
    const bool home_in_gap = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (home_in_gap) continue;
    entries_[hole] = entries_[j];
    hole = j;
  }
  entries_[hole] = Entry{};
  --size_;
}

}  // namespace nlb::transport
