#include "models/transport/stream_buffer.hpp"

#include <algorithm>
#include <cassert>

namespace nlb::transport {

void StreamBuffer::append_real(wire::Bytes data) {
  if (data.empty()) return;
  bytes_.insert(bytes_.end(), data.begin(), data.end());
  if (runs_.size() > runs_head_ && runs_.back().real) {
    runs_.back().len += data.size();
  } else {
    runs_.push_back({data.size(), true});
  }
  size_ += data.size();
}

void StreamBuffer::append_virtual(std::uint64_t n) {
  if (n == 0) return;
  if (runs_.size() > runs_head_ && !runs_.back().real) {
    runs_.back().len += n;
  } else {
    runs_.push_back({n, false});
  }
  size_ += n;
}

wire::Bytes StreamBuffer::real_prefix() const {
  if (runs_head_ == runs_.size() || !runs_[runs_head_].real) return {};
  return wire::Bytes(bytes_).subspan(bytes_head_, runs_[runs_head_].len);
}

std::uint64_t StreamBuffer::virtual_prefix() const {
  if (runs_head_ == runs_.size() || runs_[runs_head_].real) return 0;
  return runs_[runs_head_].len;
}

std::uint64_t StreamBuffer::consume(std::uint64_t n) {
  std::uint64_t done = 0;
  while (done < n && runs_head_ < runs_.size()) {
    Run& run = runs_[runs_head_];
    std::uint64_t take = std::min(run.len, n - done);
    if (run.real) bytes_head_ += take;
    run.len -= take;
    done += take;
    if (run.len == 0) ++runs_head_;
  }
  size_ -= done;
  compact();
  return done;
}

Payload StreamBuffer::slice(std::uint64_t offset, std::uint64_t max_len) const {
  std::size_t i = runs_head_;
  std::size_t real_pos = bytes_head_;
  // Skip whole runs before the offset.
  while (i < runs_.size() && offset >= runs_[i].len) {
    offset -= runs_[i].len;
    if (runs_[i].real) real_pos += runs_[i].len;
    ++i;
  }
  Payload out;
  if (i == runs_.size() || max_len == 0) return out;
  if (runs_[i].real) {
    std::uint64_t n = std::min(runs_[i].len - offset, max_len);
    out.real = wire::Bytes(bytes_).subspan(real_pos + offset, n);
    max_len -= n;
    if (max_len == 0 || offset + n < runs_[i].len) return out;
    ++i;
    offset = 0;
    if (i == runs_.size()) return out;
  }
  // runs_[i] is virtual here: the payload ends with (part of) it.
  std::uint64_t n = std::min(runs_[i].len - offset, max_len);
  out.virtual_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX));
  return out;
}

void StreamBuffer::clear() {
  bytes_.clear();
  runs_.clear();
  bytes_head_ = runs_head_ = 0;
  size_ = 0;
}

void StreamBuffer::compact() {
  if (runs_head_ == runs_.size()) {
    clear();
    return;
  }
  // Shift only when the dead head outweighs the live data, so compaction costs amortised O(1).
  if (bytes_head_ > 4096 && bytes_head_ * 2 > bytes_.size()) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(bytes_head_));
    bytes_head_ = 0;
  }
  if (runs_head_ > 64 && runs_head_ * 2 > runs_.size()) {
    runs_.erase(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(runs_head_));
    runs_head_ = 0;
  }
}

}  // namespace nlb::transport
