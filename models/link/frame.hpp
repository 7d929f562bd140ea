#pragma once
// A frame on the wire: real serialized header bytes (DESIGN.md, "Real bytes on the wire"),
// followed optionally by a virtual payload of zero bytes that is only counted, so a 1 MB HTTP
// body costs its length, not its bytes. Frames come from a pool and are shared read-only by
// reference count (a switch floods one frame to many ports without copying); a node that
// rewrites a frame (the balancer's MAC rewrite, a router's TTL) clones it first.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace nlb::link {

class FramePool;

struct Frame {
  // Largest Ethernet II frame without FCS: 14-byte header + 1500-byte MTU.
  static constexpr std::size_t kMaxBytes = 1514;
  // Ethernet's minimum frame without FCS; shorter frames are padded with zeros on send.
  static constexpr std::size_t kMinBytes = 60;

  std::uint64_t id = 0;           // unique per frame made, for following one through a trace
  std::uint16_t len = 0;          // real bytes in data
  std::uint32_t virtual_len = 0;  // zero bytes that follow on the wire but are not stored
  std::uint32_t refs = 0;
  FramePool* pool = nullptr;
  Frame* next_free = nullptr;  // the pool's free list runs through the free frames themselves
  alignas(8) std::byte data[kMaxBytes];

  std::span<const std::byte> bytes() const { return {data, len}; }
  std::span<std::byte> mutable_bytes() { return {data, len}; }
  std::size_t wire_len() const { return std::size_t{len} + virtual_len; }
};

// Shared handle to a pooled frame; the last handle returns the frame to its pool.
class FrameRef {
 public:
  FrameRef() = default;
  explicit FrameRef(Frame* f) : f_(f) {
    if (f_) ++f_->refs;
  }
  FrameRef(const FrameRef& o) : FrameRef(o.f_) {}
  FrameRef(FrameRef&& o) noexcept : f_(std::exchange(o.f_, nullptr)) {}
  FrameRef& operator=(FrameRef o) noexcept {
    std::swap(f_, o.f_);
    return *this;
  }
  // Most handles that die were moved from (a frame passes through several on its way): the
  // null test stays inline, so those cost a compare, not a call.
  ~FrameRef() {
    if (f_) release();
  }

  const Frame& operator*() const { return *f_; }
  const Frame* operator->() const { return f_; }
  const Frame* get() const { return f_; }
  explicit operator bool() const { return f_ != nullptr; }
  bool unique() const { return f_ && f_->refs == 1; }
  // Write access for the sole owner (a frame being built, or one no one else holds).
  Frame& mut() {
    assert(unique() && "writing to a shared frame: clone it first");
    return *f_;
  }

 private:
  inline void release();
  Frame* f_ = nullptr;
};

class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  // A fresh frame of `len` real bytes (contents unspecified) and a new id.
  FrameRef make(std::size_t len, std::uint32_t virtual_len = 0) {
    assert(len <= Frame::kMaxBytes);
    Frame* f = take();
    f->id = ++last_id_;
    f->len = static_cast<std::uint16_t>(len);
    f->virtual_len = virtual_len;
    return FrameRef(f);
  }
  // A private copy with a new id, to be rewritten.
  FrameRef clone(const Frame& src) {
    FrameRef r = make(src.len, src.virtual_len);
    std::memcpy(r.mut().data, src.data, src.len);
    return r;
  }

  std::size_t in_use() const { return frames_.size() - free_count_; }
  std::size_t allocated() const { return frames_.size(); }
  std::uint64_t frames_made() const { return last_id_; }

 private:
  friend class FrameRef;
  Frame* take() {
    if (!free_) return grow();
    Frame* f = free_;
    free_ = f->next_free;
    --free_count_;
    return f;
  }
  Frame* grow() {
    frames_.push_back(std::make_unique<Frame>());
    frames_.back()->pool = this;
    return frames_.back().get();
  }
  // Last in, first out: the frame just freed is the one still in cache.
  void give_back(Frame* f) {
    f->next_free = free_;
    free_ = f;
    ++free_count_;
  }

  std::vector<std::unique_ptr<Frame>> frames_;
  Frame* free_ = nullptr;
  std::size_t free_count_ = 0;
  std::uint64_t last_id_ = 0;
};

inline void FrameRef::release() {
  if (f_ && --f_->refs == 0) f_->pool->give_back(f_);
  f_ = nullptr;
}

}  // namespace nlb::link
