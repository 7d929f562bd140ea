#pragma once
// A FIFO over one growable power-of-two buffer. Unlike std::deque it stops allocating once it
// has grown to the largest backlog it has seen, which is what per-frame paths need.

#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace nlb::link {

template <typename T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  T& front() {
    assert(size_ > 0);
    return buf_[head_];
  }
  const T& operator[](std::size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
  T& operator[](std::size_t i) { return buf_[(head_ + i) & (buf_.size() - 1)]; }

  void push_back(T value) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = std::move(value);
    ++size_;
  }
  // Removes and returns the head; the slot is reset so it holds no reference.
  T pop_front() {
    assert(size_ > 0);
    T v = std::exchange(buf_[head_], T{});
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    return v;
  }
  void clear() {
    while (!empty()) pop_front();
  }

 private:
  void grow() {
    std::vector<T> bigger(buf_.empty() ? 8 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    buf_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace nlb::link
