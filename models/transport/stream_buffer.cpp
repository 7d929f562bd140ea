#include "models/transport/stream_buffer.hpp"

#include <algorithm>
#include <cassert>

namespace nlb::transport {

namespace {
// A spare storage keeps vectors up to these capacities (what a few segments of HTTP heads
// need); larger ones are freed, so the pool never holds more than its peak of busy buffers
// times this.
constexpr std::size_t kKeepBytes = 16 * 1024;
constexpr std::size_t kKeepRuns = 64;
}  // namespace

StreamBuffer::Pool::~Pool() {
  for (Storage* s : free_) delete s;
}

StreamBuffer::Storage* StreamBuffer::Pool::take() {
  if (free_.empty()) return new Storage;
  Storage* s = free_.back();
  free_.pop_back();
  return s;
}

void StreamBuffer::Pool::give(Storage* s) {
  s->bytes.clear();
  s->runs.clear();
  if (s->bytes.capacity() > kKeepBytes) std::vector<std::byte>().swap(s->bytes);
  if (s->runs.capacity() > kKeepRuns) std::vector<Run>().swap(s->runs);
  s->bytes_head = s->runs_head = 0;
  s->size = 0;
  free_.push_back(s);
}

StreamBuffer& StreamBuffer::operator=(StreamBuffer&& o) noexcept {
  if (this != &o) {
    release(nullptr);
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

StreamBuffer::Storage& StreamBuffer::storage(Pool* pool) {
  if (!s_) s_ = pool ? pool->take() : new Storage;
  return *s_;
}

void StreamBuffer::release(Pool* pool) {
  if (!s_) return;
  if (pool) {
    pool->give(s_);
  } else {
    delete s_;
  }
  s_ = nullptr;
}

std::uint64_t StreamBuffer::size() const { return s_ ? s_->size : 0; }

void StreamBuffer::append_real(wire::Bytes data, Pool* pool) {
  if (data.empty()) return;
  Storage& s = storage(pool);
  s.bytes.insert(s.bytes.end(), data.begin(), data.end());
  if (s.runs.size() > s.runs_head && s.runs.back().real) {
    s.runs.back().len += data.size();
  } else {
    s.runs.push_back({data.size(), true});
  }
  s.size += data.size();
}

void StreamBuffer::append_virtual(std::uint64_t n, Pool* pool) {
  if (n == 0) return;
  Storage& s = storage(pool);
  if (s.runs.size() > s.runs_head && !s.runs.back().real) {
    s.runs.back().len += n;
  } else {
    s.runs.push_back({n, false});
  }
  s.size += n;
}

wire::Bytes StreamBuffer::real_prefix() const {
  if (!s_ || !s_->runs[s_->runs_head].real) return {};
  return wire::Bytes(s_->bytes).subspan(s_->bytes_head, s_->runs[s_->runs_head].len);
}

std::uint64_t StreamBuffer::virtual_prefix() const {
  if (!s_ || s_->runs[s_->runs_head].real) return 0;
  return s_->runs[s_->runs_head].len;
}

std::uint64_t StreamBuffer::consume(std::uint64_t n, Pool* pool) {
  if (!s_) return 0;
  Storage& s = *s_;
  std::uint64_t done = 0;
  while (done < n && s.runs_head < s.runs.size()) {
    Run& run = s.runs[s.runs_head];
    std::uint64_t take = std::min(run.len, n - done);
    if (run.real) s.bytes_head += take;
    run.len -= take;
    done += take;
    if (run.len == 0) ++s.runs_head;
  }
  s.size -= done;
  compact(pool);
  return done;
}

Payload StreamBuffer::slice(std::uint64_t offset, std::uint64_t max_len) const {
  if (!s_) return {};
  const std::vector<Run>& runs = s_->runs;
  std::size_t i = s_->runs_head;
  std::size_t real_pos = s_->bytes_head;
  // Skip whole runs before the offset.
  while (i < runs.size() && offset >= runs[i].len) {
    offset -= runs[i].len;
    if (runs[i].real) real_pos += runs[i].len;
    ++i;
  }
  Payload out;
  if (i == runs.size() || max_len == 0) return out;
  if (runs[i].real) {
    std::uint64_t n = std::min(runs[i].len - offset, max_len);
    out.real = wire::Bytes(s_->bytes).subspan(real_pos + offset, n);
    max_len -= n;
    if (max_len == 0 || offset + n < runs[i].len) return out;
    ++i;
    offset = 0;
    if (i == runs.size()) return out;
  }
  // runs[i] is virtual here: the payload ends with (part of) it.
  std::uint64_t n = std::min(runs[i].len - offset, max_len);
  out.virtual_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX));
  return out;
}

void StreamBuffer::compact(Pool* pool) {
  Storage& s = *s_;
  if (s.runs_head == s.runs.size()) {
    assert(s.size == 0);
    release(pool);
    return;
  }
  // Shift only when the dead head outweighs the live data, so compaction costs amortised O(1).
  if (s.bytes_head > 4096 && s.bytes_head * 2 > s.bytes.size()) {
    s.bytes.erase(s.bytes.begin(), s.bytes.begin() + static_cast<std::ptrdiff_t>(s.bytes_head));
    s.bytes_head = 0;
  }
  if (s.runs_head > 64 && s.runs_head * 2 > s.runs.size()) {
    s.runs.erase(s.runs.begin(), s.runs.begin() + static_cast<std::ptrdiff_t>(s.runs_head));
    s.runs_head = 0;
  }
}

}  // namespace nlb::transport
