#pragma once
// Parsing untrusted bytes never throws and never reads out of bounds: it returns either the
// value or a WireError that names the field and the byte offset where the packet went wrong
// (DESIGN.md, "Bad input is data, not a crash"). A minimal std::expected for C++20.

#include <cassert>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace nlb::wire {

struct WireError {
  const char* field = "";  // "ipv4.total_length", "arp.hlen", ...
  std::size_t offset = 0;  // byte offset of that field in the buffer given to parse()
  const char* what = "";   // "truncated", "bad checksum", "unsupported version", ...
  std::string str() const;
  // By content: the same literal in two translation units need not have one address.
  bool operator==(const WireError& o) const {
    return std::strcmp(field, o.field) == 0 && offset == o.offset && std::strcmp(what, o.what) == 0;
  }
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(WireError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const WireError& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, WireError> v_;
};

}  // namespace nlb::wire
