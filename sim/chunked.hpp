#pragma once
// Storage for many small records held at once (a million TCP connections and their pending
// events in the scale run, docs/performance.md): elements live in fixed-size chunks that never
// move. Growing adds a chunk, so there is no reallocation (no copy, no moment at which the old
// and the new array are both resident, no capacity beyond the last chunk), no malloc header
// per element, and an element's address stays valid while it lives.
//
// ChunkedVector<T, N> is a vector that only grows (default-constructed elements); SlotPool<T, N>
// hands out slots for objects constructed in place, reusing freed slots last-freed first, and
// is iterated in slot order (deterministic, DESIGN.md).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace nlb::sim {

template <typename T, std::size_t kChunk>
class ChunkedVector {
 public:
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& emplace_back() {
    // `new T[]` default-initialises: a chunk of raw storage cells is not written (not made
    // resident) until its cells are used.
    if (size_ % kChunk == 0) chunks_.emplace_back(new T[kChunk]);
    return (*this)[size_++];
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

template <typename T, std::size_t kChunk>
class SlotPool {
 public:
  SlotPool() = default;
  SlotPool(const SlotPool&) = delete;
  SlotPool& operator=(const SlotPool&) = delete;
  ~SlotPool() {
    for (std::uint32_t s = 0; s < end(); ++s) {
      if (live_[s]) get(s).~T();
    }
  }

  // Constructs a T in the last freed slot, or in a new one; returns the slot.
  template <typename... Args>
  std::uint32_t emplace(Args&&... args) {
    std::uint32_t slot;
    if (free_.empty()) {
      slot = end();
      cells_.emplace_back();
      live_.push_back(false);
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    ::new (static_cast<void*>(cells_[slot].bytes)) T(std::forward<Args>(args)...);
    live_[slot] = true;
    ++count_;
    return slot;
  }
  void erase(std::uint32_t slot) {
    get(slot).~T();
    live_[slot] = false;
    free_.push_back(slot);
    --count_;
  }

  bool live(std::uint32_t slot) const { return slot < end() && live_[slot]; }
  T& operator[](std::uint32_t slot) { return get(slot); }
  const T& operator[](std::uint32_t slot) const {
    return *std::launder(reinterpret_cast<const T*>(cells_[slot].bytes));
  }
  // Live objects.
  std::size_t size() const { return count_; }
  // One past the highest slot used so far: every live slot is below it.
  std::uint32_t end() const { return static_cast<std::uint32_t>(cells_.size()); }

 private:
  struct Cell {
    alignas(T) std::byte bytes[sizeof(T)];
  };
  T& get(std::uint32_t slot) { return *std::launder(reinterpret_cast<T*>(cells_[slot].bytes)); }

  ChunkedVector<Cell, kChunk> cells_;
  std::vector<bool> live_;
  std::vector<std::uint32_t> free_;
  std::size_t count_ = 0;
};

}  // namespace nlb::sim
