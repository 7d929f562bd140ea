#pragma once
// A byte stream made of runs of real bytes and runs of virtual (counted, zero) bytes: a TCP
// send buffer (data not yet acknowledged) or receive buffer (data not yet read by the
// application). Real bytes are stored contiguously in one vector in stream order, so any
// stretch of real bytes is one span; the vectors keep their capacity, so a connection in its
// steady state allocates nothing.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/transport/payload.hpp"

namespace nlb::transport {

class StreamBuffer {
 public:
  void append(Payload p) {
    append_real(p.real);
    append_virtual(p.virtual_len);
  }
  void append_real(wire::Bytes data);
  void append_virtual(std::uint64_t n);

  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The real bytes at the head of the stream, up to the first virtual run: what a parser of
  // text (HTTP headers) reads.
  wire::Bytes real_prefix() const;
  // Length of the virtual run at the head (0 if the head is real or the buffer is empty).
  std::uint64_t virtual_prefix() const;

  // Drops up to n bytes from the head; returns how many were dropped.
  std::uint64_t consume(std::uint64_t n);

  // Up to max_len bytes starting `offset` bytes after the head, as one Payload: the real part
  // first, then virtual bytes. The slice ends early where a virtual run is followed by real
  // bytes, because a segment carries its virtual bytes only at its end (as a frame does).
  Payload slice(std::uint64_t offset, std::uint64_t max_len) const;

  void clear();

 private:
  struct Run {
    std::uint64_t len;
    bool real;
  };
  void compact();

  std::vector<std::byte> bytes_;  // real bytes; the stream's start at bytes_head_
  std::size_t bytes_head_ = 0;
  std::vector<Run> runs_;  // runs in stream order from runs_head_; adjacent runs differ in kind
  std::size_t runs_head_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace nlb::transport
