#pragma once
// A byte stream made of runs of real bytes and runs of virtual (counted, zero) bytes: a TCP
// send buffer (data not yet acknowledged) or receive buffer (data not yet read by the
// application). Real bytes are stored contiguously in one vector in stream order, so any
// stretch of real bytes is one span.
//
// An empty buffer holds no storage: one pointer, nothing on the heap. A connection that is
// only held open (a request read, its answer not yet due) has both buffers empty, and a
// million such connections are what the scale target counts (docs/performance.md). The
// storage of a buffer that empties goes back to a Pool shared by the stack's connections and
// is taken again when data comes, vectors with their capacity, so a connection in its steady
// state still allocates nothing; without a pool it is freed and allocated again. The pool is
// passed to the calls that take or give storage (not kept in each buffer: 8 bytes in each of
// four million buffers).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "models/transport/payload.hpp"

namespace nlb::transport {

class StreamBuffer {
  struct Storage;

 public:
  // Spare storage for the buffers of many connections (one per TcpStack); it must outlive
  // the buffers that use it.
  class Pool {
   public:
    Pool() = default;
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    std::size_t spare() const { return free_.size(); }

   private:
    friend class StreamBuffer;
    Storage* take();
    void give(Storage* s);
    std::vector<Storage*> free_;
  };

  StreamBuffer() = default;
  ~StreamBuffer() { release(nullptr); }
  StreamBuffer(StreamBuffer&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  StreamBuffer& operator=(StreamBuffer&& o) noexcept;
  StreamBuffer(const StreamBuffer&) = delete;
  StreamBuffer& operator=(const StreamBuffer&) = delete;

  // `pool` (optional) lends the storage an empty buffer takes, and takes back the storage of
  // a buffer that empties.
  void append(Payload p, Pool* pool = nullptr) {
    append_real(p.real, pool);
    append_virtual(p.virtual_len, pool);
  }
  void append_real(wire::Bytes data, Pool* pool = nullptr);
  void append_virtual(std::uint64_t n, Pool* pool = nullptr);

  std::uint64_t size() const;
  bool empty() const { return s_ == nullptr; }
  // Whether the buffer holds storage (it does exactly when it is not empty).
  bool has_storage() const { return s_ != nullptr; }

  // The real bytes at the head of the stream, up to the first virtual run: what a parser of
  // text (HTTP headers) reads.
  wire::Bytes real_prefix() const;
  // Length of the virtual run at the head (0 if the head is real or the buffer is empty).
  std::uint64_t virtual_prefix() const;

  // Drops up to n bytes from the head; returns how many were dropped.
  std::uint64_t consume(std::uint64_t n, Pool* pool = nullptr);

  // Up to max_len bytes starting `offset` bytes after the head, as one Payload: the real part
  // first, then virtual bytes. The slice ends early where a virtual run is followed by real
  // bytes, because a segment carries its virtual bytes only at its end (as a frame does).
  Payload slice(std::uint64_t offset, std::uint64_t max_len) const;

  void clear(Pool* pool = nullptr) { release(pool); }

 private:
  struct Run {
    std::uint64_t len;
    bool real;
  };
  struct Storage {
    std::vector<std::byte> bytes;  // real bytes; the stream's start at bytes_head
    std::size_t bytes_head = 0;
    std::vector<Run> runs;  // runs in stream order from runs_head; adjacent runs differ in kind
    std::size_t runs_head = 0;
    std::uint64_t size = 0;
  };
  Storage& storage(Pool* pool);
  void release(Pool* pool);
  void compact(Pool* pool);

  Storage* s_ = nullptr;  // null exactly when empty
};

}  // namespace nlb::transport
